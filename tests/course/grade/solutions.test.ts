/**
 * The course's own solutions, graded as submissions on the real kernel in the
 * sandbox: what `npm start` shows. Every lab must reach full marks from its
 * records alone, or an honest student would lose points to the grader.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../cli/cli";
import { readResults, StudentResult } from "../../../course/grade";
import { readNotebook } from "../../../jupyter/notebook";

const ROOT = path.resolve(__dirname, "../../..");
const out = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-solutions-"));
let results: StudentResult[];

beforeAll(async () => {
  const args = [
    "grade",
    path.join(ROOT, "solutions"),
    "--solutions",
    path.join(ROOT, "solutions"),
    "--jobs",
    "2",
    "--seed",
    "3141593",
    "--out",
    out,
  ];
  expect(await main(args)).toBe(0);
  results = readResults(out);
}, 1_500_000);

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe("the solutions graded as submissions", () => {
  it("earn full marks in every lab, every test passed from records", () => {
    expect(results.map((r) => [r.lab, r.score, r.max, r.status])).toEqual([
      ["lab1-mlp", 18, 18, "graded"],
      ["lab5-transformer", 15, 15, "graded"],
      ["tp4a-cnn", 20, 20, "graded"],
      ["tp4b-rnn", 12, 12, "graded"],
    ]);
    for (const r of results)
      for (const t of r.tests)
        expect(`${r.lab} ${t.id}: ${t.status} ${t.message}`.trim()).toBe(`${r.lab} ${t.id}: passed`);
  });

  it("run each of the parallel kernels on one wasm thread, so that two jobs do not fight over the cores", () => {
    for (const r of results) {
      const nb = readNotebook(path.join(out, "autograded", r.student, `${r.lab}.ipynb`));
      const printed = nb.cells.flatMap((c) => (c.cell_type === "code" ? c.outputs : [])).map((o) => JSON.stringify(o));
      const line = printed.find((o) => o.includes("tfjs backend: "));
      expect(line, r.lab).toMatch(/tfjs backend: wasm \(SIMD, 1 thread;/);
    }
  });
});
