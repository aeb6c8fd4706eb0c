import * as path from "path";
import { describe, expect, it } from "vitest";
import { RECORD_MIME } from "../../../lib/check/record";
import { Cell, CodeCell, Notebook, Output, readNotebook } from "../../../jupyter/notebook";
import { gradeId } from "../../../course/release";
import {
  findRedefinitions,
  gradebookCsv,
  InsertHiddenTests,
  NotebookRun,
  parseShard,
  recordsOf,
  restoreCells,
  scoreTests,
  shard,
  StudentResult,
} from "../../../course/grade";

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
      "edited test_mean",
      "deleted test_zero",
    ]);
  });

  it("puts a deleted cell back after the lab cell before it, and ignores cells posing as tests", () => {
    const student = structuredClone(lab);
    student.cells = student.cells.filter((c) => !["setup", "test_double"].includes(gradeId(c) ?? ""));
    const fake: CodeCell = {
      cell_type: "code",
      execution_count: null,
      outputs: [],
      metadata: { nbgrader: { grade: true, grade_id: "mine", points: 50 } },
      source: "1",
    };
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
      'check.record("double", (seed) => double((seed % 1000) - 500));\nassertThat(double(2) === 4, "double(2) should be 4: multiply by 2");',
    );
    expect(byId(lab, "test_zero").source).toBe('assertThat(double(0) === 0, "double(0) should be 0");');
    expect(byId(out, "test_zero").source).toBe(
      'check.record("zero", () => double(0), { cases: 1 });\nassertThat(double(0) === 0, "double(0) should be 0");',
    );
  });
});

describe("scoreTests and recordsOf", () => {
  const SEED = 1_000_003;
  const record = (name: string, values: unknown[], seed = SEED): Output => ({
    output_type: "display_data",
    data: { [RECORD_MIME]: { name, seed, cases: values.map((value) => ({ value })) }, "text/plain": "recorded" },
    metadata: {},
  });
  /** The fixture lab run with these statuses and outputs per test cell. */
  const run = (
    cells: Record<string, { status: "ok" | "error" | "not run" | "timeout"; outputs?: Output[] }>,
  ): NotebookRun => {
    const notebook = structuredClone(lab);
    const statuses: NotebookRun["cells"] = new Map();
    notebook.cells.forEach((cell: Cell, i) => {
      const c = cells[gradeId(cell) ?? ""];
      if (!c || cell.cell_type !== "code") return;
      cell.outputs = c.outputs ?? [];
      statuses.set(i, {
        status: c.status,
        seconds: 0.1,
        flooded: false,
        error: c.status === "error" ? { ename: "Error", evalue: "double(0) should be 0", traceback: [] } : undefined,
      });
    });
    return { notebook, cells: statuses, stop: null, timeouts: [] };
  };
  const solutionRun = run({
    test_double: { status: "ok", outputs: [record("double", [2, 4, 6])] },
    test_mean: { status: "ok", outputs: [record("mean", [1, 2, 3, 0])] },
    test_zero: { status: "ok", outputs: [record("zero", [0])] },
  });
  const expected = recordsOf(solutionRun.notebook);
  const score = (r: NotebookRun) =>
    scoreTests(r, recordsOf(r.notebook), expected).map((t) => [t.id, t.points, t.status, t.message]);

  it("earns points only for records equal to the solution's, case by case; the cell's own outcome decides nothing", () => {
    const student = run({
      // Its own check passed, its records are wrong: no points.
      test_double: { status: "ok", outputs: [record("double", [2, 5, 7])] },
      // Its own check failed, its records are right on 3 of 4 cases.
      test_mean: { status: "error", outputs: [record("mean", [1, 2, 3, 9])] },
    });
    expect(score(student)).toEqual([
      ["test_double", 0.667, "partial", "1 of 3 cases right: 'double' differs from the solution's on case 2 of 3"],
      [
        "test_mean",
        2.25,
        "partial",
        "Error: double(0) should be 0; 3 of 4 cases right: 'mean' differs from the solution's on case 4 of 4",
      ],
      [
        "test_zero",
        0,
        "not run",
        "not run; 0 of 1 case right: 'zero' recorded nothing (the test did not run to its record, or recorded twice)",
      ],
    ]);
    expect(scoreTests(student, recordsOf(student.notebook), expected)[0].ownChecksPassed).toBe(true);
  });

  it("gives nothing for printed text, an execute_result, a record shown twice, another seed, or a malformed record", () => {
    const printed: Output = {
      output_type: "stream",
      name: "stdout",
      text: JSON.stringify({ [RECORD_MIME]: { name: "double", seed: SEED, cases: [] } }),
    };
    const result: Output = {
      output_type: "execute_result",
      execution_count: 3,
      data: { [RECORD_MIME]: { name: "zero", seed: SEED, cases: [{ value: 0 }] } },
      metadata: {},
    };
    const student = run({
      test_double: { status: "ok", outputs: [printed, record("double", [2, 4, 6]), record("double", [2, 4, 6])] },
      test_mean: { status: "ok", outputs: [record("mean", [1, 2, 3, 0], 1)] },
      test_zero: {
        status: "ok",
        outputs: [
          result,
          { output_type: "display_data", data: { [RECORD_MIME]: { name: "zero", seed: "x" } }, metadata: {} },
        ],
      },
    });
    expect(score(student).map(([id, points]) => [id, points])).toEqual([
      ["test_double", 0],
      ["test_mean", 0],
      ["test_zero", 0],
    ]);
    expect(recordsOf(student.notebook).get("test_double")).toEqual(new Map([["double", undefined]]));
  });

  it("gives full marks to records equal to the solution's, within float tolerance", () => {
    const student = run({
      test_double: { status: "ok", outputs: [record("double", [2, 4.000001, 6])] },
      test_mean: { status: "ok", outputs: [record("mean", [1, 2, 3, 0])] },
      test_zero: { status: "ok", outputs: [record("zero", [0])] },
    });
    expect(score(student).map(([id, points, status]) => [id, points, status])).toEqual([
      ["test_double", 2, "passed"],
      ["test_mean", 3, "passed"],
      ["test_zero", 1, "passed"],
    ]);
  });

  it("refuses a solution whose test records nothing: that test could only be scored inside the student's process", () => {
    const silent = recordsOf(run({ test_double: { status: "ok" } }).notebook);
    expect(() => scoreTests(solutionRun, expected, silent)).toThrow(
      "test 'test_double' records nothing in the solution: give it a hidden `check.record(...)`",
    );
  });
});

describe("findRedefinitions", () => {
  it("reports a student cell that declares a name a read-only cell defines", () => {
    const nb = readNotebook(path.join(FIXTURES, "submissions/ivy-patches.ipynb"));
    expect(findRedefinitions(nb)).toEqual([
      "answer cell 'double' redefines 'assertThat' from read-only cell 'setup', which the tests rely on",
    ]);
    expect(findRedefinitions(lab)).toEqual([]);
  });
});

describe("shards and gradebook", () => {
  it("slices by sorted student name, whatever the input order, into disjoint covering shards", () => {
    const items = ["eve", "ada", "cy", "bob", "dee"].map((student) => ({ student, file: `${student}.ipynb` }));
    const slices = [1, 2].map((k) => shard(items, k, 2).map((s) => s.student));
    expect(slices).toEqual([
      ["ada", "cy", "eve"],
      ["bob", "dee"],
    ]);
    expect(shard([...items].reverse(), 1, 2).map((s) => s.student)).toEqual(slices[0]);
    expect(() => parseShard("3/2")).toThrow(/1 ≤ k ≤ N/);
  });

  it("quotes CSV fields that need it", () => {
    const row = {
      student: "o'neil, jr",
      lab: "basic",
      score: 1.5,
      max: 6,
      status: "graded",
      message: 'said "hi"',
    } as StudentResult;
    expect(gradebookCsv([row])).toBe(
      'student,lab,score,max,status,message\n"o\'neil, jr",basic,1.5,6,graded,"said ""hi"""\n',
    );
  });
});
