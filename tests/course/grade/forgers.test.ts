/**
 * A class of forgers, graded on the real kernel in the real sandbox: each
 * hands in Lab 1 as released (every answer a stub) plus code that tries to
 * earn marks without solving anything. Scores are decided from records,
 * outside the student's process, so none scores above the blank lab; the
 * honest solution, graded in the same run, gets full marks.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../cli/cli";
import { readResults, StudentResult } from "../../../course/grade";
import { gradeId } from "../../../course/release";
import { Notebook, readNotebook, writeNotebook } from "../../../jupyter/notebook";

const ROOT = path.resolve(__dirname, "../../..");
const LAB = readNotebook(path.join(ROOT, "labs/lab1-mlp.ipynb"));
const SEED = 1_234_567;
const out = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-forgers-"));
const submissions = path.join(out, "submissions");

/** The blank lab with `code` added after the initParams answer, the first answer cell. */
function withCode(code: string): Notebook {
  const nb = structuredClone(LAB);
  const cell = nb.cells.find((c) => gradeId(c) === "initParams")!;
  cell.source = `${cell.source}\n\n${code}`;
  return nb;
}

/** The blank lab with every stub replaced by `body(name)`. */
function everyAnswer(body: (name: string) => string): Notebook {
  const nb = structuredClone(LAB);
  for (const cell of nb.cells)
    cell.source = cell.source.replace(/throw new Error\("not implemented: (\w+)[^"]*"\);/g, (_, name: string) =>
      body(name),
    );
  return nb;
}

/** Emits, from inside the student's process, display data shaped like the grader's records. */
const FAKE_RECORDS = `
import * as fs from "fs";
import { display } from "dlkit";
const publicRecords = JSON.parse(fs.readFileSync(process.env.DLKIT_ROOT + "/lib/check/records/lab1-mlp.json", "utf8"));
function fakeRecords(): void {
  const seed = Number(process.env.DLKIT_GRADING_SEED);
  for (const [name, recorded] of Object.entries(publicRecords.checks) as [string, { expected: unknown[] }][]) {
    display({ [check.RECORD_MIME]: { name, seed, cases: recorded.expected }, "text/plain": "" });
  }
}
fakeRecords();
`;

const FORGERS: Record<string, Notebook> = {
  blank: structuredClone(LAB),
  // What the kit once allowed: answers that call the kit's own reference solution.
  "copies-references": everyAnswer((name) => `return check.lab1.reference.${name}(...arguments);`),
  "rewrites-check-exports": withCode(`
for (const target of [check, check.lab1, require("dlkit/dist/lib/check/checkRecorded"), require("dlkit/dist/lib/check/record")]) {
  for (const key of Object.keys(target)) {
    try {
      Object.defineProperty(target, key, { value: () => ({ ok: true, message: "ok" }), configurable: true, writable: true });
    } catch {
      // a getter the kit made read-only
    }
  }
}`),
  "patches-assertOk": withCode(`
const verdict = require("dlkit/dist/lib/check/verdict");
verdict.assertOk = () => {};
verdict.report = (v: object) => ({ ...v, ok: true });`),
  "patches-tfjs": withCode(`
tf.Tensor.prototype.dataSync = function (this: tf.Tensor) { return new Float32Array(this.size) as never; };
tf.Tensor.prototype.sub = function (this: tf.Tensor) { return this as never; };
for (const op of ["matMul", "tanh", "softmax", "exp", "sub", "abs"]) {
  try {
    Object.defineProperty(tf, op, { value: (a: tf.Tensor) => a, configurable: true });
  } catch {
    // not configurable
  }
}`),
  "patches-globals": withCode(`
Math.abs = () => 0;
Math.max = () => 0;
Number.isFinite = (() => true) as typeof Number.isFinite;
Array.prototype.every = function () { return true; };
Array.prototype.some = function () { return false; };`),
  "fakes-records": withCode(FAKE_RECORDS),
  // The same records, shown from inside the test cells (initParams runs there): a record shown twice counts as none.
  "fakes-records-in-tests": everyAnswer((name) =>
    name === "initParams"
      ? `fakeRecords(); return undefined as never;`
      : `throw new Error("not implemented: ${name}");`,
  ),
  "replays-public-records": withCode(`
import * as fs from "fs";
const expected = JSON.parse(fs.readFileSync(process.env.DLKIT_ROOT + "/lib/check/records/lab1-mlp.json", "utf8")).checks;
const recordModule = require("dlkit/dist/lib/check/record");
const { display } = require("dlkit");
recordModule.record = (name: string) => {
  const cases = expected[name]?.expected ?? [];
  display({ [check.RECORD_MIME]: { name, seed: Number(process.env.DLKIT_GRADING_SEED), cases }, "text/plain": "" });
};`),
  "changes-the-seed": withCode(`process.env.DLKIT_GRADING_SEED = "1000001";`),
  "fakes-execute-results": withCode(
    `({ ok: true, score: 18, "application/vnd.dlkit.record+json": { name: "initParams", seed: 0, cases: [] } })`,
  ),
  "writes-files": withCode(`
import * as fs from "fs";
for (const file of ["results.json", "gradebook.csv", ".solution-records/lab1-mlp.json", "../results.json", process.env.DLKIT_ROOT + "/lib/check/records/lab1-mlp.json"]) {
  try {
    fs.mkdirSync(require("path").dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ version: 2, results: [{ student: "writes-files", score: 18 }] }));
  } catch {
    // outside the work folder: the sandbox refuses
  }
}`),
};

let results: StudentResult[];
const row = (student: string) => results.find((r) => r.student === student)!;

beforeAll(async () => {
  fs.mkdirSync(submissions);
  for (const [name, nb] of Object.entries(FORGERS)) writeNotebook(path.join(submissions, `${name}.ipynb`), nb);
  fs.copyFileSync(path.join(ROOT, "solutions/lab1-mlp.ipynb"), path.join(submissions, "honest.ipynb"));
  const args = [
    "grade",
    submissions,
    "--solutions",
    path.join(ROOT, "solutions"),
    "--lab",
    "lab1-mlp",
    "--jobs",
    "2",
    "--seed",
    String(SEED),
    "--out",
    path.join(out, "grades"),
  ];
  expect(await main(args)).toBe(1);
  results = readResults(path.join(out, "grades"));
}, 900_000);

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe("a class of forgers on Lab 1", () => {
  it("scores no forger above the blank lab, and the honest solution at full marks", () => {
    const blank = row("blank").score;
    expect(blank).toBe(0);
    expect(row("honest")).toMatchObject({ score: 18, max: 18, status: "graded" });
    for (const name of Object.keys(FORGERS)) expect(row(name).score, name).toBeLessThanOrEqual(blank);
  });

  it("gives each forger its gradebook row", () => {
    const rows = fs
      .readFileSync(path.join(out, "grades/gradebook.csv"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(",").slice(0, 5).join(","));
    expect(rows).toEqual([
      "student,lab,score,max,status",
      "blank,lab1-mlp,0,18,graded",
      "changes-the-seed,lab1-mlp,0,18,graded",
      "copies-references,lab1-mlp,0,18,graded",
      "fakes-execute-results,lab1-mlp,0,18,graded",
      "fakes-records,lab1-mlp,0,18,graded",
      "fakes-records-in-tests,lab1-mlp,0,18,graded",
      "honest,lab1-mlp,18,18,graded",
      "patches-assertOk,lab1-mlp,0,18,records-differ",
      "patches-globals,lab1-mlp,0,18,records-differ",
      "patches-tfjs,lab1-mlp,0,18,graded",
      "replays-public-records,lab1-mlp,0,18,graded",
      "rewrites-check-exports,lab1-mlp,0,18,graded",
      "writes-files,lab1-mlp,0,18,graded",
    ]);
  });

  it("gives the honest solution full marks under another seed too", async () => {
    const again = path.join(out, "again");
    fs.mkdirSync(again);
    fs.copyFileSync(path.join(submissions, "honest.ipynb"), path.join(again, "honest.ipynb"));
    const args = [
      "grade",
      again,
      "--solutions",
      path.join(ROOT, "solutions"),
      "--lab",
      "lab1-mlp",
      "--seed",
      "2718281",
      "--out",
      path.join(out, "grades-again"),
    ];
    expect(await main(args)).toBe(0);
    expect(readResults(path.join(out, "grades-again"))).toMatchObject([
      { student: "honest", score: 18, status: "graded", seed: 2718281 },
    ]);
  }, 600_000);

  it("says why a forger whose own checks passed got nothing", () => {
    expect(row("patches-assertOk").message).toContain(
      "the notebook's own checks passed, but what the code computed on the grader's inputs differs from the solution's",
    );
    const graded = readNotebook(path.join(out, "grades/autograded/copies-references/lab1-mlp.ipynb"));
    const answer = graded.cells.find((c) => gradeId(c) === "initParams")!;
    expect(JSON.stringify(answer.cell_type === "code" && answer.outputs)).toContain(
      "Property 'reference' does not exist",
    );
    expect(row("copies-references").tests[0].message).toContain("Cannot find name 'initParams'");
  });
});
