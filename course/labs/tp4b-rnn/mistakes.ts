/**
 * TP4b's typical mistakes, each a deliberately wrong implementation and the
 * hint for a student whose outputs equal its outputs. The `*Mistakes`
 * catalogues are what release records for the public checks; the other
 * wrong implementations here are caught by the checks' property tests
 * (a shape, a dtype, a leak) before any comparison, and serve the tests.
 */
import * as tf from "@tensorflow/tfjs";
import type {
  Predict,
  PredictCase,
  SlideRNNClass,
  TrainWord,
  WordClassifierClass,
  WordToTensorCase,
} from "../../../lib/check/labs/tp4b-rnn";
import { GRU, Linear, Module, nllLoss, RNN as LibRNN } from "../../../lib/nn";
import type { Mistake } from "../../lab";
import { ALPHABET, LANGUAGE_NAMES, letterToIndex, wordsToBatch, wordToTensor } from "./reference";

// ---------------------------------------------------------------------------
// wordToTensor

const oneHotRows = (indices: number[], depth: number) =>
  tf.tidy(() => tf.oneHot(tf.tensor1d(indices, "int32"), depth).toFloat().expandDims(1));

/** A wordToTensor over the notebook's ALPHABET, as the probe takes it. */
const tokenizer = (fn: (alphabet: string, word: string) => tf.Tensor): WordToTensorCase => ({
  alphabet: ALPHABET,
  wordToTensor: (word) => fn(ALPHABET, word),
});

export const wordToTensorMistakes: Record<string, Mistake<WordToTensorCase>> = {
  unknownDropped: {
    hint: "a character outside the alphabet has an all-zero row: indexOf gives −1 there; letterToIndex should give the unknown slot, N_LETTERS − 1",
    fn: tokenizer((alphabet, word) =>
      oneHotRows(
        [...word].map((c) => alphabet.indexOf(c)),
        alphabet.length + 1,
      ),
    ),
  },
  offByOne: {
    hint: "every 1 is one column too far right: letterToIndex is the position in ALPHABET, from 0",
    fn: tokenizer((alphabet, word) =>
      oneHotRows(
        [...word].map((c) => (letterToIndex(alphabet, c) + 1) % (alphabet.length + 1)),
        alphabet.length + 1,
      ),
    ),
  },
};

/** Tokenizers of the wrong shape or dtype: wordToTensor's property checks name them. */
export const wordToTensorShapes = {
  /** No slot for unknown characters. */
  noUnknownSlot: (word: string) =>
    oneHotRows(
      [...word].map((c) => Math.max(ALPHABET.indexOf(c), 0)),
      ALPHABET.length,
    ),
  /** The 26 letters a–z only. */
  asciiOnly: (word: string) =>
    oneHotRows(
      [...word].map((c) => Math.min(Math.max(c.charCodeAt(0) - 97, 0), 25)),
      26,
    ),
  /** [length, N_LETTERS]: no batch axis. */
  noBatchAxis: (word: string) => tf.tidy(() => wordToTensor(ALPHABET, word).squeeze([1])),
  /** tf.oneHot's int32, not float32. */
  int32: (word: string) =>
    tf.tidy(() =>
      tf
        .oneHot(
          tf.tensor1d(
            [...word].map((c) => letterToIndex(ALPHABET, c)),
            "int32",
          ),
          ALPHABET.length + 1,
        )
        .expandDims(1),
    ),
};

// ---------------------------------------------------------------------------
// The slide's RNN

/** The ways the slide's class gets written; all false is the slide's own. */
export interface RNNVariant {
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

/** The slide's class with the mistakes of `v`. */
export function slideRNN(v: RNNVariant = {}): SlideRNNClass {
  return class RNN extends Module {
    i2h: Linear;
    i2o: Linear;
    hidden!: tf.Tensor;

    constructor(
      readonly inputSize: number,
      readonly hiddenSize: number,
      readonly outputSize: number,
      seed = 0,
    ) {
      super();
      if (v.stubbed) throw new Error("not implemented: constructor (replace this line with your code)");
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

export const rnnMistakes: Record<string, Mistake<SlideRNNClass>> = {
  noCarry: {
    hint: "the hidden state does not carry over from one letter to the next: forward must save the new one (this.hidden = hidden), and only initHidden resets it",
    fn: slideRNN({ noCarry: true }),
  },
  initEachStep: {
    hint: "the hidden state does not carry over from one letter to the next: forward must not call initHidden (trainWord calls it once per word)",
    fn: slideRNN({ initEachStep: true }),
  },
  i2oNewHidden: {
    hint: "i2o reads the same concat(input, hidden) as i2h, made before the hidden state is updated (the slide computes output and hidden from one concat)",
    fn: slideRNN({ i2oNewHidden: true }),
  },
  softmax: {
    hint: "your outputs sum to 1: that is softmax. The slide's activation is log-softmax (nn.LogSoftmax(dim=1)), what nn.nllLoss expects; softmax, then a loss that applies it again, would apply softmax twice",
    fn: slideRNN({ softmax: true }),
  },
  noActivation: {
    hint: "apply the activation to the output: log-softmax over the classes, tf.logSoftmax(output, 1)",
    fn: slideRNN({ noActivation: true }),
  },
  logSoftmaxAxis0: {
    hint: "log-softmax over the classes, axis 1 (dim=1): over axis 0 of a [1, classes] row it gives all zeros",
    fn: slideRNN({ logSoftmaxAxis0: true }),
  },
  tanhHidden: {
    hint: "the slide keeps the new hidden state as i2h(concat), with no activation: the activation goes on the output (log-softmax)",
    fn: slideRNN({ tanhHidden: true }),
  },
  hiddenFirst: {
    hint: "concat(hidden, input) is the same network with the layers' columns in the other order, but the check sets the weights for the slide's order: tf.concat([input, this.hidden], 1)",
    fn: slideRNN({ hiddenFirst: true }),
  },
};

// ---------------------------------------------------------------------------
// trainWord

/** Runs every letter through the network from a fresh state; the last output. */
function lastOutput(rnn: Parameters<TrainWord>[0], word: tf.Tensor, reset = true): tf.Tensor {
  if (reset) rnn.initHidden();
  let output: tf.Tensor = tf.scalar(0);
  for (const letter of tf.unstack(word)) output = rnn.forward(letter);
  return output;
}

function readAndFree(loss: tf.Scalar): number {
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}

export const trainWordMistakes: Record<string, Mistake<TrainWord>> = {
  everyLetter: {
    hint: "the loss is summed over every letter: the slide's loss is on the output after the last letter only (criterion(output, category) once, after the loop)",
    fn: (rnn, word, label, optimizer) =>
      readAndFree(
        optimizer.step(() => {
          rnn.initHidden();
          return tf.addN(tf.unstack(word).map((letter) => nllLoss(rnn.forward(letter), label))) as tf.Scalar;
        }),
      ),
  },
  noStep: {
    hint: "the parameters did not change: take the step with optimizer.step(() => loss)",
    fn: (rnn, word, label) => tf.tidy(() => nllLoss(lastOutput(rnn, word), label).dataSync()[0]),
  },
};

/** trainWords that throw, leak or return the wrong thing: trainWord's error hints and property checks name them. */
export const trainWordFaults: Record<string, TrainWord> = {
  /** initHidden forgotten: the second word reads the first word's freed state. */
  noReset: (rnn, word, label, optimizer) =>
    readAndFree(optimizer.step(() => nllLoss(lastOutput(rnn, word, false), label) as tf.Scalar)),
  /** The loss read but never freed. */
  lossKept: (rnn, word, label, optimizer) =>
    optimizer.step(() => nllLoss(lastOutput(rnn, word), label) as tf.Scalar).dataSync()[0],
  /** The loss tensor returned (freed) instead of its value. */
  tensorReturned: (rnn, word, label, optimizer) => {
    const loss = optimizer.step(() => nllLoss(lastOutput(rnn, word), label) as tf.Scalar);
    loss.dispose();
    return loss;
  },
};

// ---------------------------------------------------------------------------
// WordClassifier

export interface ClassifierVariant {
  timeFirst?: boolean;
  alwaysGru?: boolean;
  unregistered?: boolean;
  forward?: "firstStep" | "meanOverTime" | "softmax" | "logSoftmax";
  stubbedForward?: boolean;
}

/** The lab's WordClassifier with the mistakes of `v`. */
export function classifier(v: ClassifierVariant = {}): WordClassifierClass {
  return class WordClassifier extends Module {
    rnn: GRU | LibRNN;
    fc: Linear;

    constructor(inputSize: number, hiddenSize: number, outputSize: number, cell: "gru" | "rnn" = "gru", seed = 0) {
      super();
      const args = { batchFirst: !v.timeFirst, seed };
      const rnn =
        cell === "gru" || v.alwaysGru ? new GRU(inputSize, hiddenSize, args) : new LibRNN(inputSize, hiddenSize, args);
      const fc = new Linear(hiddenSize, outputSize, { seed: seed + 10 });
      this.rnn = v.unregistered ? rnn : this.registerModule("rnn", rnn);
      this.fc = v.unregistered ? fc : this.registerModule("fc", fc);
    }

    dispose(): void {
      super.dispose();
      if (v.unregistered) [this.rnn, this.fc].forEach((l) => l.dispose());
    }

    forward(x: tf.Tensor): tf.Tensor {
      if (v.stubbedForward) throw new Error("not implemented: forward (replace this line with your code)");
      return tf.tidy(() => {
        const { output, hN } = this.rnn.run(x);
        const last = () => this.fc.forward(hN.squeeze([0]));
        switch (v.forward) {
          case "firstStep":
            return this.fc.forward(output.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]));
          case "meanOverTime":
            return this.fc.forward(output.mean(1));
          case "softmax":
            return tf.softmax(last());
          case "logSoftmax":
            return tf.logSoftmax(last());
          default:
            return last();
        }
      });
    }
  };
}

export const classifierMistakes: Record<string, Mistake<WordClassifierClass>> = {
  firstStep: {
    hint: "that is the hidden state after the first step, which has read only the padding or a letter: the last one (hN, or output at the last step) has read the whole word",
    fn: classifier({ forward: "firstStep" }),
  },
  meanOverTime: {
    hint: "the mean over the steps mixes in the padding steps: classify from the last hidden state (hN), which has read the whole word",
    fn: classifier({ forward: "meanOverTime" }),
  },
  softmax: {
    hint: "return the scores (logits): nn.crossEntropy applies the softmax itself; softmax in forward as well applies it twice",
    fn: classifier({ forward: "softmax" }),
  },
  logSoftmax: {
    hint: "return the scores (logits): nn.crossEntropy applies log-softmax itself, so log-softmax in forward is applied twice (harmless for the loss, but predict's softmax would be of log-probabilities)",
    fn: classifier({ forward: "logSoftmax" }),
  },
};

// ---------------------------------------------------------------------------
// predict

export interface PredictVariant {
  noSoftmax?: boolean;
  ascending?: boolean;
  reversed?: boolean;
  percent?: boolean;
  fixedN?: number;
  leak?: boolean;
  shiftNames?: boolean;
  unbatched?: boolean;
}

/** The lab's predict with the mistakes of `v`. */
export function predictWith(v: PredictVariant = {}): Predict {
  return (model, word, n = 3) => {
    const x = wordsToBatch([word]);
    const input = v.unbatched ? x.squeeze([0]) : x;
    const logits = model.forward(input);
    const scores = v.noSoftmax ? logits : tf.softmax(logits);
    const values = Array.from(scores.dataSync());
    tf.dispose([x, input, logits]);
    if (!v.leak) scores.dispose();
    const byScore = values.map((p, i) => ({ p, i })).sort((a, b) => (v.ascending ? a.p - b.p : b.p - a.p));
    const top = byScore.slice(0, v.fixedN ?? n);
    if (v.reversed) top.reverse();
    return top.map(({ p, i }) => ({
      language: LANGUAGE_NAMES[(i + (v.shiftNames ? 1 : 0)) % LANGUAGE_NAMES.length],
      probability: v.percent ? 100 * p : p,
    }));
  };
}

const guessing = (v: PredictVariant): PredictCase => ({ classNames: LANGUAGE_NAMES, predict: predictWith(v) });

export const predictMistakes: Record<string, Mistake<PredictCase>> = {
  noSoftmax: {
    hint: "those are the raw scores (logits): turn them into probabilities with tf.softmax first",
    fn: guessing({ noSoftmax: true }),
  },
  ascending: { hint: "those are the least likely: tf.topk gives the largest first", fn: guessing({ ascending: true }) },
  reversed: { hint: "likeliest first: tf.topk sorts from the largest", fn: guessing({ reversed: true }) },
  percent: {
    hint: "probabilities are between 0 and 1: print them as percentages, but return them as fractions",
    fn: guessing({ percent: true }),
  },
  shiftNames: {
    hint: "the probabilities are right but not the names: the language of index i is LANGUAGE_NAMES[i] (topk's indices)",
    fn: guessing({ shiftNames: true }),
  },
};
