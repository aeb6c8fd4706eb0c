/**
 * TP4b end to end, on the real kernel: the solution trains the slide's RNN
 * one word at a time and lib's batched RNN and GRU on real dictionary words,
 * the GRU past the bar (held-out accuracy ≥ 75% with ≥ 5 languages),
 * prints the top-3 languages of words and draws the confusion matrix; the
 * student version runs with every failure a "not implemented" one; labs/ is
 * exactly what release makes.
 */
import { describe, expect, it } from "vitest";
import { labFiles, cellById, stdout, checkLines, charts, expectOnlyNotImplementedFailures, expectReleased, runBeforeTests, expectCellsOk, expectEveryCellOk, passedCheckLines } from "./helpers";

const { solution: SOLUTION, lab: LAB } = labFiles("tp4b-rnn");
/** About two CPU-minutes alone; many more on a busy 2-core machine. */
const RUN_TIMEOUT = 1_800_000;
const CHECKS = 6;

describe("solutions/tp4b-rnn.ipynb on the kernel", () => {
  const solution = runBeforeTests(SOLUTION, RUN_TIMEOUT, { label: "tp4b solution" });

  it("runs every cell without an error", () => {
    expectEveryCellOk(solution.run);
  });

  it("passes every check it prints", () => {
    const lines = passedCheckLines(solution.run);
    expect(lines).toHaveLength(CHECKS);
  });

  it("reaches at least 75% held-out accuracy with at least 5 languages (the batched GRU)", () => {
    const languages = solution.out.match(/^\((\d+) held-out words, (\d+) languages: chance is \d+%\)$/m);
    expect(languages).not.toBeNull();
    expect(Number(languages![2])).toBeGreaterThanOrEqual(5);
    const accuracy = (model: RegExp) => {
      const line = solution.out.split("\n").find((l) => l.startsWith("held-out accuracy: ") && model.test(l));
      expect(line, `an accuracy line for ${model}`).toBeDefined();
      return Number(line!.match(/^held-out accuracy: ([\d.]+)%/)![1]);
    };
    const [slow, rnn, gru] = [accuracy(/the slide's RNN, one word at a time/), accuracy(/lib's nn.RNN, batched/), accuracy(/lib's nn.GRU, batched/)];
    console.log(`tp4b: held-out accuracy over ${languages![2]} languages (${languages![1]} words): slide's RNN ${slow}%, batched RNN ${rnn}%, GRU ${gru}%`);
    expect(gru).toBeGreaterThanOrEqual(75);
    // Every network has learnt something: well above chance (20% with 5 languages).
    for (const a of [slow, rnn]) expect(a).toBeGreaterThan(100 / Number(languages![2]) + 20);
  });

  it("prints the words per second of each way of training, and the speed-up", () => {
    for (const who of ["the slide's RNN, one word at a time", "lib's nn.RNN, batches of 128", "lib's nn.GRU, batches of 128"]) {
      expect(solution.out).toMatch(new RegExp(`^  ${who.replace(/[.()]/g, "\\$&")}: +\\d+`, "m"));
    }
    const speedUp = solution.out.match(/^speed-up of batching \(same network, same hidden size\): ×([\d.]+)$/m);
    expect(speedUp).not.toBeNull();
    console.log(`tp4b: batching speed-up ×${speedUp![1]}`);
  });

  it("prints the top-3 languages of held-out words and of the student's own words, likeliest first", () => {
    const names = ["English", "German", "French", "Spanish", "Italian", "Dutch", "Portuguese"];
    const guesses = (id: string) =>
      stdout(cellById(solution.run.notebook, id))
        .split("\n")
        .filter((l) => l.startsWith("predict("))
        .map((l) => {
          const m = l.match(/^predict\("([^"]+)"\) → (\S+) ([\d.]+)%, (\S+) ([\d.]+)%, (\S+) ([\d.]+)%/);
          expect(m, l).not.toBeNull();
          return { word: m![1], languages: [m![2], m![4], m![6]], percents: [m![3], m![5], m![7]].map(Number) };
        });
    const heldOut = guesses("predict-show");
    const own = guesses("own");
    expect(heldOut).toHaveLength(8);
    expect(own.map((g) => g.word)).toContain("schmetterling");
    for (const g of [...heldOut, ...own]) {
      expect(new Set(g.languages).size).toBe(3);
      for (const l of g.languages) expect(names).toContain(l);
      expect(g.percents[0]).toBeGreaterThanOrEqual(g.percents[1]);
      expect(g.percents[1]).toBeGreaterThanOrEqual(g.percents[2]);
      expect(g.percents.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(100.2);
    }
  });

  it("draws the confusion matrix (and the loss curves) as Vega-Lite with an SVG", () => {
    const expected: Record<string, RegExp> = {
      confusion: /^confusionMatrix: 5 classes, accuracy [\d.]+% \(\d+ of \d+\)$/,
      "slow-curve": /^lineChart: loss/,
    };
    for (const [id, summary] of Object.entries(expected)) {
      const drawn = charts(cellById(solution.run.notebook, id));
      expect(drawn, `charts in cell '${id}'`).toHaveLength(1);
      expect(drawn[0].text).toMatch(summary);
      expect(drawn[0].spec.$schema).toMatch(/vega-lite\/v5/);
      expect(drawn[0].svg).toMatch(/^<svg/);
    }
    const live = charts(cellById(solution.run.notebook, "fit-gru"));
    expect(live.length, "the GRU's live training curve").toBeGreaterThanOrEqual(1);
  });

  it("keeps the number of tensors flat in every training loop", () => {
    const lines = [...solution.out.matchAll(/^tensors in memory: (\d+) before, (\d+) after/gm)];
    expect(lines).toHaveLength(3);
    for (const [, before, after] of lines) expect(Number(after)).toBe(Number(before));
  });
});

describe("labs/tp4b-rnn.ipynb, as a student first opens it", () => {
  const student = runBeforeTests(LAB, RUN_TIMEOUT, { allowErrors: true });

  it("fails only with not-implemented errors", () => {
    expectOnlyNotImplementedFailures(student.run);
  });

  it("says 'not implemented yet' in every check", () => {
    const lines = checkLines(student.run.notebook);
    expect(lines).toHaveLength(CHECKS);
    for (const line of lines) expect(line).toMatch(/^✘ .*not implemented yet/);
  });

  it("runs the given cells (words, alphabet, results) without an error", () => {
    expectCellsOk(student.run, ["setup", "words", "alphabet", "results"]);
  });
});

describe("labs/tp4b-rnn.ipynb", () => {
  it("is exactly what release makes of the solution", () => {
    expectReleased(SOLUTION, LAB);
  });
});
