/**
 * Lab 5 end to end, on the real kernel: the solution trains a transformer to
 * reverse sequences past the bars (held-out token accuracy ≥ 99%, a
 * head attending to key L−1−i for ≥ 90% of queries) and draws its attention
 * maps; the student version runs with every failure a "not implemented" one;
 * labs/ is exactly what release makes.
 */
import { describe, expect, it } from "vitest";
import { labFiles, cellById, checkLines, charts, expectOnlyNotImplementedFailures, expectReleased, runBeforeTests, expectCellsOk, expectEveryCellOk, passedCheckLines } from "./helpers";

const { solution: SOLUTION, lab: LAB } = labFiles("lab5-transformer");
/** Training takes a minute alone, several on a busy 2-core machine. */
const RUN_TIMEOUT = 900_000;

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

  it("passes every check it prints, hidden ones included", () => {
    const lines = passedCheckLines(solution.run);
    expect(lines.length).toBeGreaterThanOrEqual(16);
  });

  it("reverses held-out sequences with a token accuracy of at least 99%", () => {
    expect(numberAfter(solution.out, /^held-out token accuracy: ([\d.]+)$/m)).toBeGreaterThanOrEqual(0.99);
  });

  it("has a head whose most-attended key is L−1−i for at least 90% of queries", () => {
    expect(numberAfter(solution.out, /^anti-diagonal fraction \(best head\): ([\d.]+)$/m)).toBeGreaterThanOrEqual(0.9);
  });

  it("matches lib's MultiheadAttention with the same weights to 1e-5", () => {
    const line = solution.out.match(/^output: max \|Δ\| = (\S+); weights \[batch, heads, L, S\] = \[2,4,16,16\]: max \|Δ\| = (\S+)$/m);
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
    expect(numberAfter(solution.out, /^attention\(permuted x\) vs permuted attention\(x\): max \|Δ\| = (\S+)/m)).toBeLessThan(1e-5);
    expect(numberAfter(solution.out, /^with the positions added: max \|Δ\| = (\S+)/m)).toBeGreaterThan(0.01);
    const causal = solution.out.match(/with the causal mask ([\d.]+)%: ([\d.]+)% on the first half, ([\d.]+)% on the second/);
    expect(causal).not.toBeNull();
    expect(Number(causal![2])).toBeLessThan(50);
  });

  it("draws the attention maps (every layer and head, plain and causal) as Vega-Lite with an SVG beside it", () => {
    const expected: Record<string, number> = { patches: 1, alignment_map: 1, saturation: 1, sine_heatmap: 1, train: 1, attention_maps: 1, causal_maps: 2 };
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
    for (const line of lines.filter((l) => l.startsWith("✘") && !/held-out|head/.test(l))) expect(line).toMatch(/not implemented yet$/);
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
