/**
 * TP4b's checks: the lecture's character-level language processor. Each
 * check looks at what the student's piece must be (shapes, dtypes, layers,
 * what it returns), then runs it through a probe on seeded inputs and
 * compares the outputs with the reference's, recorded at release
 * (lib/check/records/tp4b-rnn.json): the kit holds data, not the answers.
 * One line is printed; when it differs, the line names the likely mistake.
 *
 *   check.assertOk(check.tp4b.rnnClass(RNN));
 *   // ✘ RNN words[0].outputs[1] differs from the reference (…) — the hidden state does not carry over from one letter to the next: …
 *
 * The probes are also what the graded notebook's hidden tests record
 * (`check.record("RNN", (seed) => check.tp4b.probes.rnnClass.run(RNN, seed))`).
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Random } from "../../data/random";
import { Linear } from "../../nn/linear";
import { Module } from "../../nn/module";
import { withManualSeed } from "../../nn/random";
import { RNNCell } from "../../nn/rnn";
import { Optimizer, SGD } from "../../optim";
import { checkRecorded } from "../checkRecorded";
import type { ErrorHint, Probe } from "../probe";
import { isTensor, tensorsLeftBy, withModule } from "../probeHelpers";
import type { Recorded } from "../recorded";
import { loadRecords } from "../records";
import { thrown } from "../thrown";
import { report, Verdict } from "../verdict";
import { showShape } from "../values";

const LAB = "tp4b-rnn";

// ---------------------------------------------------------------------------
// What all checks share.

const kind = (x: unknown) =>
  x === null
    ? "null"
    : x === undefined
      ? "undefined"
      : isTensor(x)
        ? `a tensor of shape ${showShape(x.shape)}`
        : Array.isArray(x)
          ? "an array"
          : typeof x;

/** A copy that outlives the student's code freeing the original (a hidden state replaced and disposed, say). */
const snapshot = (x: unknown): unknown => (isTensor(x) && !x.isDisposed ? x.clone() : x);

/** One-hot rows [1, size] for the given letter indices. */
function letters(indices: number[], size: number): tf.Tensor[] {
  return indices.map((i) => tf.oneHot(tf.tensor1d([i], "int32"), size).toFloat());
}

/** [length, 1, size]: a word as the slide's tensor. */
function wordOf(indices: number[], size: number): tf.Tensor {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(indices, "int32"), size).toFloat().expandDims(1));
}

/** `count` words of 3 to 5 letter indices below `size`, drawn from `rng`. */
function letterWords(rng: Random, count: number, size: number): number[][] {
  return Array.from({ length: count }, () => Array.from({ length: 3 + rng.int(3) }, () => rng.int(size)));
}

/** Sets each parameter to seeded normal values (scale 0.5): the probe, not the constructor's seeds, decides the weights. */
function seedParameters(params: (tf.Tensor | null)[], seed: number): void {
  params
    .filter(isTensor)
    .forEach((p, k) => (p as tf.Variable).assign(tf.randomNormal(p.shape, 0, 0.5, "float32", seed * 16 + k + 1)));
}

/**
 * The setting the records were made with (the notebook's ALPHABET or
 * LANGUAGE_NAMES): a student who changed LANGUAGES is told why the check
 * cannot compare, instead of seeing every output differ.
 */
function settingProblem(check: string, key: string, given: string, what: string): Verdict | null {
  let recorded: Recorded | undefined;
  try {
    const first = loadRecords(LAB).checks[check]?.expected[0];
    recorded =
      first && "value" in first && first.value && typeof first.value === "object" && !Array.isArray(first.value)
        ? (first.value as Record<string, Recorded>)[key]
        : undefined;
  } catch {
    return null; // checkRecorded says what is missing
  }
  if (typeof recorded !== "string" || recorded === given) return null;
  return {
    ok: false,
    message: `${check}: cannot check: ${what} is ${JSON.stringify(given)}, not the notebook's ${JSON.stringify(recorded)}`,
    hint: "the recorded results are for the notebook's LANGUAGES (English, German, French, Spanish, Italian): put them back to check, and add languages after the checks pass",
  };
}

// ---------------------------------------------------------------------------
// Tokenizing: letterToIndex / wordToTensor(word) → [length, 1, N_LETTERS]

/** What the wordToTensor probe runs: the student's function and the alphabet it reads. */
export interface WordToTensorCase {
  alphabet: string;
  wordToTensor(word: string): tf.Tensor;
}

/** Characters that are in no lab's alphabet, for the unknown slot. */
const OUTSIDE = ["3", "?", "ʃ", "#"];

/** Three words of the seed: letters of the alphabet; one with a letter beyond a–z (an accent); one with a character outside the alphabet. */
function probeWords(alphabet: string, seed: number): string[] {
  const rng = new Random(seed);
  const inAlphabet = [...alphabet];
  const pick = (from: string[]) => from[rng.int(from.length)];
  const word = () => Array.from({ length: 2 + rng.int(3) }, () => pick(inAlphabet));
  const accents = inAlphabet.filter((c) => c > "z");
  const outside = OUTSIDE.filter((c) => !alphabet.includes(c));
  const [plain, accented, unknown] = [word(), word(), word()];
  accented.splice(1 + rng.int(accented.length - 1), 0, pick(accents.length ? accents : inAlphabet));
  unknown.splice(rng.int(unknown.length + 1), 0, outside.length ? pick(outside) : "\u{1F600}");
  return [plain, accented, unknown].map((w) => w.join(""));
}

const wordToTensorProbe: Probe<WordToTensorCase, { alphabet: string; words: { word: string; tensor: unknown }[] }> = {
  lab: LAB,
  name: "wordToTensor",
  run: ({ alphabet, wordToTensor }, seed) => ({
    alphabet,
    words: probeWords(alphabet, seed).map((word) => {
      const tensor: unknown = wordToTensor(word);
      return { word, dtype: isTensor(tensor) ? tensor.dtype : kind(tensor), tensor };
    }),
  }),
  errorHints: [
    { when: /depth|indices/i, hint: "tf.oneHot(indices, N_LETTERS) needs int32 indices from 0 to N_LETTERS − 1" },
  ],
};

/** What wordToTensor must return for `word`, whatever the letters: a float32 tensor [length, 1, N_LETTERS]. */
function wordTensorProblem(word: string, got: unknown, alphabet: string): Verdict | null {
  const size = alphabet.length + 1;
  const call = `wordToTensor(${JSON.stringify(word)})`;
  const expected = showShape([[...word].length, 1, size]);
  if (!isTensor(got))
    return {
      ok: false,
      message: `${call} returned ${kind(got)}; expected a tensor [length, 1, N_LETTERS] = ${expected}`,
    };
  if (!tf.util.arraysEqual(got.shape, [[...word].length, 1, size])) {
    const last = got.shape[got.rank - 1];
    let hint = `one row per letter (${[...word].length}), a batch axis of 1 (the slide's [length, 1, n_letters]), and N_LETTERS = ALPHABET.length + 1 = ${size} columns`;
    if (tf.util.arraysEqual(got.shape, [[...word].length, size]))
      hint =
        "the slide's tensor is [length, 1, N_LETTERS]: each letter is a batch of one, [1, N_LETTERS] — add the middle axis (.expandDims(1))";
    else if (last === 26)
      hint = `the alphabet is not a–z only (accents: ${alphabet.replace(/[a-z]/g, "")}): one-hot over N_LETTERS = ALPHABET.length + 1 = ${size}`;
    else if (last === alphabet.length)
      hint = `one slot more than the alphabet's ${alphabet.length} letters: the last one (index ${alphabet.length}) is for characters outside it`;
    return {
      ok: false,
      message: `${call} has shape ${showShape(got.shape)}; expected [length, 1, N_LETTERS] = ${expected}`,
      hint,
    };
  }
  if (got.dtype !== "float32")
    return {
      ok: false,
      message: `${call} has dtype ${got.dtype}; expected float32`,
      hint: "tf.oneHot gives int32; the network multiplies floats: add .toFloat()",
    };
  return null;
}

/**
 * wordToTensor(word): one one-hot row per letter, [length, 1, N_LETTERS]
 * float32, with N_LETTERS = alphabet.length + 1 and the last slot for
 * characters outside the alphabet (the slide's lineToTensor).
 */
export function wordToTensor(student: (word: string) => tf.Tensor, alphabet: string): Verdict {
  return checkRecorded(
    wordToTensorProbe,
    { alphabet, wordToTensor: student },
    {
      before: () => settingProblem("wordToTensor", "alphabet", alphabet, "ALPHABET"),
      inspect: ({ words }) =>
        words.reduce<Verdict | null>(
          (found, { word, tensor }) => found ?? wordTensorProblem(word, tensor, alphabet),
          null,
        ),
    },
  );
}

// ---------------------------------------------------------------------------
// The slide's RNN: i2h and i2o on concat(input, hidden), log-softmax output.

/** What a Linear layer is to these checks. */
export interface LinearLike {
  weight: tf.Tensor;
  bias: tf.Tensor | null;
}

/** The slide's class as the lab writes it (an nn.Module). */
export interface SlideRNN {
  i2h: LinearLike;
  i2o: LinearLike;
  hidden: tf.Tensor;
  forward(input: tf.Tensor): tf.Tensor;
  initHidden(): void;
  parameters(): tf.Variable[];
  dispose(): void;
}

/** The student's slide RNN class, `new (inputSize, hiddenSize, outputSize, seed?)`, as the checks construct it. */
export type SlideRNNClass = new (inputSize: number, hiddenSize: number, outputSize: number, seed?: number) => SlideRNN;

/** The sizes the checks build the class with: all different, so a size in the wrong place shows. */
const SIZES = { input: 7, hidden: 5, output: 3 };

const FREED_HIDDEN: ErrorHint = {
  when: /disposed|reading 'backend'/i,
  hint: "a tensor was freed before use: keep the hidden state in this.hidden, set by initHidden and forward",
};

const rnnProbe: Probe<SlideRNNClass> = {
  lab: LAB,
  name: "RNN",
  /** Two seeded words through the class, with the probe's weights in i2h and i2o: per word, the state after initHidden, the output at every letter, the state after the last. */
  run: (RNNClass, seed) =>
    withModule(
      seed,
      () => new RNNClass(SIZES.input, SIZES.hidden, SIZES.output, seed),
      (net) => {
        const registered = new Set(net.parameters());
        const layers = [net.i2h, net.i2o].map((l) => l.weight as tf.Variable);
        seedParameters([net.i2h.weight, net.i2h.bias, net.i2o.weight, net.i2o.bias], seed);
        const words = letterWords(new Random(seed), 2, SIZES.input).map((word) => {
          net.initHidden();
          const initial = snapshot(net.hidden);
          const outputs = letters(word, SIZES.input).map((x) => snapshot(net.forward(x)));
          return { initial, outputs, state: snapshot(net.hidden) };
        });
        return { registered: layers.every((w) => registered.has(w)), words };
      },
    ),
  errorHints: [FREED_HIDDEN],
};

/** The structure the slide asks for: two Linear layers on the concat, registered, and a zero hidden state. */
function structureProblem(rnn: SlideRNN): Verdict | null {
  const { input, hidden, output } = SIZES;
  const sizes = `with inputSize ${input}, hiddenSize ${hidden}, outputSize ${output}`;
  for (const [layer, out] of [
    ["i2h", hidden],
    ["i2o", output],
  ] as const) {
    const l = (rnn as unknown as Record<string, unknown>)[layer] as LinearLike | undefined;
    if (!l || !isTensor(l.weight)) {
      return {
        ok: false,
        message: `RNN has no ${layer} layer (rnn.${layer} is ${kind(l)})`,
        hint: `this.${layer} = this.registerModule("${layer}", new nn.Linear(inputSize + hiddenSize, ${layer === "i2h" ? "hiddenSize" : "outputSize"}))`,
      };
    }
    const [rows, cols] = l.weight.shape;
    if (rows !== out) {
      return {
        ok: false,
        message: `${sizes}, ${layer} gives ${rows} features; expected ${out} (${layer === "i2h" ? "hiddenSize" : "outputSize"})`,
        hint:
          layer === "i2h"
            ? "i2h makes the next hidden state: Linear(inputSize + hiddenSize, hiddenSize)"
            : "i2o makes the output scores: Linear(inputSize + hiddenSize, outputSize)",
      };
    }
    if (cols !== input + hidden) {
      const hint =
        layer === "i2o" && cols === hidden
          ? "i2o reads the concatenation, as i2h does (the slide feeds both the same concat), not the new hidden state alone: Linear(inputSize + hiddenSize, outputSize)"
          : cols === input
            ? `${layer} reads concat(input, hidden): inputSize + hiddenSize = ${input + hidden} features, not inputSize alone`
            : `${layer} reads concat(input, hidden): inputSize + hiddenSize = ${input + hidden} features`;
      return { ok: false, message: `${sizes}, ${layer} reads ${cols} features; expected ${input + hidden}`, hint };
    }
  }
  const registered = new Set(rnn.parameters());
  const missing = (["i2h", "i2o"] as const).filter((k) => !registered.has(rnn[k].weight as tf.Variable));
  if (missing.length) {
    return {
      ok: false,
      message: `rnn.parameters() does not hold ${missing.join(" and ")}'s weights: the optimizer would never update ${missing.length === 1 ? "it" : "them"}`,
      hint: `register the layers: this.${missing[0]} = this.registerModule("${missing[0]}", new nn.Linear(...)) — PyTorch finds attributes by itself, tfjs needs telling`,
    };
  }
  return null;
}

/** The state initHidden sets: zeros [1, hiddenSize] in this.hidden. */
function hiddenProblem(rnn: SlideRNN): Verdict | null {
  const h: unknown = rnn.hidden;
  const expected = showShape([1, SIZES.hidden]);
  if (!isTensor(h) || h.isDisposed) {
    return {
      ok: false,
      message: `after initHidden(), rnn.hidden is ${isTensor(h) ? "a freed tensor" : kind(h)}; expected zeros ${expected}`,
      hint: "initHidden sets the state, as the slide's self.hidden = torch.zeros(1, hidden_size): this.hidden = tf.zeros([1, this.hiddenSize])",
    };
  }
  if (!tf.util.arraysEqual(h.shape, [1, SIZES.hidden])) {
    return {
      ok: false,
      message: `after initHidden(), rnn.hidden has shape ${showShape(h.shape)}; expected ${expected}`,
      hint: "one row (a batch of one word) of hiddenSize zeros: tf.zeros([1, this.hiddenSize])",
    };
  }
  if (Array.from(h.dataSync()).some((v) => v !== 0))
    return {
      ok: false,
      message: "after initHidden(), rnn.hidden is not all zeros",
      hint: "each word starts from a zero hidden state: tf.zeros, not a random draw",
    };
  return null;
}

/** What one step must give back: the output [1, outputSize], and the new state kept in this.hidden. */
function stepProblem(rnn: SlideRNN): Verdict | null {
  const out: unknown = rnn.forward(letters([0], SIZES.input)[0]);
  if (!isTensor(out))
    return {
      ok: false,
      message: `RNN.forward returned ${kind(out)}; expected the output, a tensor [1, outputSize]`,
      hint: "return output at the end of forward",
    };
  if (!tf.util.arraysEqual(out.shape, [1, SIZES.output])) {
    return {
      ok: false,
      message: `RNN.forward gives ${showShape(out.shape)} per letter; expected [1, outputSize] = ${showShape([1, SIZES.output])}`,
      hint: "forward returns the output (i2o's, after the activation), not the hidden state",
    };
  }
  const hidden: unknown = rnn.hidden;
  if (!isTensor(hidden) || hidden.isDisposed) {
    return {
      ok: false,
      message: `after forward, rnn.hidden is ${isTensor(hidden) ? "a freed tensor" : kind(hidden)}; expected the new hidden state [1, hiddenSize]`,
      hint: "save the new hidden state for the next letter: this.hidden = hidden",
    };
  }
  return null;
}

/**
 * The slide's RNN class: `new RNN(inputSize, hiddenSize, outputSize, seed)`
 * with i2h and i2o (nn.Linear, registered) on concat(input, hidden), the
 * hidden state kept between letters, log-softmax outputs, initHidden
 * resetting the state to zeros [1, hiddenSize]. The probe sets the layers'
 * weights itself, so any seeds the constructor uses are right.
 */
export function rnnClass(RNNClass: SlideRNNClass): Verdict {
  const before = () =>
    withModule(
      1,
      () => new RNNClass(SIZES.input, SIZES.hidden, SIZES.output, 1),
      (net) => {
        const structure = structureProblem(net);
        if (structure) return structure;
        net.initHidden();
        return hiddenProblem(net) ?? stepProblem(net);
      },
    );
  return checkRecorded(rnnProbe, RNNClass, { before });
}

// ---------------------------------------------------------------------------
// trainWord(rnn, word, label, optimizer) → the loss, a number

/** What trainWord needs of the network it trains. */
export interface TrainableRNN {
  hidden: tf.Tensor;
  forward(input: tf.Tensor): tf.Tensor;
  initHidden(): void;
  parameters(): tf.Variable[];
}

/** trainWord's type, its parameters compared both ways (so that the lab's `(rnn: RNN, …)` fits). */
export type TrainWord = {
  bivarianceHack(rnn: TrainableRNN, word: tf.Tensor, label: tf.Tensor, optimizer: Optimizer): unknown;
}["bivarianceHack"];

/**
 * The network the trainWord probe trains: the slide's interface (initHidden,
 * forward one letter at a time, the state in `hidden`) over lib's RNNCell
 * and a Linear, log-softmax outputs. Not the slide's network: trainWord is
 * judged on its own, whether or not the lab's RNN is done.
 */
class StandInRNN extends Module implements TrainableRNN {
  readonly cell: RNNCell;
  readonly out: Linear;
  hidden: tf.Tensor;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    readonly outputSize: number,
    seed: number,
  ) {
    super();
    this.cell = this.registerModule("cell", new RNNCell(inputSize, hiddenSize, { seed }));
    this.out = this.registerModule("out", new Linear(hiddenSize, outputSize, { seed: seed + 4 }));
    this.hidden = tf.zeros([1, this.cell.hiddenSize]);
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.hidden = this.cell.forward(input, this.hidden);
    return tf.logSoftmax(this.out.forward(this.hidden), 1);
  }

  initHidden(): void {
    this.hidden = tf.zeros([1, this.cell.hiddenSize]);
  }
}

const trainWordProbe: Probe<TrainWord, { calls: { loss: unknown; leaked: number }[]; parameterSums: tf.Tensor[] }> = {
  lab: LAB,
  name: "trainWord",
  /** Three seeded words, one call each with SGD (lr 0.5): per call the value returned and the tensors left behind; then the sum of each parameter. */
  run: (trainWord, seed) => {
    const { input, hidden, output } = SIZES;
    const rng = new Random(seed);
    const rnn = new StandInRNN(input, hidden, output, seed);
    const optimizer = new SGD(rnn.parameters(), { lr: 0.5 });
    try {
      seedParameters(rnn.parameters(), seed);
      const calls = letterWords(rng, 3, input).map((word) => {
        const [x, y] = [wordOf(word, input), tf.tensor1d([rng.int(output)], "int32")];
        const { returned: loss, leaked } = tensorsLeftBy((): unknown => trainWord(rnn, x, y, optimizer));
        return { loss, leaked };
      });
      return { calls, parameterSums: rnn.parameters().map((p) => p.sum()) };
    } finally {
      optimizer.dispose();
      rnn.dispose();
    }
  },
  errorHints: [
    {
      when: /disposed|reading 'backend'/i,
      hint: "the hidden state of the previous word was freed when its step ended: start every word with rnn.initHidden(), inside the function given to optimizer.step",
    },
    {
      when: /connection between|not a function of|Cannot compute gradient|varList/i,
      hint: "compute the loss inside the function given to optimizer.step (forward included), so that tfjs can trace it back to the parameters",
    },
  ],
};

/** What each call must give back, whatever the numbers: the loss as a number, and no tensor left behind. */
function trainWordProblem(calls: { loss: unknown; leaked: number }[]): Verdict | null {
  const name = "trainWord";
  const wrong = calls.find((c) => typeof c.loss !== "number")?.loss;
  if (wrong !== undefined || calls.some((c) => c.loss === undefined)) {
    return {
      ok: false,
      message: `${name} returned ${isTensor(wrong) ? "a tensor" : kind(wrong)}; expected the loss as a number`,
      hint: isTensor(wrong)
        ? "read it and free it: const value = loss.dataSync()[0]; loss.dispose(); return value"
        : "return the loss of this word (a number)",
    };
  }
  const leaked = Math.max(...calls.map((c) => c.leaked));
  if (leaked > 0) {
    return {
      ok: false,
      message: `${name}: each call leaves ${leaked} tensor${leaked === 1 ? "" : "s"} behind (tf.memory().numTensors grows)`,
      hint: "free the loss once read (loss.dispose()), and make every tensor inside the function given to optimizer.step, initHidden's zeros too",
    };
  }
  return null;
}

/**
 * The slide's train(category_tensor, line_tensor): reset the hidden state,
 * feed the word letter by letter, NLL loss of the last output, one
 * optimizer step; returns the loss as a number and leaves no tensor behind.
 * The probe trains a stand-in network with the slide's interface, so the
 * lab's `RNN` need not be done.
 */
export function trainWord(student: TrainWord): Verdict {
  return checkRecorded(trainWordProbe, student, { inspect: ({ calls }) => trainWordProblem(calls) });
}

// ---------------------------------------------------------------------------
// The batched model: lib's GRU or RNN over [batch, length, letters], then Linear.

/** The lab's WordClassifier: `rnn` (nn.GRU or nn.RNN, batchFirst) and `fc` (nn.Linear) on the last hidden state. */
export interface WordClassifierLike {
  rnn: {
    run(x: tf.Tensor): { output: tf.Tensor; hN: tf.Tensor };
    parameters(): tf.Variable[];
    constructor: { name: string };
  };
  fc: { forward(x: tf.Tensor): tf.Tensor; parameters(): tf.Variable[] };
  forward(x: tf.Tensor): tf.Tensor;
  parameters(): tf.Variable[];
  dispose(): void;
}

/** The student's WordClassifier class, `new (inputSize, hiddenSize, outputSize, cell?, seed?)`, as the checks construct it; cell is "gru" or "rnn". */
export type WordClassifierClass = new (
  inputSize: number,
  hiddenSize: number,
  outputSize: number,
  cell?: "gru" | "rnn",
  seed?: number,
) => WordClassifierLike;

const CLASSIFIER_SIZES = { input: 6, hidden: 5, output: 3, length: 6 };

/** Pre-padded one-hot words [4, length, inputSize] of the seed: the padding (all-zero rows) comes first. */
function paddedBatch(seed: number): tf.Tensor {
  const { input, length } = CLASSIFIER_SIZES;
  const rng = new Random(seed);
  const lengths = [length, length - 2, 2, length - 1];
  return tf.tidy(() =>
    tf.stack(
      lengths.map((n) =>
        tf
          .oneHot(
            tf.tensor1d(
              Array.from({ length }, (_, t) => (t < length - n ? -1 : rng.int(input))),
              "int32",
            ),
            input,
          )
          .toFloat(),
      ),
    ),
  );
}

const wordClassifierProbe: Probe<WordClassifierClass> = {
  lab: LAB,
  name: "WordClassifier",
  /** The class built with each cell, the probe's weights in rnn and fc, run on a seeded pre-padded batch. */
  run: (ModelClass, seed) =>
    withManualSeed(seed, () => {
      const { input, hidden, output } = CLASSIFIER_SIZES;
      const x = paddedBatch(seed);
      const out: Record<string, unknown> = {};
      for (const cell of ["gru", "rnn"] as const) {
        const model = new ModelClass(input, hidden, output, cell, seed);
        try {
          const registered = new Set(model.parameters());
          seedParameters(model.rnn.parameters(), seed);
          seedParameters(model.fc.parameters(), seed + 1);
          out[cell] = {
            layer: model.rnn.constructor.name,
            registered: [...model.rnn.parameters(), ...model.fc.parameters()].every((p) => registered.has(p)),
            logits: model.forward(x),
          };
        } finally {
          model.dispose();
        }
      }
      return out;
    }),
  errorHints: [
    {
      when: /features|batchFirst/i,
      hint: "the input is [batch, length, letters]: build the recurrent layer with { batchFirst: true }",
    },
  ],
};

/** The layers asked for, registered, and logits [batch, outputSize]. */
function classifierProblem(ModelClass: WordClassifierClass): Verdict | null {
  const name = "WordClassifier";
  const { input, hidden, output } = CLASSIFIER_SIZES;
  for (const cell of ["gru", "rnn"] as const) {
    const problem = withModule(
      1,
      () => new ModelClass(input, hidden, output, cell, 1),
      (model): Verdict | null => {
        const want = cell === "gru" ? "GRU" : "RNN";
        const got = model.rnn?.constructor?.name;
        if (got !== want) {
          return {
            ok: false,
            message: `${name} with cell "${cell}" has rnn = ${got ?? kind(model.rnn)}; expected nn.${want}`,
            hint: `this.rnn = this.registerModule("rnn", cell === "gru" ? new nn.GRU(...) : new nn.RNN(...))`,
          };
        }
        const registered = new Set(model.parameters());
        const missing = (["rnn", "fc"] as const).filter((k) => model[k].parameters().some((p) => !registered.has(p)));
        if (missing.length) {
          return {
            ok: false,
            message: `model.parameters() does not hold ${missing.join(" and ")}'s parameters: the optimizer would never update them`,
            hint: `register the layers: this.${missing[0]} = this.registerModule("${missing[0]}", ...)`,
          };
        }
        const x = paddedBatch(1);
        const out: unknown = model.forward(x);
        if (!isTensor(out))
          return { ok: false, message: `${name}.forward returned ${kind(out)}; expected logits [batch, outputSize]` };
        const expected = [x.shape[0], output];
        if (!tf.util.arraysEqual(out.shape, expected)) {
          const hint =
            out.shape[0] === x.shape[1]
              ? "the first axis came out as the word length: the input is [batch, length, letters], so build the recurrent layer with { batchFirst: true }"
              : out.rank === 3
                ? "forward returns one score vector per word: take the last hidden state (hN[0] or output at the last step), then fc"
                : `fc maps hiddenSize → outputSize: new nn.Linear(hiddenSize, outputSize)`;
          return {
            ok: false,
            message: `${name}.forward on ${showShape(x.shape)} gives ${showShape(out.shape)}; expected ${showShape(expected)}`,
            hint,
          };
        }
        return null;
      },
    );
    if (problem) return problem;
  }
  return null;
}

/**
 * The batched classifier: `new WordClassifier(inputSize, hiddenSize,
 * outputSize, cell, seed)` holds `rnn` (nn.GRU or nn.RNN as `cell` says,
 * batchFirst) and `fc` (nn.Linear(hiddenSize, outputSize)); forward maps
 * [batch, length, inputSize] to logits [batch, outputSize] from the last
 * hidden state.
 */
export function wordClassifier(ModelClass: WordClassifierClass): Verdict {
  return checkRecorded(wordClassifierProbe, ModelClass, { before: () => classifierProblem(ModelClass) });
}

// ---------------------------------------------------------------------------
// The trained GRU on held-out words (what check_accuracy's hidden test records)

/** What the held-out probe runs: the notebook's trained model, its batching, and the held-out words with their labels. */
export interface HeldOutCase {
  model: { forward(x: tf.Tensor): tf.Tensor };
  toBatch(words: string[]): tf.Tensor;
  examples: readonly { word: string; label: number }[];
}

/** Held-out words per case: enough to measure an accuracy, few enough to be quick. */
export const HELD_OUT_SAMPLE = 500;

/**
 * The model's predicted class of a seeded sample of the held-out words, and
 * their labels (the grader reads the labels from the solution's record
 * only). No check compares these: the grader scores them.
 */
const heldOutProbe: Probe<HeldOutCase> = {
  lab: LAB,
  name: "heldOut",
  run: ({ model, toBatch, examples }, seed) => {
    const picked = new Random(seed).permutation(examples.length).slice(0, HELD_OUT_SAMPLE);
    const logits = model.forward(toBatch(picked.map((i) => examples[i].word)));
    return { predicted: logits.argMax(1), labels: picked.map((i) => examples[i].label) };
  },
};

// ---------------------------------------------------------------------------
// predict(model, word, n) → the n likeliest languages

/** One of the languages `predict` returns for a word, likeliest first. */
export interface Guess {
  /** The language's name, one of the model's class names. */
  language: string;
  /** The model's probability of it, in [0, 1]. */
  probability: number;
}

/** What predict needs from a model (lib's train.Model). */
export interface PredictModel {
  forward(x: tf.Tensor): tf.Tensor;
  parameters(): tf.Variable[];
  train(mode?: boolean): unknown;
  eval(): unknown;
}

/** predict's type, its parameters compared both ways (so that the lab's `(model: train.Model, …)` fits). */
export type Predict = { bivarianceHack(model: PredictModel, word: string, n: number): unknown }["bivarianceHack"];

/** What the predict probe runs: the student's function and the class names it reads. */
export interface PredictCase {
  classNames: readonly string[];
  predict: Predict;
}

/** A stand-in model whose logits depend on the seed and on how many letters the batch holds: [1, length, letters] → [1, classes]. */
class FakeModel implements PredictModel {
  lastShape: number[] | null = null;
  constructor(
    private readonly classes: number,
    private readonly seed: number,
  ) {}
  forward(x: tf.Tensor): tf.Tensor {
    this.lastShape = x.shape.slice();
    if (x.rank !== 3)
      throw new Error(`the model takes a batch [batch, length, letters]; got a tensor of shape ${showShape(x.shape)}`);
    return tf.tidy(() => {
      const count = x.sum([1, 2]).expandDims(1);
      const perLetter = tf.randomNormal([1, this.classes], 0, 0.7, "float32", this.seed * 2 + 1);
      return count.mul(perLetter).add(tf.randomNormal([1, this.classes], 0, 1, "float32", this.seed * 2 + 2));
    });
  }
  parameters(): tf.Variable[] {
    return [];
  }
  train(): void {}
  eval(): void {}
}

/** Letters of the probe's words: any alphabet's letterToIndex reads them. */
const PROBE_LETTERS = "abcdefghijklmnopqrstuvwxyz";

/** The seed's word and n. */
function predictInputs(seed: number, classes: number): { word: string; n: number } {
  const rng = new Random(seed);
  const word = Array.from({ length: 3 + rng.int(7) }, () => PROBE_LETTERS[rng.int(PROBE_LETTERS.length)]).join("");
  return { word, n: 1 + rng.int(classes) };
}

const predictProbe: Probe<PredictCase> = {
  lab: LAB,
  name: "predict",
  /** One seeded word, n from 1 to the number of classes, a stand-in model with seeded scores: the guesses, and the tensors left behind. */
  run: ({ classNames, predict }, seed) => {
    const { word, n } = predictInputs(seed, classNames.length);
    const { returned: got, leaked } = tensorsLeftBy((): unknown =>
      predict(new FakeModel(classNames.length, seed), word, n),
    );
    const guesses = Array.isArray(got)
      ? got.map((g: Partial<Guess> | null) => ({ language: g?.language, probability: g?.probability }))
      : got;
    return { classNames: classNames.join(", "), word, n, guesses, leaked };
  },
};

/** What predict must give back, whatever the scores: the model called on a batch of one, n guesses, no tensor left behind. */
function predictProblem(student: Predict, classNames: readonly string[]): Verdict | null {
  const name = "predict";
  const [word, n] = ["cheval", Math.min(2, classNames.length)];
  const model = new FakeModel(classNames.length, 1);
  const call = `${name}(model, ${JSON.stringify(word)}, ${n})`;
  let got: unknown;
  let leaked: number;
  try {
    ({ returned: got, leaked } = tensorsLeftBy((): unknown => student(model, word, n)));
  } catch (err) {
    if (model.lastShape && (model.lastShape.length !== 3 || model.lastShape[0] !== 1)) {
      return {
        ok: false,
        message: `${call} gave model.forward a tensor of shape ${showShape(model.lastShape)}; expected [1, length, letters]`,
        hint: "the model takes a batch: one word is a batch of one, wordsToBatch([word])",
      };
    }
    throw err;
  }
  if (!model.lastShape)
    return {
      ok: false,
      message: `${call} never called model.forward`,
      hint: "run the word through the model: model.forward(wordsToBatch([word]))",
    };
  if (model.lastShape.length !== 3 || model.lastShape[0] !== 1) {
    return {
      ok: false,
      message: `${call} gave model.forward a tensor of shape ${showShape(model.lastShape)}; expected [1, length, letters]`,
      hint: "the model takes a batch: one word is a batch of one, wordsToBatch([word])",
    };
  }
  const guesses = Array.isArray(got) ? (got as Partial<Guess>[]) : null;
  if (!guesses || guesses.some((g) => typeof g?.language !== "string" || typeof g?.probability !== "number")) {
    return { ok: false, message: `${call} returned ${kind(got)}; expected an array of { language, probability }` };
  }
  if (guesses.length !== n)
    return {
      ok: false,
      message: `${call} returned ${guesses.length} guesses; expected ${n}`,
      hint: "the n likeliest: tf.topk(probabilities, n)",
    };
  if (leaked > 0)
    return {
      ok: false,
      message: `${name}: each call leaves ${leaked} tensor${leaked === 1 ? "" : "s"} behind`,
      hint: "wrap the tensor work in tf.tidy and return plain numbers (dataSync / arraySync)",
    };
  return null;
}

/**
 * predict(model, word, n): the n likeliest languages of one word, likeliest
 * first, as { language, probability } with the softmax of the model's
 * scores; leaves no tensor behind.
 */
export function predict(student: Predict, classNames: readonly string[]): Verdict {
  const before = () =>
    settingProblem("predict", "classNames", classNames.join(", "), "LANGUAGE_NAMES") ??
    predictProblem(student, classNames);
  return checkRecorded(predictProbe, { classNames, predict: student }, { before });
}

// ---------------------------------------------------------------------------
// The probes, for the graded notebook's hidden tests and for release.

/**
 * TP4b's probes by check name, for the graded notebook's hidden tests and for release, which records their outputs:
 * `check.record("RNN", (seed) => check.tp4b.probes.rnnClass.run(RNN, seed))`.
 */
export const probes = {
  wordToTensor: wordToTensorProbe,
  rnnClass: rnnProbe,
  trainWord: trainWordProbe,
  wordClassifier: wordClassifierProbe,
  heldOut: heldOutProbe,
  predict: predictProbe,
};

// ---------------------------------------------------------------------------
// Results kept across cells, and the bar.

export { Results } from "../results";

/**
 * The lab's bar: held-out accuracy ≥ `min` with at least `minLanguages`
 * languages. `accuracy` may be a function (reading a Results), so that an
 * unfinished training says "not implemented yet" here too.
 */
export function heldOutAccuracy(
  accuracy: number | (() => number),
  languages: number,
  options: { min?: number; minLanguages?: number; model?: string } = {},
): Verdict {
  const min = options.min ?? 0.75;
  const minLanguages = options.minLanguages ?? 5;
  const what = `${options.model ?? "the model"}'s held-out accuracy`;
  if (typeof accuracy === "function") {
    try {
      accuracy = accuracy();
    } catch (err) {
      const verdict = thrown(what, err);
      return report(
        verdict.notImplemented
          ? { ...verdict, message: `${what}: not implemented yet (its training cell did not run to the end)` }
          : verdict,
      );
    }
  }
  if (languages < minLanguages)
    return report({
      ok: false,
      message: `${what}: ${languages} languages; the bar is ${minLanguages} or more`,
      hint: "keep at least five languages in LANGUAGES",
    });
  if (!(accuracy >= min)) {
    return report({
      ok: false,
      message: `${what} is ${(100 * accuracy).toFixed(1)}% over ${languages} languages; the bar is ${100 * min}%`,
      hint: "did every check above pass? then train longer (epochs) or with a larger hidden state",
    });
  }
  return report({
    ok: true,
    message: `${what} is ${(100 * accuracy).toFixed(1)}% over ${languages} languages (bar: ${100 * min}%)`,
  });
}
