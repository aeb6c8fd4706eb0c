/**
 * Lab 1 end to end, on the real kernel: the solution trains to the bars the
 * issue sets (accuracy, gradient agreement, four stages agreeing) and draws
 * its charts; the student version runs with every check saying "not
 * implemented" and nothing else failing; labs/ is exactly what release makes.
 */
import * as fs from "fs";
import { describe, expect, it } from "vitest";
import { CodeCell } from "../../jupyter/notebook";
import { RECORD_MIME, type RecordOutput } from "../../lib/check/record";
import {
  labFiles,
  cellById,
  stdout,
  charts,
  expectOnlyNotImplementedFailures,
  expectReleased,
  runBeforeTests,
  expectCellsOk,
  expectEveryCellOk,
  passedCheckLines,
} from "./helpers";

const { solution: SOLUTION, lab: LAB } = labFiles("lab1-mlp");
const STAGES = ["by hand", "autograd", "modules", "optimizer"];
/** Each run takes a minute or two on a busy 2-core machine. */
const RUN_TIMEOUT = 600_000;

const isGradedTest = (cell: CodeCell) => cell.metadata.nbgrader?.grade === true;

/** The records a cell shows for the grader. */
const recordsOf = (cell: CodeCell): RecordOutput[] =>
  cell.outputs.flatMap((o) =>
    (o.output_type === "display_data" || o.output_type === "execute_result") && o.data[RECORD_MIME]
      ? [o.data[RECORD_MIME] as unknown as RecordOutput]
      : [],
  );

describe("solutions/lab1-mlp.ipynb on the kernel", () => {
  const solution = runBeforeTests(SOLUTION, RUN_TIMEOUT, { label: "solutions/lab1-mlp.ipynb" });

  it("runs every cell without an error", () => {
    expectEveryCellOk(solution.run);
  });

  it("passes every check it prints", () => {
    const lines = passedCheckLines(solution.run);
    expect(lines.length).toBeGreaterThanOrEqual(11);
  });

  it("shows the grader one record in every graded test cell, each case of which ran (else the cell scores nothing)", () => {
    const tests = solution.run.notebook.cells.filter((c): c is CodeCell => c.cell_type === "code" && isGradedTest(c));
    expect(tests).toHaveLength(11);
    for (const cell of tests) {
      const records = recordsOf(cell);
      expect(
        records.map((r) => r.name),
        `records of '${cell.id}'`,
      ).toEqual([cell.id!.replace(/^test_/, "")]);
      expect(records[0].cases, `'${cell.id}'`).toHaveLength(3);
      for (const c of records[0].cases)
        expect("value" in c, `'${cell.id}': ${JSON.stringify(c).slice(0, 200)}`).toBe(true);
    }
  });

  it("trains every stage to ≥ 95% training accuracy without leaking tensors", () => {
    for (const stage of STAGES) {
      const line = solution.out.match(
        new RegExp(`^${stage}: \\d+ epochs, final loss ([\\d.]+), training accuracy ([\\d.]+)%; (.*) \\(`, "m"),
      );
      expect(line, `the line of stage "${stage}"`).not.toBeNull();
      expect(Number(line![2])).toBeGreaterThanOrEqual(95);
      expect(line![3]).toBe("no tensor leaked");
    }
  });

  it("shows autograd's gradients equal the hand-written ones to 1e-5", () => {
    const line = solution.out.match(/^max \|autograd − by hand\| over Wh, bh, Wy, by: (\S+)$/m);
    expect(line).not.toBeNull();
    expect(Number(line![1])).toBeLessThanOrEqual(1e-5);
  });

  it("brings the four stages to the same final loss within 1e-3", () => {
    const losses = STAGES.map((stage) => {
      const line = solution.out.match(new RegExp(`^${stage}\\s+final loss ([\\d.]+)\\s+training accuracy`, "m"));
      expect(line, `the summary line of stage "${stage}"`).not.toBeNull();
      return Number(line![1]);
    });
    expect(Math.max(...losses) - Math.min(...losses)).toBeLessThanOrEqual(1e-3);
  });

  it("draws each chart as Vega-Lite with an SVG beside it", () => {
    const expected: Record<string, number> = {
      data: 1,
      "plot-by-hand": 2,
      "plot-autograd": 1,
      "plot-modules": 1,
      "plot-optimizer": 1,
      "compare-stages": 2,
      "boundary-final": 1,
    };
    for (const [id, count] of Object.entries(expected)) {
      const drawn = charts(cellById(solution.run.notebook, id));
      expect(drawn.length, `charts in cell '${id}'`).toBe(count);
      for (const chart of drawn) {
        expect(chart.spec.$schema).toMatch(/vega-lite\/v5/);
        expect(chart.svg).toMatch(/^<svg/);
      }
    }
  });
});

describe("labs/lab1-mlp.ipynb, as a student first opens it", () => {
  const student = runBeforeTests(LAB, RUN_TIMEOUT, { allowErrors: true, label: "labs/lab1-mlp.ipynb" });

  it("fails only with not-implemented errors", () => {
    expectOnlyNotImplementedFailures(student.run);
  });

  it("defines every function, and draws the data, without an error", () => {
    expectCellsOk(student.run, [
      "setup",
      "data",
      "initParams",
      "forward",
      "lossAccuracy",
      "backward",
      "sgd",
      "trainStep",
      "fit",
      "autogradBackward",
      "modelAndLoss",
      "loadSlideParams",
      "manualStep",
      "optimizer",
    ]);
    expect(charts(cellById(student.run.notebook, "data"))).toHaveLength(1);
  });

  it("has every graded check say, in one line, that its piece is not implemented yet", () => {
    const tests = student.run.notebook.cells.filter((c): c is CodeCell => c.cell_type === "code" && isGradedTest(c));
    expect(tests.map((c) => c.id)).toEqual([
      "test_initParams",
      "test_forward",
      "test_lossAccuracy",
      "test_backward",
      "test_sgd",
      "test_trainStep",
      "test_autogradBackward",
      "test_modelAndLoss",
      "test_manualStep",
      "test_optimizer",
      "test_stages",
    ]);
    for (const cell of tests) {
      const lines = stdout(cell).trim().split("\n");
      expect(lines, `check lines of '${cell.id}'`).toHaveLength(1);
      expect(lines[0], `'${cell.id}'`).toMatch(/^✘ .*not implemented yet$/);
    }
  });
});

describe("labs/lab1-mlp.ipynb", () => {
  it("is exactly what release makes of the solution", () => {
    expectReleased(SOLUTION, LAB);
  });

  it("holds neither the solutions nor the hidden tests", () => {
    const text = fs.readFileSync(LAB, "utf8");
    expect(text).not.toMatch(/BEGIN SOLUTION|BEGIN HIDDEN TESTS|gradientCheck|tf\.grads\(loss\)/);
  });
});
