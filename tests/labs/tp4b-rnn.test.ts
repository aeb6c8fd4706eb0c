/**
 * TP4b end to end, on the real kernel: the solution trains the slide's RNN
 * one word at a time and lib's batched RNN and GRU on real dictionary words,
 * the GRU past the bar (held-out accuracy ≥ 75% with ≥ 5 languages),
 * prints the top-3 languages of words and draws the confusion matrix; the
 * student version runs with every failure a "not implemented" one; labs/ is
 * exactly what release makes.
 */
import { describe, expect, it } from "vitest";
import type { CodeCell } from "../../jupyter/notebook";
import { RECORD_MIME, type RecordOutput } from "../../lib/check/record";
import { HELD_OUT_BAR, scoreHeldOut } from "../../course/labs/tp4b-rnn";
import { ALPHABET } from "../../course/labs/tp4b-rnn/reference";
import {
  labFiles,
  cellById,
  stdout,
  checkLines,
  charts,
  expectOnlyNotImplementedFailures,
  expectReleased,
  runBeforeTests,
  expectCellsOk,
  expectEveryCellOk,
  passedCheckLines,
} from "./helpers";

const { solution: SOLUTION, lab: LAB } = labFiles("tp4b-rnn");
/** About two CPU-minutes alone; many more on a busy 2-core machine. */
const RUN_TIMEOUT = 1_800_000;
const CHECKS = 6;
/** Each graded test cell and the record its hidden test shows. */
const RECORDS: Record<string, string> = {
  check1: "wordToTensor",
  check2: "RNN",
  check3: "trainWord",
  check4: "WordClassifier",
  "check-bar": "accuracy",
  check5: "predict",
};

const records = (cell: CodeCell): RecordOutput[] =>
  cell.outputs.flatMap((o) =>
    (o.output_type === "display_data" || o.output_type === "execute_result") && RECORD_MIME in o.data
      ? [o.data[RECORD_MIME] as unknown as RecordOutput]
      : [],
  );

describe("solutions/tp4b-rnn.ipynb on the kernel", () => {
  const solution = runBeforeTests(SOLUTION, RUN_TIMEOUT, { label: "tp4b solution" });

  it("runs every cell without an error", () => {
    expectEveryCellOk(solution.run);
  });

  it("passes every check it prints", () => {
    const lines = passedCheckLines(solution.run);
    expect(lines).toHaveLength(CHECKS);
  });

  it("shows, in every graded test cell, the record the grader compares, none of whose cases threw", () => {
    const graded = solution.run.notebook.cells
      .filter((c) => c.cell_type === "code" && c.metadata.nbgrader?.grade === true)
      .map((c) => c.id);
    expect(graded.sort()).toEqual(Object.keys(RECORDS).sort());
    for (const [id, name] of Object.entries(RECORDS)) {
      const shown = records(cellById(solution.run.notebook, id));
      expect(
        shown.map((r) => r.name),
        `records of cell '${id}'`,
      ).toEqual([name]);
      expect(shown[0].cases.length).toBeGreaterThan(0);
      for (const c of shown[0].cases) expect("value" in c, `'${name}': ${JSON.stringify(c).slice(0, 200)}`).toBe(true);
    }
  });

  it("clears the graded bar on held-out words with margin: the grader's scoring of its own record gives full marks", () => {
    const record = records(cellById(solution.run.notebook, "check-bar"))[0];
    const accuracy = record.cases.map((c) => {
      const { predicted, labels } = (c as { value: { predicted: { tensor: { values: number[] } }; labels: number[] } })
        .value;
      return predicted.tensor.values.filter((p, i) => p === labels[i]).length / labels.length;
    });
    console.log(
      `tp4b: the GRU's accuracy on the graded held-out samples: ${accuracy.map((a) => (100 * a).toFixed(1) + "%").join(", ")}`,
    );
    // Each sample alone clears the bar with room: another grading seed draws other words, not a worse model.
    for (const a of accuracy) expect(a).toBeGreaterThanOrEqual(HELD_OUT_BAR.accuracy + 0.03);
    const solutionRecords = new Map([["accuracy", record]]);
    expect(scoreHeldOut()(solutionRecords, solutionRecords)).toEqual({ fraction: 1, message: "" });
  });

  it("tokenizes over the ALPHABET the public checks were recorded for", () => {
    expect(stdout(cellById(solution.run.notebook, "alphabet"))).toContain(
      `ALPHABET (${[...ALPHABET].length} letters): ${ALPHABET}\n`,
    );
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
    const [slow, rnn, gru] = [
      accuracy(/the slide's RNN, one word at a time/),
      accuracy(/lib's nn.RNN, batched/),
      accuracy(/lib's nn.GRU, batched/),
    ];
    console.log(
      `tp4b: held-out accuracy over ${languages![2]} languages (${languages![1]} words): slide's RNN ${slow}%, batched RNN ${rnn}%, GRU ${gru}%`,
    );
    expect(gru).toBeGreaterThanOrEqual(75);
    // Every network has learnt something: well above chance (20% with 5 languages).
    for (const a of [slow, rnn]) expect(a).toBeGreaterThan(100 / Number(languages![2]) + 20);
  });

  it("prints the words per second of each way of training, and the speed-up", () => {
    for (const who of [
      "the slide's RNN, one word at a time",
      "lib's nn.RNN, batches of 128",
      "lib's nn.GRU, batches of 128",
    ]) {
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
