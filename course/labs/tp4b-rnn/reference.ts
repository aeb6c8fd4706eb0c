/**
 * TP4b's references, as the solution notebook writes them: release runs
 * them through lib/check/labs/tp4b-rnn's probes and ships only the outputs.
 */
import * as tf from "@tensorflow/tfjs";
import type { PredictCase, PredictModel, TrainableRNN, WordToTensorCase } from "../../../lib/check/labs/tp4b-rnn";
import { GRU, Linear, Module, nllLoss, RNN as LibRNN } from "../../../lib/nn";
import type { Optimizer } from "../../../lib/optim";

/**
 * The notebook's ALPHABET: every character of its training words (the
 * locked cells "words" and "alphabet"). The public checks of wordToTensor
 * are recorded for it; tests/labs/tp4b-rnn checks that the notebook prints it.
 */
export const ALPHABET = "abcdefghijklmnopqrstuvwxyzßàáâäæçèéêëìíîïñòóôöùúûüœ";

/** The notebook's LANGUAGE_NAMES (LANGUAGES en, de, fr, es, it). */
export const LANGUAGE_NAMES = ["English", "German", "French", "Spanish", "Italian"];

/** The notebook's MAX_LENGTH: wordsToBatch pads to it. */
const MAX_LENGTH = 10;

// ---------------------------------------------------------------------------
// TODO 1: letterToIndex, wordToTensor

export function letterToIndex(alphabet: string, letter: string): number {
  const index = alphabet.indexOf(letter);
  return index < 0 ? alphabet.length : index;
}

export function wordToTensor(alphabet: string, word: string): tf.Tensor {
  return tf.tidy(() =>
    tf
      .oneHot(
        tf.tensor1d(
          [...word].map((c) => letterToIndex(alphabet, c)),
          "int32",
        ),
        alphabet.length + 1,
      )
      .toFloat()
      .expandDims(1),
  );
}

export const wordToTensorCase: WordToTensorCase = {
  alphabet: ALPHABET,
  wordToTensor: (word) => wordToTensor(ALPHABET, word),
};

// ---------------------------------------------------------------------------
// TODO 2: the slide's RNN

export class RNN extends Module {
  i2h: Linear;
  i2o: Linear;
  activation: (x: tf.Tensor) => tf.Tensor;
  hidden!: tf.Tensor;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    readonly outputSize: number,
    seed = 0,
  ) {
    super();
    this.i2h = this.registerModule("i2h", new Linear(inputSize + hiddenSize, hiddenSize, { seed }));
    this.i2o = this.registerModule("i2o", new Linear(inputSize + hiddenSize, outputSize, { seed: seed + 2 }));
    this.activation = (x) => tf.logSoftmax(x, 1);
    this.initHidden();
  }

  forward(input: tf.Tensor): tf.Tensor {
    const concat = tf.concat([input, this.hidden], 1);
    const output = this.i2o.forward(concat);
    this.hidden = this.i2h.forward(concat);
    return this.activation(output);
  }

  initHidden(): void {
    this.hidden = tf.zeros([1, this.hiddenSize]);
  }
}

// ---------------------------------------------------------------------------
// TODO 3: trainWord

export function trainWord(rnn: TrainableRNN, word: tf.Tensor, label: tf.Tensor, optimizer: Optimizer): number {
  const loss = optimizer.step(() => {
    rnn.initHidden();
    let output: tf.Tensor = tf.scalar(0);
    for (const letter of tf.unstack(word)) output = rnn.forward(letter);
    return nllLoss(output, label) as tf.Scalar;
  });
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}

// ---------------------------------------------------------------------------
// TODO 4: WordClassifier

export class WordClassifier extends Module {
  rnn: GRU | LibRNN;
  fc: Linear;

  constructor(
    inputSize: number,
    hiddenSize: number,
    outputSize: number,
    readonly cell: "gru" | "rnn" = "gru",
    seed = 0,
  ) {
    super();
    const args = { batchFirst: true, seed };
    this.rnn = this.registerModule(
      "rnn",
      cell === "gru" ? new GRU(inputSize, hiddenSize, args) : new LibRNN(inputSize, hiddenSize, args),
    );
    this.fc = this.registerModule("fc", new Linear(hiddenSize, outputSize, { seed: seed + 10 }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc.forward(this.rnn.run(x).hN.squeeze([0])));
  }
}

// ---------------------------------------------------------------------------
// TODO 5: predict (with the notebook's wordsToBatch, a locked cell)

/** The notebook's wordsToBatch: pre-padded one-hot words [words, length, N_LETTERS]. */
export function wordsToBatch(words: string[]): tf.Tensor {
  const size = ALPHABET.length + 1;
  const length = Math.max(MAX_LENGTH, ...words.map((w) => [...w].length));
  const buffer = new Float32Array(words.length * length * size);
  words.forEach((word, b) => {
    const letters = [...word];
    letters.forEach(
      (letter, t) => (buffer[(b * length + length - letters.length + t) * size + letterToIndex(ALPHABET, letter)] = 1),
    );
  });
  return tf.tensor3d(buffer, [words.length, length, size]);
}

export function predict(model: PredictModel, word: string, n = 3): { language: string; probability: number }[] {
  return tf.tidy(() => {
    const probabilities = tf.softmax(model.forward(wordsToBatch([word]))).squeeze([0]);
    const { values, indices } = tf.topk(probabilities, n);
    const p = values.dataSync();
    return Array.from(indices.dataSync(), (i, k) => ({ language: LANGUAGE_NAMES[i], probability: p[k] }));
  });
}

export const predictCase: PredictCase = { classNames: LANGUAGE_NAMES, predict };
