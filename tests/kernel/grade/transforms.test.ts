import * as path from "path";
import { describe, expect, it } from "vitest";
import { Cell, CodeCell, Notebook, readNotebook } from "../../../kernel/notebook";
import { gradeId } from "../../../kernel/release";
import { findRedefinitions, gradebookCsv, InsertHiddenTests, NotebookRun, parseShard, restoreCells, scoreTests, shard, StudentResult } from "../../../kernel/grade";

const FIXTURES = path.resolve(__dirname, "../../fixtures/grading");
const lab = readNotebook(path.join(FIXTURES, "labs/basic.ipynb"));
const solution = readNotebook(path.join(FIXTURES, "solutions/basic.ipynb"));
const ids = (nb: Notebook) => nb.cells.map((c) => gradeId(c) ?? "-");
const byId = (nb: Notebook, id: string) => nb.cells.find((c) => gradeId(c) === id)!;

describe("restoreCells", () => {
  it("keeps answers and restores what a student changed in read-only cells, reporting each change", () => {
    const student = readNotebook(path.join(FIXTURES, "submissions/dee-edits-tests.ipynb"));
    const { notebook, changes } = restoreCells(student, lab);
    expect(ids(notebook)).toEqual(ids(lab));
    for (const id of ["test_double", "test_mean", "test_zero"]) expect(byId(notebook, id)).toEqual(byId(lab, id));
    expect(byId(notebook, "double").source).toContain("return x + 2");
    expect(changes.map((c) => `${c.kind} ${c.gradeId}`)).toEqual([
      "edited test_double",
      "cell type changed test_mean",
      "points changed test_mean",
      "deleted test_zero",
    ]);
  });

  it("puts a deleted cell back after the lab cell before it, and ignores cells posing as tests", () => {
    const student = structuredClone(lab);
    student.cells = student.cells.filter((c) => !["setup", "test_double"].includes(gradeId(c) ?? ""));
    const fake: CodeCell = { cell_type: "code", execution_count: null, outputs: [], metadata: { nbgrader: { grade: true, grade_id: "mine", points: 50 } }, source: "1" };
    student.cells.push(fake);
    const { notebook, changes } = restoreCells(student, lab);
    expect(ids(notebook)).toEqual([...ids(lab), "-"]);
    expect(notebook.cells.at(-1)!.metadata.nbgrader).toBeUndefined();
    expect(changes.map((c) => c.kind)).toEqual(["not the lab's", "deleted", "deleted"]);
  });

  it("finds cells by cell id when a student dropped their metadata", () => {
    const student = structuredClone(lab);
    student.cells.forEach((c) => delete c.metadata.nbgrader);
    expect(ids(restoreCells(student, lab).notebook)).toEqual(ids(lab));
  });
});

describe("InsertHiddenTests", () => {
  it("gives test cells back their hidden tests, without the markers", () => {
    const out = new InsertHiddenTests(solution, "basic.ipynb").apply(lab);
    expect(byId(out, "test_double").source).toBe(
      'check(double(2) === 4, "double(2) should be 4: multiply by 2");\ncheck(double(-3) === -6, "double(-3) should be -6: negative numbers too");',
    );
    expect(byId(out, "test_zero").source).toBe(byId(lab, "test_zero").source);
  });
});

describe("scoreTests", () => {
  const run = (statuses: Record<string, { status: "ok" | "error" | "not run" | "timeout"; value?: string }>): NotebookRun => {
    const notebook = structuredClone(lab);
    const cells = new Map<number, { status: any; seconds: number; flooded: boolean; error?: any }>();
    notebook.cells.forEach((cell: Cell, i) => {
      const s = statuses[gradeId(cell) ?? ""];
      if (!s || cell.cell_type !== "code") return;
      if (s.value !== undefined) cell.outputs = [{ output_type: "execute_result", execution_count: 1, data: { "text/plain": s.value }, metadata: {} }];
      cells.set(i, { status: s.status, seconds: 0.1, flooded: false, error: s.status === "error" ? { ename: "Error", evalue: "double(0) should be 0", traceback: [] } : undefined });
    });
    return { notebook, cells, stop: null, timeouts: [] };
  };

  it("scores from the reply status: ok earns the points, an error or a cell that never ran nothing", () => {
    const tests = scoreTests(run({ test_double: { status: "ok" }, test_zero: { status: "error" } }));
    expect(tests.map((t) => [t.id, t.points, t.max, t.status, t.message])).toEqual([
      ["test_double", 2, 2, "passed", ""],
      ["test_mean", 0, 3, "not run", "not run"],
      ["test_zero", 0, 1, "failed", "Error: double(0) should be 0"],
    ]);
  });

  it("gives partial credit from the cell's value only; printed text earns nothing", () => {
    const partial = scoreTests(run({ test_mean: { status: "ok", value: "0.5" } }))[1];
    expect([partial.points, partial.status]).toEqual([1.5, "partial"]);
    const printed = run({ test_mean: { status: "ok" } });
    const cell = byId(printed.notebook, "test_mean") as CodeCell;
    cell.outputs = [{ output_type: "stream", name: "stdout", text: "1\n" }];
    expect(scoreTests(printed)[1].points).toBe(0);
    expect(scoreTests(run({ test_mean: { status: "ok", value: "7" } }))[1].points).toBe(0);
  });
});

describe("findRedefinitions", () => {
  it("reports a student cell that declares a name a read-only cell defines", () => {
    const nb = readNotebook(path.join(FIXTURES, "submissions/ivy-patches.ipynb"));
    expect(findRedefinitions(nb)).toEqual(["answer cell 'double' redefines 'check' from read-only cell 'setup', which the tests rely on"]);
    expect(findRedefinitions(lab)).toEqual([]);
  });
});

describe("shards and gradebook", () => {
  it("slices by sorted student name, whatever the input order, into disjoint covering shards", () => {
    const items = ["eve", "ada", "cy", "bob", "dee"].map((student) => ({ student, file: `${student}.ipynb` }));
    const slices = [1, 2].map((k) => shard(items, k, 2).map((s) => s.student));
    expect(slices).toEqual([["ada", "cy", "eve"], ["bob", "dee"]]);
    expect(shard([...items].reverse(), 1, 2).map((s) => s.student)).toEqual(slices[0]);
    expect(() => parseShard("3/2")).toThrow(/1 ≤ k ≤ N/);
  });

  it("quotes CSV fields that need it", () => {
    const row = { student: "o'neil, jr", lab: "basic", score: 1.5, max: 6, status: "graded", message: 'said "hi"' } as StudentResult;
    expect(gradebookCsv([row])).toBe('student,lab,score,max,status,message\n"o\'neil, jr",basic,1.5,6,graded,"said ""hi"""\n');
  });
});
