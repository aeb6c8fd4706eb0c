/**
 * TP4b's checks: each passes the reference (course/labs/tp4b-rnn), says "not
 * implemented yet" for a released lab's stub, and answers every known
 * mistake (a deliberately wrong implementation) with the hint that names it,
 * through the public check and the records shipped with the kit. No check
 * and no probe leaks tensors; the kit's module holds no solution; the
 * grader's scoring of the trained GRU reads the solution's labels.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useBestBackend } from "../../../../lib/backend";
import { tp4b, Verdict, verdictLine } from "../../../../lib/check";
import * as tp4bModule from "../../../../lib/check/labs/tp4b-rnn";
import type { RecordOutput } from "../../../../lib/check/record";
import { runCase, toRecorded, type RecordedCase } from "../../../../lib/check/recorded";
import { crossEntropy, Linear, manualSeed } from "../../../../lib/nn";
import { tp4b as course, HELD_OUT_BAR, scoreHeldOut } from "../../../../course/labs/tp4b-rnn";
import * as M from "../../../../course/labs/tp4b-rnn/mistakes";
import * as reference from "../../../../course/labs/tp4b-rnn/reference";
import { describeWhatShips } from "./shipped";

beforeAll(async () => {
  await useBestBackend({ backend: "wasm", quiet: true });
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

/** What a released lab has where the solution was (course/release's stub). */
const stub = (what: string): never => {
  throw new Error(`not implemented: ${what} (replace this line with your code)`);
};

/** Runs a check and asserts it leaves no tensor behind. */
function run(check: () => Verdict): Verdict {
  const before = tf.memory().numTensors;
  const verdict = check();
  expect(tf.memory().numTensors).toBe(before);
  return verdict;
}

const { ALPHABET, LANGUAGE_NAMES } = reference;

// ---------------------------------------------------------------------------

describeWhatShips(course, tp4bModule, [
  "HELD_OUT_SAMPLE",
  "Results",
  "heldOutAccuracy",
  "predict",
  "probes",
  "rnnClass",
  "trainWord",
  "wordClassifier",
  "wordToTensor",
]);

describe("lib/check/labs/tp4b-rnn's probes", () => {
  it("probes every graded function and the trained GRU", () => {
    expect(Object.keys(tp4b.probes).sort()).toEqual([
      "heldOut",
      "predict",
      "rnnClass",
      "trainWord",
      "wordClassifier",
      "wordToTensor",
    ]);
  });
});

describe("probes", () => {
  const SEED = 1_000_000;

  it("keep tf.memory().numTensors flat when run as a case (references and leaky mistakes alike)", () => {
    const runs: [string, () => unknown][] = [
      ["wordToTensor", () => tp4b.probes.wordToTensor.run(reference.wordToTensorCase, SEED)],
      ["rnnClass", () => tp4b.probes.rnnClass.run(reference.RNN, SEED)],
      ["trainWord", () => tp4b.probes.trainWord.run(reference.trainWord, SEED)],
      ["trainWord, loss kept", () => tp4b.probes.trainWord.run(M.trainWordFaults.lossKept, SEED)],
      ["wordClassifier", () => tp4b.probes.wordClassifier.run(reference.WordClassifier, SEED)],
      ["predict", () => tp4b.probes.predict.run(reference.predictCase, SEED)],
      [
        "predict, leaking",
        () => tp4b.probes.predict.run({ classNames: LANGUAGE_NAMES, predict: M.predictWith({ leak: true }) }, SEED),
      ],
    ];
    for (const [name, probe] of runs) {
      const before = tf.memory().numTensors;
      const outcome = runCase(probe);
      expect("value" in outcome, `${name}: ${JSON.stringify(outcome).slice(0, 200)}`).toBe(true);
      expect(tf.memory().numTensors, name).toBe(before);
    }
  });

  it("record what the leaky mistakes leave behind, so the grader sees the leak", () => {
    const leaks = (outcome: RecordedCase) => JSON.stringify(outcome).match(/"leaked":(\d+)/g);
    expect(leaks(runCase(() => tp4b.probes.trainWord.run(M.trainWordFaults.lossKept, SEED)))).toEqual([
      '"leaked":1',
      '"leaked":1',
      '"leaked":1',
    ]);
    expect(
      leaks(
        runCase(() =>
          tp4b.probes.predict.run({ classNames: LANGUAGE_NAMES, predict: M.predictWith({ leak: true }) }, SEED),
        ),
      ),
    ).toEqual(['"leaked":1']);
  });

  it("do not move nn's seed sequence: the notebook's later layers get the weights they would get without the check", () => {
    const weightsAfter = (between: () => void) => {
      manualSeed(42);
      between();
      const layer = new Linear(3, 2);
      const values = Array.from(layer.weight.dataSync());
      layer.dispose();
      return values;
    };
    const untouched = weightsAfter(() => undefined);
    // Classes that build their layers without a seed, as a student's might.
    const Unseeded = M.classifier();
    expect(weightsAfter(() => runCase(() => tp4b.probes.wordClassifier.run(Unseeded, SEED)))).toEqual(untouched);
    expect(weightsAfter(() => runCase(() => tp4b.probes.rnnClass.run(reference.RNN, SEED)))).toEqual(untouched);
  });

  it("draw their inputs from the seed: two grading seeds, two different records", () => {
    const recorded = (seed: number) => JSON.stringify(runCase(() => tp4b.probes.rnnClass.run(reference.RNN, seed)));
    expect(recorded(SEED)).toBe(recorded(SEED));
    expect(recorded(SEED)).not.toBe(recorded(SEED + 7919));
  });

  it("set the weights themselves: an RNN built with other seeds for its layers records the same outputs", () => {
    const OtherSeeds = class extends reference.RNN {
      constructor(inputSize: number, hiddenSize: number, outputSize: number, seed = 0) {
        super(inputSize, hiddenSize, outputSize, seed + 100);
      }
    };
    const record = (cls: typeof reference.RNN) => runCase(() => tp4b.probes.rnnClass.run(cls, SEED));
    expect(record(OtherSeeds)).toEqual(record(reference.RNN));
  });
});

// ---------------------------------------------------------------------------

describe("tp4b.wordToTensor", () => {
  const right = (word: string) => reference.wordToTensor(ALPHABET, word);
  const wrong = (m: string) => M.wordToTensorMistakes[m];

  it("passes the slide's lineToTensor with an unknown-character slot, printing one ✔ line", () => {
    const log = vi.mocked(console.log);
    log.mockClear();
    const v = run(() => tp4b.wordToTensor(right, ALPHABET));
    expect(v.ok).toBe(true);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toBe("✔ wordToTensor: matches the reference on 2 random inputs");
  });

  it("says 'not implemented yet' for the released stub", () => {
    const v = run(() => tp4b.wordToTensor(() => stub("wordToTensor"), ALPHABET));
    expect(v).toMatchObject({ ok: false, notImplemented: true, message: "wordToTensor: not implemented yet" });
  });

  it("names letterToIndex when wordToTensor is written but letterToIndex is still a stub", () => {
    const v = run(() => tp4b.wordToTensor(() => stub("letterToIndex"), ALPHABET));
    expect(v.message).toBe("wordToTensor: letterToIndex is not implemented yet");
  });

  it("sees the unknown character dropped (indexOf's −1)", () => {
    const v = run(() => tp4b.wordToTensor(wrong("unknownDropped").fn.wordToTensor, ALPHABET));
    expect(v.ok).toBe(false);
    expect(v.hint).toBe(wrong("unknownDropped").hint);
    expect(v.hint).toMatch(/all-zero row: indexOf gives −1 there; letterToIndex should give the unknown slot/);
  });

  it("sees indices counted from 1", () => {
    expect(run(() => tp4b.wordToTensor(wrong("offByOne").fn.wordToTensor, ALPHABET)).hint).toMatch(
      /one column too far right/,
    );
  });

  it("sees the alphabet without its unknown slot", () => {
    const v = run(() => tp4b.wordToTensor(M.wordToTensorShapes.noUnknownSlot, ALPHABET));
    expect(v.message).toMatch(/has shape \[\d+,1,51\]; expected \[length, 1, N_LETTERS\] = \[\d+,1,52\]/);
    expect(v.hint).toMatch(/^one slot more than the alphabet's 51 letters/);
  });

  it("sees a one-hot over a–z only", () => {
    expect(run(() => tp4b.wordToTensor(M.wordToTensorShapes.asciiOnly, ALPHABET)).hint).toMatch(
      /^the alphabet is not a–z only \(accents: ßàá/,
    );
  });

  it("sees the missing batch axis", () => {
    expect(run(() => tp4b.wordToTensor(M.wordToTensorShapes.noBatchAxis, ALPHABET)).hint).toMatch(
      /\[length, 1, N_LETTERS\]: each letter is a batch of one.*expandDims\(1\)/,
    );
  });

  it("sees tf.oneHot's int32 left as it is", () => {
    const v = run(() => tp4b.wordToTensor(M.wordToTensorShapes.int32, ALPHABET));
    expect(v.message).toMatch(/has dtype int32; expected float32/);
    expect(v.hint).toMatch(/toFloat/);
  });

  it("says it cannot compare when LANGUAGES (so ALPHABET) were changed, rather than blaming right code", () => {
    const alphabet = ALPHABET + "ãõ";
    const v = run(() => tp4b.wordToTensor((word) => reference.wordToTensor(alphabet, word), alphabet));
    expect(v.message).toMatch(/^wordToTensor: cannot check: ALPHABET is ".*ãõ", not the notebook's/);
    expect(v.hint).toMatch(/put them back to check/);
  });
});

// ---------------------------------------------------------------------------

describe("tp4b.rnnClass", () => {
  it("passes the slide's class, whatever seeds its constructor gives the layers", () => {
    expect(run(() => tp4b.rnnClass(reference.RNN)).ok).toBe(true);
    expect(run(() => tp4b.rnnClass(M.slideRNN())).ok).toBe(true);
  });

  it("says 'not implemented yet' for the released stub", () => {
    const v = run(() => tp4b.rnnClass(M.slideRNN({ stubbed: true })));
    expect(v).toMatchObject({ ok: false, notImplemented: true, message: "RNN: constructor is not implemented yet" });
  });

  it.each(Object.keys(M.rnnMistakes))("names the mistake %s from the recorded outputs", (name) => {
    const v = run(() => tp4b.rnnClass(M.rnnMistakes[name].fn));
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/^RNN .* (differs from the reference|has shape)/);
    expect(v.hint).toBe(M.rnnMistakes[name].hint);
  });

  it("sees the hidden state not carried from letter to letter", () => {
    expect(run(() => tp4b.rnnClass(M.rnnMistakes.noCarry.fn)).hint).toMatch(
      /^the hidden state does not carry over from one letter to the next/,
    );
  });

  it("sees i2o built on the new hidden state alone", () => {
    const v = run(() => tp4b.rnnClass(M.slideRNN({ i2oHiddenOnly: true })));
    expect(v.message).toBe("with inputSize 7, hiddenSize 5, outputSize 3, i2o reads 5 features; expected 12");
    expect(v.hint).toMatch(/^i2o reads the concatenation, as i2h does/);
  });

  it("sees i2h built on the input alone", () => {
    const v = run(() => tp4b.rnnClass(M.slideRNN({ i2hInputOnly: true })));
    expect(v.hint).toBe("i2h reads concat(input, hidden): inputSize + hiddenSize = 12 features, not inputSize alone");
  });

  it("sees layers not registered, which the optimizer would never update", () => {
    const v = run(() => tp4b.rnnClass(M.slideRNN({ unregistered: true })));
    expect(v.message).toMatch(/^rnn.parameters\(\) does not hold i2h and i2o's weights/);
    expect(v.hint).toMatch(/registerModule\("i2h"/);
  });

  it("sees initHidden returning zeros (PyTorch tutorial style) instead of setting this.hidden", () => {
    const v = run(() => tp4b.rnnClass(M.slideRNN({ initHiddenReturns: true })));
    expect(v.message).toMatch(/^after initHidden\(\), rnn.hidden is undefined/);
    expect(v.hint).toMatch(/this.hidden = tf.zeros\(\[1, this.hiddenSize\]\)/);
  });

  it("sees a hidden state without its batch axis", () => {
    const v = run(() => tp4b.rnnClass(M.slideRNN({ hiddenNoBatchAxis: true })));
    expect(v.message).toBe("after initHidden(), rnn.hidden has shape [5]; expected [1,5]");
  });
});

// ---------------------------------------------------------------------------

describe("tp4b.trainWord", () => {
  it("passes the slide's train()", () => {
    expect(run(() => tp4b.trainWord(reference.trainWord)).ok).toBe(true);
  });

  it("passes crossEntropy on the log-softmax outputs: the same loss as nllLoss", () => {
    const withCrossEntropy: tp4bModule.TrainWord = (rnn, word, label, optimizer) => {
      const loss = optimizer.step(() => {
        rnn.initHidden();
        let output: tf.Tensor = tf.scalar(0);
        for (const letter of tf.unstack(word)) output = rnn.forward(letter);
        return crossEntropy(output, label) as tf.Scalar;
      });
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    };
    expect(run(() => tp4b.trainWord(withCrossEntropy)).ok).toBe(true);
  });

  it("says 'not implemented yet' for the stub", () => {
    expect(run(() => tp4b.trainWord(() => stub("trainWord")))).toMatchObject({
      notImplemented: true,
      message: "trainWord: not implemented yet",
    });
  });

  it("sees the hidden state not reset between words", () => {
    // Not run(): a loss function that throws inside optimizer.step leaves the tensors tfjs kept for the gradient.
    const v = tp4b.trainWord(M.trainWordFaults.noReset);
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/^trainWord threw: /);
    expect(v.hint).toMatch(
      /^the hidden state of the previous word was freed when its step ended: start every word with rnn.initHidden\(\)/,
    );
  });

  it.each(Object.keys(M.trainWordMistakes))("names the mistake %s from the recorded outputs", (name) => {
    const v = run(() => tp4b.trainWord(M.trainWordMistakes[name].fn));
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/^trainWord .* differs from the reference/);
    expect(v.hint).toBe(M.trainWordMistakes[name].hint);
  });

  it("sees the loss tensor kept, and frees it itself", () => {
    const v = run(() => tp4b.trainWord(M.trainWordFaults.lossKept));
    expect(v.message).toBe("trainWord: each call leaves 1 tensor behind (tf.memory().numTensors grows)");
    expect(v.hint).toMatch(/loss.dispose\(\)/);
  });

  it("sees a tensor returned instead of a number", () => {
    const v = run(() => tp4b.trainWord(M.trainWordFaults.tensorReturned));
    expect(v.message).toBe("trainWord returned a tensor; expected the loss as a number");
    expect(v.hint).toMatch(/dataSync\(\)\[0\]/);
  });
});

// ---------------------------------------------------------------------------

describe("tp4b.wordClassifier", () => {
  it("passes a GRU / RNN with batchFirst and fc on the last hidden state", () => {
    expect(run(() => tp4b.wordClassifier(reference.WordClassifier)).ok).toBe(true);
    expect(run(() => tp4b.wordClassifier(M.classifier())).ok).toBe(true);
  });

  it("sees batchFirst forgotten", () => {
    const v = run(() => tp4b.wordClassifier(M.classifier({ timeFirst: true })));
    expect(v.message).toBe("WordClassifier.forward on [4,6,6] gives [6,3]; expected [4,3]");
    expect(v.hint).toMatch(/batchFirst: true/);
  });

  it("sees a GRU where an RNN was asked for", () => {
    const v = run(() => tp4b.wordClassifier(M.classifier({ alwaysGru: true })));
    expect(v.message).toBe('WordClassifier with cell "rnn" has rnn = GRU; expected nn.RNN');
  });

  it("sees layers not registered", () => {
    const v = run(() => tp4b.wordClassifier(M.classifier({ unregistered: true })));
    expect(v.message).toBe(
      "model.parameters() does not hold rnn and fc's parameters: the optimizer would never update them",
    );
  });

  it.each(Object.keys(M.classifierMistakes))("names the mistake %s from the recorded outputs", (name) => {
    const v = run(() => tp4b.wordClassifier(M.classifierMistakes[name].fn));
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/^WordClassifier .*logits differs from the reference/);
    expect(v.hint).toBe(M.classifierMistakes[name].hint);
  });

  it("says 'not implemented yet' for the stub", () => {
    expect(run(() => tp4b.wordClassifier(M.classifier({ stubbedForward: true })))).toMatchObject({
      notImplemented: true,
      message: "WordClassifier: forward is not implemented yet",
    });
  });
});

// ---------------------------------------------------------------------------

describe("tp4b.predict", () => {
  it("passes softmax + top-n, likeliest first", () => {
    expect(run(() => tp4b.predict(reference.predict, LANGUAGE_NAMES)).ok).toBe(true);
  });

  it("says 'not implemented yet' for the stub", () => {
    expect(run(() => tp4b.predict(() => stub("predict"), LANGUAGE_NAMES))).toMatchObject({
      notImplemented: true,
      message: "predict: not implemented yet",
    });
  });

  it.each(Object.keys(M.predictMistakes))("names the mistake %s from the recorded outputs", (name) => {
    const v = run(() => tp4b.predict(M.predictMistakes[name].fn.predict, LANGUAGE_NAMES));
    expect(v.ok).toBe(false);
    expect(v.hint).toBe(M.predictMistakes[name].hint);
  });

  it.each([
    ["n ignored", { fixedN: 3 }, /^the n likeliest: tf.topk\(probabilities, n\)/],
    ["no batch axis", { unbatched: true }, /^the model takes a batch: one word is a batch of one/],
  ] as const)("sees %s", (_, options, hint) => {
    const v = run(() => tp4b.predict(M.predictWith(options), LANGUAGE_NAMES));
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(hint);
  });

  it("sees tensors left behind, and frees them itself", () => {
    const v = run(() => tp4b.predict(M.predictWith({ leak: true }), LANGUAGE_NAMES));
    expect(v.message).toBe("predict: each call leaves 1 tensor behind");
    expect(v.hint).toMatch(/tf.tidy/);
  });

  it("says it cannot compare when LANGUAGES were changed", () => {
    const names = [...LANGUAGE_NAMES, "Dutch"];
    const v = run(() => tp4b.predict(reference.predict, names));
    expect(v.message).toMatch(
      /^predict: cannot check: LANGUAGE_NAMES is "English, German, French, Spanish, Italian, Dutch"/,
    );
  });
});

// ---------------------------------------------------------------------------

describe("scoring check_accuracy (in the grader's process)", () => {
  const SEED = 1_000_000;
  const labels = Array.from({ length: 100 }, (_, i) => i % 5);
  /** A record of the held-out probe: `right` of 100 predictions equal the labels. */
  const record = (right: number, recordedLabels = labels): RecordOutput => ({
    name: "accuracy",
    seed: SEED,
    cases: [
      { value: toRecorded({ predicted: labels.map((l, i) => (i < right ? l : (l + 1) % 5)), labels: recordedLabels }) },
    ],
  });
  const score = (student: RecordOutput | undefined, solution = record(100)) =>
    scoreHeldOut()(new Map([["accuracy", student]]), new Map([["accuracy", solution]]));

  it("gives full marks at the bar and none below it", () => {
    expect(HELD_OUT_BAR.accuracy).toBe(0.75);
    expect(score(record(75))).toEqual({ fraction: 1, message: "" });
    expect(score(record(74))).toEqual({
      fraction: 0,
      message: "the GRU's held-out accuracy is 74.0% of 100 held-out words over 5 languages; the bar is 75%",
    });
  });

  it("reads the labels from the solution's record, never the student's (which they could fill with their own predictions)", () => {
    const forged = record(10);
    forged.cases = [
      { value: toRecorded({ predicted: labels.map((l) => (l + 1) % 5), labels: labels.map((l) => (l + 1) % 5) }) },
    ];
    expect(score(forged).fraction).toBe(0);
  });

  it("gives nothing for a missing record or one of another seed", () => {
    expect(score(undefined).message).toMatch(/'accuracy' recorded nothing/);
    expect(score({ ...record(100), seed: SEED + 1 }).fraction).toBe(0);
  });

  it("gives nothing when the trained model's case threw (its training cell did not run)", () => {
    expect(
      score({ name: "accuracy", seed: SEED, cases: [{ error: 'not implemented: "gru" has no result yet' }] }).fraction,
    ).toBe(0);
  });

  it("is the scoring of check_accuracy; every other test cell is compared case by case", () => {
    expect(Object.keys(course.scoring ?? {})).toEqual(["check_accuracy"]);
  });
});

// ---------------------------------------------------------------------------

describe("tp4b.Results and heldOutAccuracy", () => {
  it("says which result is missing, as a not-implemented error", () => {
    const results = new tp4b.Results<{ gru: { accuracy: number } }>();
    expect(() => results.get("gru")).toThrow(
      /^not implemented: "gru" has no result yet — the cell that makes it did not run to the end/,
    );
    results.set("gru", { accuracy: 0.8 });
    expect(results.get("gru").accuracy).toBe(0.8);
  });

  it("holds the bar: ≥ 75% with ≥ 5 languages", () => {
    expect(tp4b.heldOutAccuracy(0.8, 5).ok).toBe(true);
    const low = tp4b.heldOutAccuracy(0.7, 5, { model: "the GRU" });
    expect(verdictLine(low)).toBe(
      "✘ the GRU's held-out accuracy is 70.0% over 5 languages; the bar is 75% — did every check above pass? then train longer (epochs) or with a larger hidden state",
    );
    expect(tp4b.heldOutAccuracy(0.9, 4).message).toMatch(/4 languages; the bar is 5 or more/);
  });

  it("reads the accuracy from Results, saying 'not implemented yet' while the model is not trained", () => {
    const results = new tp4b.Results<{ gru: { accuracy: number } }>();
    const v = tp4b.heldOutAccuracy(() => results.get("gru").accuracy, 5, { model: "the GRU" });
    expect(v).toMatchObject({
      ok: false,
      notImplemented: true,
      message: "the GRU's held-out accuracy: not implemented yet (its training cell did not run to the end)",
    });
    results.set("gru", { accuracy: 0.8 });
    expect(tp4b.heldOutAccuracy(() => results.get("gru").accuracy, 5).ok).toBe(true);
  });
});
