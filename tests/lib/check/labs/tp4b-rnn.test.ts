import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useBestBackend } from "../../../../lib/backend";
import { tp4b, Verdict, verdictLine } from "../../../../lib/check";
import { GRU, Linear, Module, nllLoss, crossEntropy, RNN as LibRNN } from "../../../../lib/nn";
import { Optimizer } from "../../../../lib/optim";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

/** A release stub, as kernel/release writes it. */
const stub = (what: string) => {
  throw new Error(`not implemented: ${what} (replace this line with your code)`);
};

/** Runs a check and also asserts it leaves no tensor behind. */
function run(check: () => Verdict): Verdict {
  const before = tf.memory().numTensors;
  const verdict = check();
  expect(tf.memory().numTensors).toBe(before);
  return verdict;
}

// ---------------------------------------------------------------------------

describe("tp4b.wordToTensor", () => {
  const ALPHABET = "abcdefghijklmnopqrstuvwxyzàéèñöüß";
  const right = (word: string) =>
    tf.tidy(() => tf.oneHot(tf.tensor1d([...word].map((c) => (ALPHABET.includes(c) ? ALPHABET.indexOf(c) : ALPHABET.length)), "int32"), ALPHABET.length + 1).toFloat().expandDims(1));
  const wrong = (m: keyof typeof tp4b.wordToTensorMistakes) => (word: string) => tp4b.wordToTensorMistakes[m](ALPHABET, word);

  it("passes the slide's lineToTensor with an unknown-character slot, printing one ✔ line", () => {
    const log = vi.mocked(console.log);
    log.mockClear();
    const v = run(() => tp4b.wordToTensor(right, ALPHABET));
    expect(v.ok).toBe(true);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toBe(`✔ wordToTensor: one-hot [length, 1, ${ALPHABET.length + 1}] float32, accented letters in the alphabet, unknown characters on the last slot`);
  });

  it("says 'not implemented yet' for the released stub", () => {
    const v = run(() => tp4b.wordToTensor(() => stub("wordToTensor"), ALPHABET));
    expect(v).toMatchObject({ ok: false, notImplemented: true, message: "wordToTensor: not implemented yet" });
  });

  it("names letterToIndex when wordToTensor is written but letterToIndex is still a stub", () => {
    const v = run(() => tp4b.wordToTensor(() => stub("letterToIndex"), ALPHABET));
    expect(v.message).toBe("wordToTensor (letterToIndex): not implemented yet");
  });

  it("sees the unknown character dropped (indexOf's −1)", () => {
    const v = run(() => tp4b.wordToTensor(wrong("unknownDropped"), ALPHABET));
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(/is not in the alphabet and its row is all zeros: indexOf gives −1 there; letterToIndex should give the unknown slot, N_LETTERS − 1 = 33/);
  });

  it("sees the alphabet without its unknown slot", () => {
    const v = run(() => tp4b.wordToTensor(wrong("noUnknownSlot"), ALPHABET));
    expect(v.message).toMatch(/has shape \[\d+,1,33\]; expected \[length, 1, N_LETTERS\]/);
    expect(v.hint).toMatch(/^one slot more than the alphabet's 33 letters/);
  });

  it("sees a one-hot over a–z only", () => {
    const v = run(() => tp4b.wordToTensor(wrong("asciiOnly"), ALPHABET));
    expect(v.hint).toMatch(/^the alphabet is not a–z only \(accents: àéèñöüß\)/);
  });

  it("sees the missing batch axis", () => {
    const v = run(() => tp4b.wordToTensor(wrong("noBatchAxis"), ALPHABET));
    expect(v.hint).toMatch(/\[length, 1, N_LETTERS\]: each letter is a batch of one.*expandDims\(1\)/);
  });

  it("sees tf.oneHot's int32 left as it is", () => {
    const v = run(() => tp4b.wordToTensor(wrong("int32"), ALPHABET));
    expect(v.message).toMatch(/has dtype int32; expected float32/);
    expect(v.hint).toMatch(/toFloat/);
  });

  it("sees indices counted from 1", () => {
    const v = run(() => tp4b.wordToTensor(wrong("offByOne"), ALPHABET));
    expect(v.hint).toMatch(/one column too far right/);
  });
});

// ---------------------------------------------------------------------------

/** The ways the slide's class gets written; all false is the slide's own. */
interface Variant {
  hiddenFirst?: boolean;
  noCarry?: boolean;
  initEachStep?: boolean;
  i2oNewHidden?: boolean;
  i2oHiddenOnly?: boolean;
  i2hInputOnly?: boolean;
  softmax?: boolean;
  noActivation?: boolean;
  logSoftmaxAxis0?: boolean;
  tanhHidden?: boolean;
  unregistered?: boolean;
  initHiddenReturns?: boolean;
  hiddenNoBatchAxis?: boolean;
  stubbed?: boolean;
}

function slideRNN(v: Variant = {}) {
  return class RNN extends Module {
    i2h: Linear;
    i2o: Linear;
    hidden!: tf.Tensor;

    constructor(readonly inputSize: number, readonly hiddenSize: number, readonly outputSize: number, seed = 0) {
      super();
      if (v.stubbed) stub("constructor");
      const i2h = new Linear(v.i2hInputOnly ? inputSize : inputSize + hiddenSize, hiddenSize, { seed });
      const i2o = new Linear(v.i2oHiddenOnly ? hiddenSize : inputSize + hiddenSize, outputSize, { seed: seed + 2 });
      this.i2h = v.unregistered ? i2h : this.registerModule("i2h", i2h);
      this.i2o = v.unregistered ? i2o : this.registerModule("i2o", i2o);
      if (!v.initHiddenReturns) this.initHidden();
    }

    dispose(): void {
      super.dispose();
      if (v.unregistered) [this.i2h, this.i2o].forEach((l) => l.dispose());
    }

    forward(input: tf.Tensor): tf.Tensor {
      if (v.initEachStep) this.initHidden();
      const cat = (x: tf.Tensor, h: tf.Tensor) => (v.hiddenFirst ? tf.concat([h, x], 1) : tf.concat([x, h], 1));
      const concat = v.i2hInputOnly ? input : cat(input, this.hidden);
      let hidden = this.i2h.forward(concat);
      if (v.tanhHidden) hidden = hidden.tanh();
      const output = this.i2o.forward(v.i2oHiddenOnly ? hidden : v.i2oNewHidden ? cat(input, hidden) : concat);
      if (!v.noCarry) this.hidden = hidden;
      if (v.softmax) return tf.softmax(output, 1);
      if (v.noActivation) return output;
      if (v.logSoftmaxAxis0) return output.sub(output.logSumExp(0, true));
      return tf.logSoftmax(output, 1);
    }

    initHidden(): tf.Tensor | void {
      const zeros = tf.zeros(v.hiddenNoBatchAxis ? [this.hiddenSize] : [1, this.hiddenSize]);
      if (v.initHiddenReturns) return zeros;
      this.hidden = zeros;
    }
  };
}

describe("tp4b.rnnClass", () => {
  it("passes the slide's class", () => {
    expect(run(() => tp4b.rnnClass(slideRNN())).ok).toBe(true);
  });

  it("passes concat(hidden, input) too: the same network with i2h's columns in another order", () => {
    const v = run(() => tp4b.rnnClass(slideRNN({ hiddenFirst: true })));
    expect(v.ok).toBe(true);
  });

  it("says 'not implemented yet' for the released stub", () => {
    const v = run(() => tp4b.rnnClass(slideRNN({ stubbed: true })));
    expect(v).toMatchObject({ ok: false, notImplemented: true, message: "RNN (constructor): not implemented yet" });
  });

  it("sees the hidden state not carried from letter to letter", () => {
    const v = run(() => tp4b.rnnClass(slideRNN({ noCarry: true })));
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/^RNN: outputs over a 4-letter word differ from log-softmax\(i2o\(concat\(input, hidden\)\)\)/);
    expect(v.hint).toMatch(/^the hidden state does not carry over from one letter to the next/);
  });

  it("sees initHidden called at each step", () => {
    expect(run(() => tp4b.rnnClass(slideRNN({ initEachStep: true }))).hint).toMatch(/^the hidden state does not carry over/);
  });

  it("sees i2o fed with the new hidden state in the concat", () => {
    expect(run(() => tp4b.rnnClass(slideRNN({ i2oNewHidden: true }))).hint).toMatch(/^i2o reads the same concat\(input, hidden\) as i2h, made before the hidden state is updated/);
  });

  it("sees i2o built on the new hidden state alone", () => {
    const v = run(() => tp4b.rnnClass(slideRNN({ i2oHiddenOnly: true })));
    expect(v.message).toBe("with inputSize 7, hiddenSize 5, outputSize 3, i2o reads 5 features; expected 12");
    expect(v.hint).toMatch(/^i2o reads the concatenation, as i2h does/);
  });

  it("sees i2h built on the input alone", () => {
    const v = run(() => tp4b.rnnClass(slideRNN({ i2hInputOnly: true })));
    expect(v.hint).toBe("i2h reads concat(input, hidden): inputSize + hiddenSize = 12 features, not inputSize alone");
  });

  it("sees softmax where the slide has log-softmax (softmax twice with crossEntropy)", () => {
    const v = run(() => tp4b.rnnClass(slideRNN({ softmax: true })));
    expect(v.hint).toMatch(/^your outputs sum to 1: that is softmax.*log-softmax.*softmax twice/);
  });

  it("sees the activation forgotten", () => {
    expect(run(() => tp4b.rnnClass(slideRNN({ noActivation: true }))).hint).toMatch(/^apply the activation to the output: log-softmax/);
  });

  it("sees log-softmax over the wrong axis", () => {
    expect(run(() => tp4b.rnnClass(slideRNN({ logSoftmaxAxis0: true }))).hint).toMatch(/^log-softmax over the classes, axis 1/);
  });

  it("sees a tanh on the hidden state the slide does not have", () => {
    expect(run(() => tp4b.rnnClass(slideRNN({ tanhHidden: true }))).hint).toMatch(/^the slide keeps the new hidden state as i2h\(concat\), with no activation/);
  });

  it("sees layers not registered, which the optimizer would never update", () => {
    const v = run(() => tp4b.rnnClass(slideRNN({ unregistered: true })));
    expect(v.message).toMatch(/^rnn.parameters\(\) does not hold i2h and i2o's weights/);
    expect(v.hint).toMatch(/registerModule\("i2h"/);
  });

  it("sees initHidden returning zeros (PyTorch tutorial style) instead of setting this.hidden", () => {
    const v = run(() => tp4b.rnnClass(slideRNN({ initHiddenReturns: true })));
    expect(v.message).toMatch(/^after initHidden\(\), rnn.hidden is undefined/);
    expect(v.hint).toMatch(/this.hidden = tf.zeros\(\[1, this.hiddenSize\]\)/);
  });

  it("sees a hidden state without its batch axis", () => {
    const v = run(() => tp4b.rnnClass(slideRNN({ hiddenNoBatchAxis: true })));
    expect(v.message).toBe("after initHidden(), rnn.hidden has shape [5]; expected [1,5]");
  });
});

// ---------------------------------------------------------------------------

type SlideClass = ReturnType<typeof slideRNN>;
type Slide = InstanceType<SlideClass>;

function trainWordRight(rnn: Slide, word: tf.Tensor, label: tf.Tensor, optimizer: Optimizer, loss = nllLoss): number {
  const value = optimizer.step(() => {
    rnn.initHidden();
    let output: tf.Tensor = tf.scalar(0);
    for (const letter of tf.unstack(word)) output = rnn.forward(letter);
    return loss(output, label) as tf.Scalar;
  });
  const n = value.dataSync()[0];
  value.dispose();
  return n;
}

describe("tp4b.trainWord", () => {
  const RNN = slideRNN();

  it("passes the slide's train()", () => {
    expect(run(() => tp4b.trainWord(trainWordRight, RNN)).ok).toBe(true);
  });

  it("passes crossEntropy on the log-softmax outputs: the same loss as nllLoss", () => {
    expect(run(() => tp4b.trainWord((r: Slide, w, l, o) => trainWordRight(r, w, l, o, crossEntropy), RNN)).ok).toBe(true);
  });

  it("says 'not implemented yet' for the stub, and for a stubbed RNN class", () => {
    expect(run(() => tp4b.trainWord(() => stub("trainWord"), RNN))).toMatchObject({ notImplemented: true, message: "trainWord: not implemented yet" });
    expect(run(() => tp4b.trainWord(trainWordRight, slideRNN({ stubbed: true })))).toMatchObject({ notImplemented: true });
  });

  it("sees the hidden state not reset between words", () => {
    const v = run(() => tp4b.trainWord(tp4b.trainWordMistakes.noReset, RNN));
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/^trainWord threw: /);
    expect(v.hint).toMatch(/^the hidden state of the previous word was freed when its step ended: start every word with rnn.initHidden\(\)/);
  });

  it("sees a loss over every letter instead of the last output", () => {
    const v = run(() => tp4b.trainWord(tp4b.trainWordMistakes.everyLetter, RNN));
    expect(v.message).toMatch(/^trainWord returned loss .* for word 1; expected /);
    expect(v.hint).toMatch(/× the slide's: the slide's loss is on the output after the last letter only/);
  });

  it("sees no optimizer step", () => {
    const v = run(() => tp4b.trainWord(tp4b.trainWordMistakes.noStep, RNN));
    expect(v.message).toBe("trainWord: after word 1, the parameters differ from the slide's step");
    expect(v.hint).toMatch(/^the parameters did not change/);
  });

  it("sees the loss tensor kept", () => {
    // The check counts the tensor it leaks; free it afterwards so that `run` sees none.
    const before = tf.memory().numTensors;
    const v = tp4b.trainWord(tp4b.trainWordMistakes.lossKept, RNN);
    expect(v.message).toBe("trainWord: each call leaves 1 tensor behind (tf.memory().numTensors grows)");
    expect(v.hint).toMatch(/loss.dispose\(\)/);
    expect(tf.memory().numTensors - before).toBe(1);
  });

  it("sees a tensor returned instead of a number", () => {
    const v = run(() =>
      tp4b.trainWord((rnn: Slide, word, label, optimizer) => {
        const loss = optimizer.step(() => {
          rnn.initHidden();
          let output: tf.Tensor = tf.scalar(0);
          for (const letter of tf.unstack(word)) output = rnn.forward(letter);
          return nllLoss(output, label) as tf.Scalar;
        });
        tf.dispose(loss);
        return loss as unknown as number;
      }, RNN),
    );
    expect(v.message).toMatch(/^trainWord returned a tensor of shape \[\]; expected the loss as a number/);
    expect(v.hint).toMatch(/dataSync\(\)\[0\]/);
  });
});

// ---------------------------------------------------------------------------

interface ClassifierVariant {
  timeFirst?: boolean;
  alwaysGru?: boolean;
  forward?: keyof typeof tp4b.classifierMistakes;
}

function classifier(v: ClassifierVariant = {}) {
  return class WordClassifier extends Module {
    rnn: GRU | LibRNN;
    fc: Linear;
    constructor(inputSize: number, hiddenSize: number, outputSize: number, cell: "gru" | "rnn" = "gru", seed = 0) {
      super();
      const args = { batchFirst: !v.timeFirst, seed };
      this.rnn = this.registerModule("rnn", cell === "gru" || v.alwaysGru ? new GRU(inputSize, hiddenSize, args) : new LibRNN(inputSize, hiddenSize, args));
      this.fc = this.registerModule("fc", new Linear(hiddenSize, outputSize, { seed: seed + 10 }));
    }
    forward(x: tf.Tensor): tf.Tensor {
      return tf.tidy(() => (v.forward ? tp4b.classifierMistakes[v.forward](this, x) : this.fc.forward(this.rnn.run(x).hN.squeeze([0]))));
    }
  };
}

describe("tp4b.wordClassifier", () => {
  it("passes a GRU / RNN with batchFirst and fc on the last hidden state", () => {
    expect(run(() => tp4b.wordClassifier(classifier())).ok).toBe(true);
  });

  it("sees batchFirst forgotten", () => {
    const v = run(() => tp4b.wordClassifier(classifier({ timeFirst: true })));
    expect(v.message).toBe("WordClassifier.forward on [4,6,6] gives [6,3]; expected [4,3]");
    expect(v.hint).toMatch(/batchFirst: true/);
  });

  it("sees a GRU where an RNN was asked for", () => {
    const v = run(() => tp4b.wordClassifier(classifier({ alwaysGru: true })));
    expect(v.message).toBe('WordClassifier with cell "rnn" has rnn = GRU; expected nn.RNN');
  });

  it.each([
    ["firstStep", /^that is the hidden state after the first step/],
    ["meanOverTime", /^the mean over the steps mixes in the padding steps/],
    ["softmax", /^return the scores \(logits\): nn.crossEntropy applies the softmax itself; softmax in forward as well applies it twice/],
    ["logSoftmax", /^return the scores \(logits\): nn.crossEntropy applies log-softmax itself/],
  ] as const)("sees %s", (mistake, hint) => {
    const v = run(() => tp4b.wordClassifier(classifier({ forward: mistake })));
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/^WordClassifier.forward differs from fc\(last hidden state\)/);
    expect(v.hint).toMatch(hint);
  });

  it("says 'not implemented yet' for the stub", () => {
    const Stubbed = class extends classifier() {
      forward(): tf.Tensor {
        return stub("forward");
      }
    };
    expect(run(() => tp4b.wordClassifier(Stubbed))).toMatchObject({ notImplemented: true, message: "WordClassifier (forward): not implemented yet" });
  });
});

// ---------------------------------------------------------------------------

describe("tp4b.predict", () => {
  const NAMES = ["English", "German", "French", "Spanish", "Italian"];
  const batch = (word: string) => tf.tidy(() => tf.oneHot(tf.tensor1d([...word].map((c) => c.charCodeAt(0) % 8), "int32"), 8).toFloat().expandDims(0));
  type Model = Parameters<Parameters<typeof tp4b.predict>[0]>[0];
  const leaked: tf.Tensor[] = [];

  function predictWith(options: { noSoftmax?: boolean; ascending?: boolean; percent?: boolean; fixedN?: number; leak?: boolean; shiftNames?: boolean; unbatched?: boolean } = {}) {
    return (model: Model, word: string, n = 3) => {
      const x = batch(word);
      const input = options.unbatched ? x.squeeze([0]) : x;
      const logits = model.forward(input);
      const scores = options.noSoftmax ? logits : tf.softmax(logits);
      const k = options.fixedN ?? n;
      const values = Array.from(scores.dataSync());
      tf.dispose([x, input, logits]);
      if (options.leak) leaked.push(scores);
      else scores.dispose();
      const order = values.map((p, i) => ({ p, i })).sort((a, b) => (options.ascending ? a.p - b.p : b.p - a.p)).slice(0, k);
      return order.map(({ p, i }) => ({ language: NAMES[(i + (options.shiftNames ? 1 : 0)) % NAMES.length], probability: options.percent ? 100 * p : p }));
    };
  }

  it("passes softmax + top-n, likeliest first", () => {
    expect(run(() => tp4b.predict(predictWith(), NAMES)).ok).toBe(true);
  });

  it("says 'not implemented yet' for the stub", () => {
    expect(run(() => tp4b.predict(() => stub("predict"), NAMES))).toMatchObject({ notImplemented: true, message: "predict: not implemented yet" });
  });

  it.each([
    ["raw logits", { noSoftmax: true }, /^those are the raw scores \(logits\): turn them into probabilities with tf.softmax first/],
    ["the least likely", { ascending: true }, /^those are the least likely: tf.topk gives the largest first/],
    ["percentages", { percent: true }, /^probabilities are between 0 and 1/],
    ["n ignored", { fixedN: 3 }, /^the n likeliest: tf.topk\(probabilities, n\)/],
    ["names shifted", { shiftNames: true }, /^the probabilities are right but not the names/],
    ["no batch axis", { unbatched: true }, /^the model takes a batch: one word is a batch of one/],
  ] as const)("sees %s", (_, options, hint) => {
    const v = run(() => tp4b.predict(predictWith(options), NAMES));
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(hint);
  });

  it("sees tensors left behind", () => {
    const before = tf.memory().numTensors;
    const v = tp4b.predict(predictWith({ leak: true }), NAMES);
    expect(v.message).toBe("predict: each call leaves 1 tensor behind");
    expect(v.hint).toMatch(/tf.tidy/);
    expect(tf.memory().numTensors - before).toBe(1);
    tf.dispose(leaked);
  });
});

// ---------------------------------------------------------------------------

describe("tp4b.Results and heldOutAccuracy", () => {
  it("says which result is missing, as a not-implemented error", () => {
    const results = new tp4b.Results<{ gru: { accuracy: number } }>();
    expect(() => results.get("gru")).toThrow(/^not implemented: "gru" has no result yet — the cell that makes it did not run to the end/);
    results.set("gru", { accuracy: 0.8 });
    expect(results.get("gru").accuracy).toBe(0.8);
  });

  it("holds the bar: ≥ 75% with ≥ 5 languages", () => {
    expect(tp4b.heldOutAccuracy(0.8, 5).ok).toBe(true);
    const low = tp4b.heldOutAccuracy(0.7, 5, { model: "the GRU" });
    expect(verdictLine(low)).toBe("✘ the GRU's held-out accuracy is 70.0% over 5 languages; the bar is 75% — did every check above pass? then train longer (epochs) or with a larger hidden state");
    expect(tp4b.heldOutAccuracy(0.9, 4).message).toMatch(/4 languages; the bar is 5 or more/);
  });

  it("reads the accuracy from Results, saying 'not implemented yet' while the model is not trained", () => {
    const results = new tp4b.Results<{ gru: { accuracy: number } }>();
    const v = tp4b.heldOutAccuracy(() => results.get("gru").accuracy, 5, { model: "the GRU" });
    expect(v).toMatchObject({ ok: false, notImplemented: true, message: "the GRU's held-out accuracy: not implemented yet (its training cell did not run to the end)" });
    results.set("gru", { accuracy: 0.8 });
    expect(tp4b.heldOutAccuracy(() => results.get("gru").accuracy, 5).ok).toBe(true);
  });
});
