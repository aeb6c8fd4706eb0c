import { describe, expect, it } from "vitest";
import { Cell, CodeCell, Notebook, NotebookError } from "../../../jupyter/notebook";
import {
  CheckCellMetadata,
  ClearOutputs,
  ClearSolutions,
  ComputeChecksums,
  computeChecksum,
  dropMarkers,
  HIDDEN_TESTS,
  LockCells,
  StampLab,
  StripHiddenTests,
  labOf,
} from "../../../course/release";

const code = (source: string, nbgrader?: Record<string, unknown>, extra: Record<string, unknown> = {}): CodeCell => ({
  cell_type: "code",
  execution_count: 3,
  outputs: [{ output_type: "stream", name: "stdout", text: "hi\n" }],
  metadata: { ...(nbgrader ? { nbgrader } : {}), ...extra },
  source,
});
const nb = (...cells: Cell[]): Notebook => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });
const answer = (source: string) => code(source, { grade_id: "a", solution: true });
const test = (source: string, points = 2) => code(source, { grade_id: "t", grade: true, points });

describe("ClearSolutions", () => {
  it("replaces each region by a stub that names the enclosing function, at its indentation", () => {
    const src = "function double(x: number): number {\n  // BEGIN SOLUTION\n  return 2 * x;\n  // END SOLUTION\n}";
    const out = new ClearSolutions("lab.ipynb").apply(nb(answer(src)));
    expect(out.cells[0].source).toBe(
      'function double(x: number): number {\n  throw new Error("not implemented: double (replace this line with your code)");\n}',
    );
  });

  it("names methods and arrow functions, skipping the if blocks around a region", () => {
    const src = [
      "class Net {",
      "  forward(x: number[]): number[] {",
      "    if (x.length) {",
      "      // BEGIN SOLUTION",
      "      return x;",
      "      // END SOLUTION",
      "    }",
      "    return [];",
      "  }",
      "}",
      "const relu = (x: number) => {",
      "  // BEGIN SOLUTION",
      "  return Math.max(0, x);",
      "  // END SOLUTION",
      "};",
    ].join("\n");
    const out = new ClearSolutions("lab.ipynb").apply(nb(answer(src))).cells[0].source;
    expect(out).toContain('      throw new Error("not implemented: forward');
    expect(out).toContain('  throw new Error("not implemented: relu');
    expect(out).not.toContain("Math.max");
  });

  it("stubs a whole answer cell without markers, and markdown answers as nbgrader does", () => {
    const md: Cell = {
      cell_type: "markdown",
      metadata: { nbgrader: { grade_id: "why", solution: true } },
      source: "Because.",
    };
    const out = new ClearSolutions("lab.ipynb").apply(nb(answer("const lr = 0.1;"), md));
    expect(out.cells[0].source).toBe('throw new Error("not implemented: lr (replace this line with your code)");');
    expect(out.cells[1].source).toBe("YOUR ANSWER HERE");
  });

  it("leaves cells that are not answers alone, and its input unchanged", () => {
    const input = nb(code("const x = 1;"), answer("// BEGIN SOLUTION\nx\n// END SOLUTION"));
    const before = structuredClone(input);
    const out = new ClearSolutions("lab.ipynb").apply(input);
    expect(out.cells[0].source).toBe("const x = 1;");
    expect(input).toEqual(before);
  });

  it("names the cell and line of an unclosed region", () => {
    expect(() => new ClearSolutions("lab.ipynb").apply(nb(answer("x\n// BEGIN SOLUTION\ny")))).toThrow(
      /lab.ipynb, cell 'a', line 2: BEGIN SOLUTION is never closed/,
    );
  });
});

describe("StripHiddenTests", () => {
  it("removes hidden regions and their markers, keeping the visible tests", () => {
    const out = new StripHiddenTests("lab.ipynb").apply(
      nb(test("check(a);\n// BEGIN HIDDEN TESTS\ncheck(b);\n// END HIDDEN TESTS\ncheck(c);")),
    );
    expect(out.cells[0].source).toBe("check(a);\ncheck(c);");
  });

  it("dropMarkers keeps the hidden tests for grading", () => {
    expect(dropMarkers("a\n// BEGIN HIDDEN TESTS\nb\n// END HIDDEN TESTS", HIDDEN_TESTS, "x")).toBe("a\nb");
  });
});

describe("ClearOutputs", () => {
  it("clears outputs and counts except where metadata keeps them", () => {
    const out = new ClearOutputs().apply(nb(code("1"), code("2", undefined, { dlkit: { keep_output: true } })));
    const [cleared, kept] = out.cells as CodeCell[];
    expect([cleared.outputs, cleared.execution_count]).toEqual([[], null]);
    expect(kept.outputs).toHaveLength(1);
    expect(kept.execution_count).toBe(3);
  });
});

describe("LockCells", () => {
  it("makes test and locked cells read-only, answer cells undeletable, and records the cell type", () => {
    const locked: Cell = {
      cell_type: "markdown",
      metadata: { nbgrader: { grade_id: "intro", locked: true } },
      source: "# Lab",
    };
    const out = new LockCells().apply(nb(test("check()"), answer("x"), locked, code("free")));
    const [t, a, l, free] = out.cells;
    expect(t.metadata).toMatchObject({
      editable: false,
      deletable: false,
      nbgrader: { locked: true, grade: true, schema_version: 3, cell_type: "code" },
    });
    expect(a.metadata).toMatchObject({ deletable: false, nbgrader: { locked: false, solution: true } });
    expect(a.metadata.editable).toBeUndefined();
    expect(l.metadata).toMatchObject({ editable: false, nbgrader: { locked: true, cell_type: "markdown" } });
    expect(free.metadata).toEqual({});
  });
});

describe("ComputeChecksums", () => {
  it("computes nbgrader's checksum (md5 of source, type, flags, grade_id, points as a Python float)", () => {
    // Reference value computed with Python's hashlib over the same inputs nbgrader's compute_checksum uses.
    const cell = code("x = 1\n", { grade_id: "test_a", grade: true, solution: false, locked: true, points: 2 });
    expect(computeChecksum(cell)).toBe("afb1c5ecf35373a8e2d6d8113f961715");
  });

  it("records checksums of tracked cells only, and they change with points or source", () => {
    const out = new ComputeChecksums().apply(nb(test("check()"), code("free")));
    expect(out.cells[0].metadata.nbgrader?.checksum).toBe(computeChecksum(test("check()")));
    expect(out.cells[1].metadata.nbgrader).toBeUndefined();
    expect(computeChecksum(test("check()", 3))).not.toBe(computeChecksum(test("check()")));
    expect(computeChecksum(test("check(1)"))).not.toBe(computeChecksum(test("check()")));
  });
});

describe("CheckCellMetadata", () => {
  const check =
    (...cells: Cell[]) =>
    () =>
      new CheckCellMetadata("lab.ipynb").apply(nb(...cells));
  it("accepts a well-formed notebook", () => {
    expect(check(answer("x"), test("y"))).not.toThrow();
  });
  it.each([
    ["a missing grade_id", [code("x", { grade: true, points: 1 })], /no grade_id/],
    ["duplicate grade_ids", [test("x"), test("y")], /share grade_id 't'/],
    ["missing points", [code("x", { grade_id: "t", grade: true })], /set "points"/],
    ["a solution region outside an answer cell", [code("// BEGIN SOLUTION\nx\n// END SOLUTION")], /not an answer cell/],
    [
      "hidden tests outside a test cell",
      [answer("// BEGIN HIDDEN TESTS\nx\n// END HIDDEN TESTS")],
      /not a graded test cell/,
    ],
    [
      "a manually graded answer",
      [code("x", { grade_id: "m", grade: true, solution: true, points: 1 })],
      /manual grading/,
    ],
  ])("rejects %s with a message naming the fix", (_, cells, message) => {
    expect(check(...(cells as Cell[]))).toThrow(NotebookError);
    expect(check(...(cells as Cell[]))).toThrow(message as RegExp);
  });
});

describe("StampLab", () => {
  it("records the lab's name in the notebook metadata", () => {
    expect(labOf(new StampLab("lab1").apply(nb()))).toBe("lab1");
  });
});
