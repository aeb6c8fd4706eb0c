/**
 * Lab 5 end to end, on the real kernel: the solution trains a transformer to
 * reverse sequences past the bars (held-out token accuracy ≥ 99%, a
 * head attending to key L−1−i for ≥ 90% of queries) and draws its attention
 * maps; every graded test cell shows the records the grader scores; the
 * student version runs with every failure a "not implemented" one; labs/ is
 * exactly what release makes.
 */
import { describe, expect, it } from "vitest";
import type { CodeCell } from "../../jupyter/notebook";
import { RECORD_MIME, type RecordOutput } from "../../lib/check/record";
import { lab5 } from "../../course/labs/lab5-transformer";
import {
  labFiles,
  cellById,
  checkLines,
  charts,
  expectOnlyNotImplementedFailures,
  expectReleased,
  runBeforeTests,
  expectCellsOk,
  expectEveryCellOk,
  passedCheckLines,
} from "./helpers";

const { solution: SOLUTION, lab: LAB } = labFiles("lab5-transformer");
/** Training takes a minute alone, several on a busy 2-core machine. */
const RUN_TIMEOUT = 900_000;

/** The records a cell shows for the grader. */
function recordsOf(cell: CodeCell): RecordOutput[] {
  return cell.outputs.flatMap((o) =>
    o.output_type === "display_data" && RECORD_MIME in o.data ? [o.data[RECORD_MIME] as RecordOutput] : [],
  );
}

function numberAfter(out: string, label: RegExp): number {
  const line = out.match(label);
  expect(line, `a line matching ${label}`).not.toBeNull();
  return Number(line![1]);
}

describe("solutions/lab5-transformer.ipynb on the kernel", () => {
  const solution = runBeforeTests(SOLUTION, RUN_TIMEOUT, { label: "lab5 solution" });

  it("runs every cell without an error", () => {
    expectEveryCellOk(solution.run);
  });

  it("passes every check it prints", () => {
    const lines = passedCheckLines(solution.run);
    expect(lines.length).toBeGreaterThanOrEqual(10);
  });

  it("shows, in every graded test cell, the records the grader scores, none of whose cases threw", () => {
    const graded = solution.run.notebook.cells.filter(
      (c): c is CodeCell => c.cell_type === "code" && c.metadata.nbgrader?.grade === true,
    );
    expect(graded.map((c) => c.metadata.nbgrader?.grade_id)).toEqual([
      "test_alignment",
      "test_sdpa",
      "test_mha",
      "test_sinusoidal",
      "test_encoder_block",
      "test_predictor",
      "test_accuracy",
      "test_anti_diagonal",
      "test_reverses",
      "test_causal",
    ]);
    for (const cell of graded) {
      const records = recordsOf(cell);
      expect(records.length, `records in '${cell.id}'`).toBe(1);
      for (const c of records[0].cases)
        expect(c, `a case of '${records[0].name}' in '${cell.id}'`).toHaveProperty("value");
    }
  });

  it("earns the trained model's points from its own records: held-out accuracy ≥ 99%, a head reversing ≥ 90% of queries", () => {
    for (const id of ["test_accuracy", "test_reverses"]) {
      const shown = new Map(recordsOf(cellById(solution.run.notebook, id)).map((r) => [r.name, r]));
      expect(lab5.scoring![id](shown, shown), id).toEqual({ fraction: 1, message: "" });
    }
  });

  it("reverses held-out sequences with a token accuracy of at least 99%", () => {
    expect(numberAfter(solution.out, /^held-out token accuracy: ([\d.]+)$/m)).toBeGreaterThanOrEqual(0.99);
  });

  it("has a head whose most-attended key is L−1−i for at least 90% of queries", () => {
    expect(numberAfter(solution.out, /^anti-diagonal fraction \(best head\): ([\d.]+)$/m)).toBeGreaterThanOrEqual(0.9);
  });

  it("matches lib's MultiheadAttention with the same weights to 1e-5", () => {
    const line = solution.out.match(
      /^output: max \|Δ\| = (\S+); weights \[batch, heads, L, S\] = \[2,4,16,16\]: max \|Δ\| = (\S+)$/m,
    );
    expect(line).not.toBeNull();
    expect(Number(line![1])).toBeLessThanOrEqual(1e-5);
    expect(Number(line![2])).toBeLessThanOrEqual(1e-5);
  });

  it("keeps tf.memory().numTensors flat from one epoch to the next while training", () => {
    const line = solution.out.match(/^tensors: (\d+) before training; after each epoch: ([\d, ]+)$/m);
    expect(line).not.toBeNull();
    const counts = line![2].split(", ").map(Number);
    expect(counts.length).toBe(8);
    expect(new Set(counts).size).toBe(1);
  });

  it("shows attention ignoring token order without positions, and the causal mask costing the first half", () => {
    expect(
      numberAfter(solution.out, /^attention\(permuted x\) vs permuted attention\(x\): max \|Δ\| = (\S+)/m),
    ).toBeLessThan(1e-5);
    expect(numberAfter(solution.out, /^with the positions added: max \|Δ\| = (\S+)/m)).toBeGreaterThan(0.01);
    const causal = solution.out.match(
      /with the causal mask ([\d.]+)%: ([\d.]+)% on the first half, ([\d.]+)% on the second/,
    );
    expect(causal).not.toBeNull();
    expect(Number(causal![2])).toBeLessThan(50);
  });

  it("draws the attention maps (every layer and head, plain and causal) as Vega-Lite with an SVG beside it", () => {
    const expected: Record<string, number> = {
      patches: 1,
      alignment_map: 1,
      saturation: 1,
      sine_heatmap: 1,
      train: 1,
      attention_maps: 1,
      causal_maps: 2,
    };
    for (const [id, count] of Object.entries(expected)) {
      const drawn = charts(cellById(solution.run.notebook, id));
      expect(drawn.length, `charts in cell '${id}'`).toBe(count);
      for (const chart of drawn) {
        expect(chart.spec.$schema).toMatch(/vega-lite\/v5/);
        expect(chart.svg).toMatch(/^<svg/);
      }
    }
    const maps = charts(cellById(solution.run.notebook, "attention_maps"))[0];
    expect(maps.text).toBe("attentionMap: 2 layer(s) × 4 head(s), 16 queries × 16 keys");
  });
});

describe("labs/lab5-transformer.ipynb, as a student first opens it", () => {
  const student = runBeforeTests(LAB, RUN_TIMEOUT, { allowErrors: true });

  it("fails only with not-implemented errors", () => {
    expectOnlyNotImplementedFailures(student.run);
  });

  it("says 'not implemented yet' in every check, with no stack trace of the student's stub", () => {
    const lines = checkLines(student.run.notebook);
    expect(lines.length).toBeGreaterThanOrEqual(7);
    for (const line of lines.filter((l) => l.startsWith("✘") && !/held-out|head/.test(l)))
      expect(line).toMatch(/not implemented yet$/);
  });

  it("runs the given cells (data, modules, the patches) without an error", () => {
    expectCellsOk(student.run, ["setup", "patches", "mha", "pe_modules", "encoder_block", "predictor", "data"]);
  });
});

describe("labs/lab5-transformer.ipynb", () => {
  it("is exactly what release makes of the solution", () => {
    expectReleased(SOLUTION, LAB);
  });
});
