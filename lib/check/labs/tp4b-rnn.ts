/**
 * TP4b's checks: the lecture's character-level language processor. Each
 * check runs the student's piece on small seeded inputs, compares what it
 * does with the slide's reference, prints one line and, when it differs,
 * names the likely mistake.
 *
 *   check.assertOk(check.tp4b.rnnClass(RNN));
 *   // ✘ RNN: the hidden state does not carry over from one letter to the next — save it: this.hidden = hidden
 *
 * The checks look at behaviour, not layout: concat(input, hidden) and
 * concat(hidden, input) are both right, as long as i2h and i2o read the same
 * concatenation.
 */
import * as tf from "@tensorflow/tfjs";
import { nllLoss } from "../../nn/losses";
import { Optimizer, SGD } from "../../optim";
import { asNotImplemented, NotImplementedError } from "../notImplemented";
import { report, Verdict } from "../verdict";
import { allClose, maxDiff, showShape } from "../values";

// ---------------------------------------------------------------------------
// What all checks share.

/** An error a student's code throws and what it usually means. */
interface ErrorHint {
  when: RegExp;
  hint: string;
}

const SHAPE_ERRORS: ErrorHint = {
  when: /inner (shapes|dimensions)|must match|shapes? .* (do not|don't) match|expected \d+/i,
  hint: "two shapes do not fit: print the shapes (x.shape) of what goes in",
};

/** The verdict for what a student's code threw: "not implemented yet" for a stub, else the error and a hint. */
function thrownVerdict(name: string, err: unknown, hints: ErrorHint[] = []): Verdict {
  const missing = asNotImplemented(err);
  if (missing) {
    const piece = missing.what !== name ? ` (${missing.what})` : "";
    return { ok: false, notImplemented: true, message: `${name}${piece}: not implemented yet` };
  }
  const message = (err instanceof Error ? err.message : String(err)).split("\n")[0];
  const hint = [...hints, SHAPE_ERRORS].find((h) => h.when.test(message))?.hint;
  return { ok: false, message: `${name} threw: ${message}`, hint };
}

/** Runs `fn` in a tf.tidy and returns its plain (non-tensor) result; every tensor made inside is freed. */
function scoped<T>(fn: () => T): T {
  let result!: T;
  tf.tidy(() => {
    result = fn();
  });
  return result;
}

const isTensor = (x: unknown): x is tf.Tensor => x instanceof tf.Tensor;
const numbers = (t: tf.Tensor): number[] => Array.from(t.dataSync());
const close = (a: number[], b: number[]) => a.length === b.length && allClose(a, b, 1e-4, 1e-5);
const kind = (x: unknown) => (x === null ? "null" : x === undefined ? "undefined" : isTensor(x) ? `a tensor of shape ${showShape(x.shape)}` : Array.isArray(x) ? "an array" : typeof x);

/** One-hot rows [1, size] for the given letter indices. */
function letters(indices: number[], size: number): tf.Tensor[] {
  return indices.map((i) => tf.oneHot(tf.tensor1d([i], "int32"), size).toFloat());
}

/** [length, 1, size]: a word as the slide's tensor. */
function wordOf(indices: number[], size: number): tf.Tensor {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(indices, "int32"), size).toFloat().expandDims(1));
}

/** A one-line description of the largest difference. */
function differs(got: number[], want: number[]): string {
  const { diff, index } = maxDiff(got, want);
  return `max |Δ| ${diff.toPrecision(3)}: yours ${got[index]?.toPrecision(4)}, expected ${want[index]?.toPrecision(4)}`;
}

// ---------------------------------------------------------------------------
// Tokenizing: letterToIndex / wordToTensor(word) → [length, 1, N_LETTERS]

/** The slide's letter index: the position in the alphabet, unknown characters on the last slot. */
function letterIndexRef(alphabet: string, letter: string): number {
  const i = alphabet.indexOf(letter);
  return i < 0 ? alphabet.length : i;
}

function wordToTensorRef(alphabet: string, word: string): tf.Tensor {
  return wordOf([...word].map((c) => letterIndexRef(alphabet, c)), alphabet.length + 1);
}

/** The mistakes made when tokenizing; exported for the tests. */
export const wordToTensorMistakes = {
  /** indexOf's −1 for a character outside the alphabet: an all-zero row. */
  unknownDropped: (alphabet: string, word: string) => tf.tidy(() => tf.oneHot(tf.tensor1d([...word].map((c) => alphabet.indexOf(c)), "int32"), alphabet.length + 1).toFloat().expandDims(1)),
  /** No slot for unknown characters. */
  noUnknownSlot: (alphabet: string, word: string) => tf.tidy(() => tf.oneHot(tf.tensor1d([...word].map((c) => Math.max(alphabet.indexOf(c), 0)), "int32"), alphabet.length).toFloat().expandDims(1)),
  /** The 26 letters a–z only. */
  asciiOnly: (_alphabet: string, word: string) => tf.tidy(() => tf.oneHot(tf.tensor1d([...word].map((c) => Math.min(Math.max(c.charCodeAt(0) - 97, 0), 25)), "int32"), 26).toFloat().expandDims(1)),
  /** [length, N_LETTERS]: no batch axis. */
  noBatchAxis: (alphabet: string, word: string) => tf.tidy(() => wordToTensorRef(alphabet, word).squeeze([1])),
  /** tf.oneHot's int32, not float32. */
  int32: (alphabet: string, word: string) => tf.tidy(() => tf.oneHot(tf.tensor1d([...word].map((c) => letterIndexRef(alphabet, c)), "int32"), alphabet.length + 1).expandDims(1)),
  /** Indices from 1: a slot too far. */
  offByOne: (alphabet: string, word: string) => wordOf([...word].map((c) => (letterIndexRef(alphabet, c) + 1) % (alphabet.length + 1)), alphabet.length + 1),
};

/**
 * wordToTensor(word): one one-hot row per letter, [length, 1, N_LETTERS]
 * float32, with N_LETTERS = alphabet.length + 1 and the last slot for
 * characters outside the alphabet (the slide's lineToTensor).
 */
export function wordToTensor(student: (word: string) => tf.Tensor, alphabet: string): Verdict {
  const name = "wordToTensor";
  const size = alphabet.length + 1;
  const inAlphabet = [...alphabet];
  const pick = (k: number) => inAlphabet[(k * 7 + 3) % inAlphabet.length];
  const accented = inAlphabet.find((c) => c > "z") ?? pick(5);
  const outside = ["3", "?", "ʃ", "#"].find((c) => !alphabet.includes(c)) ?? "\u{1F600}";
  const words = [pick(0) + pick(1) + pick(2) + pick(3), pick(4) + accented + pick(6), pick(7) + outside + pick(8) + pick(9) + pick(10)];
  for (const word of words) {
    let verdict: Verdict | null = null;
    try {
      tf.tidy(() => {
        const got: unknown = student(word);
        const want = wordToTensorRef(alphabet, word);
        const shown = JSON.stringify(word);
        if (!isTensor(got)) {
          verdict = { ok: false, message: `${name}(${shown}) returned ${kind(got)}; expected a tensor [length, 1, N_LETTERS] = ${showShape(want.shape)}` };
          return;
        }
        const same = (m: (a: string, w: string) => tf.Tensor) => {
          const t = m(alphabet, word);
          return tf.util.arraysEqual(t.shape, got.shape) && close(numbers(t), numbers(got));
        };
        if (!tf.util.arraysEqual(got.shape, want.shape)) {
          const last = got.shape[got.rank - 1];
          let hint = `one row per letter (${word.length}), a batch axis of 1 (the slide's [length, 1, n_letters]), and N_LETTERS = ALPHABET.length + 1 = ${size} columns`;
          if (same(wordToTensorMistakes.noBatchAxis)) hint = "the slide's tensor is [length, 1, N_LETTERS]: each letter is a batch of one, [1, N_LETTERS] — add the middle axis (.expandDims(1))";
          else if (last === 26) hint = `the alphabet is not a–z only (accents: ${alphabet.replace(/[a-z]/g, "")}): one-hot over N_LETTERS = ALPHABET.length + 1 = ${size}`;
          else if (last === alphabet.length) hint = `one slot more than the alphabet's ${alphabet.length} letters: the last one (index ${alphabet.length}) is for characters outside it`;
          verdict = { ok: false, message: `${name}(${shown}) has shape ${showShape(got.shape)}; expected [length, 1, N_LETTERS] = ${showShape(want.shape)}`, hint };
          return;
        }
        if (got.dtype !== "float32") {
          verdict = { ok: false, message: `${name}(${shown}) has dtype ${got.dtype}; expected float32`, hint: "tf.oneHot gives int32; the network multiplies floats: add .toFloat()" };
          return;
        }
        if (!close(numbers(got), numbers(want))) {
          let hint = "row t is all zeros but a 1 at letterToIndex(word[t])";
          if (same(wordToTensorMistakes.unknownDropped)) hint = `${JSON.stringify(outside)} is not in the alphabet and its row is all zeros: indexOf gives −1 there; letterToIndex should give the unknown slot, N_LETTERS − 1 = ${size - 1}`;
          else if (same(wordToTensorMistakes.offByOne)) hint = "every 1 is one column too far right: letterToIndex is the position in ALPHABET, from 0";
          verdict = { ok: false, message: `${name}(${shown}) differs from the one-hot rows of its letters`, hint };
        }
      });
    } catch (err) {
      return report(thrownVerdict(name, err, [{ when: /depth|indices/i, hint: `tf.oneHot(indices, N_LETTERS) needs int32 indices in 0…${size - 1}` }]));
    }
    if (verdict) return report(verdict);
  }
  return report({ ok: true, message: `${name}: one-hot [length, 1, ${size}] float32, accented letters in the alphabet, unknown characters on the last slot` });
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
  stateDict(): Record<string, tf.Tensor>;
  loadStateDict(dict: Record<string, tf.Tensor>): void;
  dispose(): void;
}

export type SlideRNNClass<R extends SlideRNN = SlideRNN> = new (inputSize: number, hiddenSize: number, outputSize: number, seed?: number) => R;

/** The sizes the checks build the class with: all different, so a size in the wrong place shows. */
const SIZES = { input: 7, hidden: 5, output: 3 };
/** Letter indices of the check words (the last one is the "unknown" slot). */
const WORDS = [
  [0, 3, 6, 2],
  [5, 1, 4, 4, 6, 0],
  [2, 6, 1],
];

/** How a variant of the slide's step is computed: the right one, and one per known mistake. */
interface Step {
  hiddenFirst?: boolean;
  /** The hidden state read at each step: the last one (right) or always zeros. */
  carry?: boolean;
  /** What i2o reads: the concat (right), concat with the new hidden, or the new hidden alone. */
  i2oReads?: "concat" | "newConcat" | "newHidden";
  output?: "logSoftmax" | "softmax" | "none" | "logSoftmaxAxis0";
  hiddenTanh?: boolean;
}

function linear(x: tf.Tensor, layer: LinearLike): tf.Tensor {
  const y = x.matMul(layer.weight, false, true);
  return layer.bias ? y.add(layer.bias) : y;
}

/** The outputs at every letter and the hidden state after the last, or null when the variant does not fit the layers' sizes. */
function simulate(rnn: SlideRNN, xs: tf.Tensor[], hiddenSize: number, step: Step): number[][] | null {
  return scoped(() => {
    const cat = (x: tf.Tensor, h: tf.Tensor) => (step.hiddenFirst ? tf.concat([h, x], 1) : tf.concat([x, h], 1));
    let h: tf.Tensor = tf.zeros([1, hiddenSize]);
    const outputs: number[][] = [];
    for (const x of xs) {
      const c = cat(x, step.carry === false ? tf.zeros([1, hiddenSize]) : h);
      if (c.shape[1] !== rnn.i2h.weight.shape[1]) return null;
      let hNew = linear(c, rnn.i2h);
      if (step.hiddenTanh) hNew = hNew.tanh();
      const reads = step.i2oReads ?? "concat";
      const into = reads === "concat" ? c : reads === "newConcat" ? cat(x, hNew) : hNew;
      if (into.shape[1] !== rnn.i2o.weight.shape[1]) return null;
      const o = linear(into, rnn.i2o);
      const out = { logSoftmax: () => tf.logSoftmax(o, 1), softmax: () => tf.softmax(o, 1), none: () => o, logSoftmaxAxis0: () => o.sub(o.logSumExp(0, true)) }[step.output ?? "logSoftmax"]();
      outputs.push(numbers(out));
      h = hNew;
    }
    outputs.push(numbers(h));
    return outputs;
  });
}

const RNN_MISTAKES: { step: Step; hint: string }[] = [
  { step: { carry: false }, hint: "the hidden state does not carry over from one letter to the next: forward must save the new one (this.hidden = hidden), and only initHidden resets it" },
  { step: { i2oReads: "newConcat" }, hint: "i2o reads the same concat(input, hidden) as i2h, made before the hidden state is updated (the slide computes output and hidden from one concat)" },
  { step: { output: "softmax" }, hint: "your outputs sum to 1: that is softmax. The slide's activation is log-softmax (nn.LogSoftmax(dim=1)), what nn.nllLoss expects; softmax, then a loss that applies it again, would apply softmax twice" },
  { step: { output: "none" }, hint: "apply the activation to the output: log-softmax over the classes, tf.logSoftmax(output, 1)" },
  { step: { output: "logSoftmaxAxis0" }, hint: "log-softmax over the classes, axis 1 (dim=1): over axis 0 of a [1, classes] row it gives all zeros" },
  { step: { hiddenTanh: true }, hint: "the slide keeps the new hidden state as i2h(concat), with no activation: the activation goes on the output (log-softmax)" },
];

/** The student's outputs at every letter of `word`, then the hidden state, from initHidden. */
function trace(rnn: SlideRNN, xs: tf.Tensor[]): { outputs: number[][]; problem?: Verdict } {
  return scoped((): { outputs: number[][]; problem?: Verdict } => {
    rnn.initHidden();
    const outputs: number[][] = [];
    for (const x of xs) {
      const out: unknown = rnn.forward(x);
      if (!isTensor(out)) return { outputs, problem: { ok: false, message: `RNN.forward returned ${kind(out)}; expected the output, a tensor [1, outputSize]`, hint: "return output at the end of forward" } };
      outputs.push(numbers(out));
    }
    const hidden: unknown = rnn.hidden;
    if (!isTensor(hidden) || hidden.isDisposed) return { outputs, problem: { ok: false, message: `after forward, rnn.hidden is ${isTensor(hidden) ? "a freed tensor" : kind(hidden)}; expected the new hidden state [1, hiddenSize]`, hint: "save the new hidden state for the next letter: this.hidden = hidden" } };
    outputs.push(numbers(hidden));
    return { outputs };
  });
}

/** The structure the slide asks for: two Linear layers on the concat, registered, and a zero hidden state. */
function structureProblem(rnn: SlideRNN): Verdict | null {
  const { input, hidden, output } = SIZES;
  const sizes = `with inputSize ${input}, hiddenSize ${hidden}, outputSize ${output}`;
  for (const [layer, out] of [["i2h", hidden], ["i2o", output]] as const) {
    const l = (rnn as unknown as Record<string, unknown>)[layer] as LinearLike | undefined;
    if (!l || !isTensor(l.weight)) {
      return { ok: false, message: `RNN has no ${layer} layer (rnn.${layer} is ${kind(l)})`, hint: `this.${layer} = this.registerModule("${layer}", new nn.Linear(inputSize + hiddenSize, ${layer === "i2h" ? "hiddenSize" : "outputSize"}))` };
    }
    const [rows, cols] = l.weight.shape;
    if (rows !== out) {
      return { ok: false, message: `${sizes}, ${layer} gives ${rows} features; expected ${out} (${layer === "i2h" ? "hiddenSize" : "outputSize"})`, hint: layer === "i2h" ? "i2h makes the next hidden state: Linear(inputSize + hiddenSize, hiddenSize)" : "i2o makes the output scores: Linear(inputSize + hiddenSize, outputSize)" };
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

function hiddenProblem(rnn: SlideRNN): Verdict | null {
  const h: unknown = rnn.hidden;
  const expected = showShape([1, SIZES.hidden]);
  if (!isTensor(h) || h.isDisposed) {
    return { ok: false, message: `after initHidden(), rnn.hidden is ${isTensor(h) ? "a freed tensor" : kind(h)}; expected zeros ${expected}`, hint: "initHidden sets the state, as the slide's self.hidden = torch.zeros(1, hidden_size): this.hidden = tf.zeros([1, this.hiddenSize])" };
  }
  if (!tf.util.arraysEqual(h.shape, [1, SIZES.hidden])) {
    return { ok: false, message: `after initHidden(), rnn.hidden has shape ${showShape(h.shape)}; expected ${expected}`, hint: "one row (a batch of one word) of hiddenSize zeros: tf.zeros([1, this.hiddenSize])" };
  }
  if (numbers(h).some((v) => v !== 0)) return { ok: false, message: "after initHidden(), rnn.hidden is not all zeros", hint: "each word starts from a zero hidden state: tf.zeros, not a random draw" };
  return null;
}

/**
 * The slide's RNN class: `new RNN(inputSize, hiddenSize, outputSize, seed)`
 * with i2h and i2o (nn.Linear, registered) on concat(input, hidden), the
 * hidden state kept between letters, log-softmax outputs, initHidden
 * resetting the state to zeros [1, hiddenSize].
 */
export function rnnClass(RNNClass: SlideRNNClass): Verdict {
  const name = "RNN";
  const { input, hidden, output } = SIZES;
  let rnn: SlideRNN;
  try {
    rnn = new RNNClass(input, hidden, output, 0);
  } catch (err) {
    return report(thrownVerdict(name, err));
  }
  const started = rnn.hidden;
  try {
    const verdict = rnnBehaviour(rnn);
    return report(verdict);
  } catch (err) {
    return report(thrownVerdict(name, err, [{ when: /disposed|reading 'backend'/i, hint: "a tensor was freed before use: keep the hidden state in this.hidden, set by initHidden and forward" }]));
  } finally {
    if (isTensor(started)) started.dispose();
    rnn.dispose();
  }
}

function rnnBehaviour(rnn: SlideRNN): Verdict {
  const name = "RNN";
  const structure = structureProblem(rnn);
  if (structure) return structure;
  let problem: Verdict | null = null;
  tf.tidy(() => {
    rnn.initHidden();
    problem = hiddenProblem(rnn);
  });
  if (problem) return problem;
  for (const word of WORDS) {
    const verdict = scoped((): Verdict | null => {
      const xs = letters(word, SIZES.input);
      const got = trace(rnn, xs);
      if (got.problem) return got.problem;
      const flat = got.outputs.flat();
      // The right step must match outputs and the hidden state; a mistake, the outputs (its hidden state may be anything).
      const matches = (step: Step, outputsOnly = false) =>
        [false, true].some((hiddenFirst) => {
          const want = simulate(rnn, xs, SIZES.hidden, { ...step, hiddenFirst });
          return want !== null && (outputsOnly ? close(got.outputs.slice(0, -1).flat(), want.slice(0, -1).flat()) : close(flat, want.flat()));
        });
      if (matches({})) {
        // initHidden resets: the first letter again gives the first output again.
        const again = trace(rnn, xs.slice(0, 1)).outputs[0];
        if (!again || !close(again, got.outputs[0])) {
          return { ok: false, message: `${name}: after initHidden(), the first letter gives another output than the first time`, hint: "initHidden must reset this.hidden to zeros (not return new zeros, and not leave the old state)" };
        }
        return null;
      }
      const outputs = got.outputs.slice(0, -1);
      const stepOut = outputs.findIndex((o) => o.length !== SIZES.output);
      if (stepOut >= 0) {
        return { ok: false, message: `${name}.forward gives ${outputs[stepOut].length} numbers per letter; expected [1, outputSize] = [1,${SIZES.output}]`, hint: "forward returns the output (i2o's, after the activation), not the hidden state" };
      }
      const mistake = RNN_MISTAKES.find((m) => matches(m.step, true));
      const want = simulate(rnn, xs, SIZES.hidden, {})!.slice(0, -1).flat();
      return {
        ok: false,
        message: `${name}: outputs over a ${word.length}-letter word differ from log-softmax(i2o(concat(input, hidden))) (${differs(outputs.flat(), want)})`,
        hint: mistake?.hint ?? "per letter: concat = concat(input, hidden); output = i2o(concat); hidden = i2h(concat); this.hidden = hidden; return logSoftmax(output)",
      };
    });
    if (verdict) return verdict;
  }
  return { ok: true, message: `${name}: i2h and i2o read concat(input, hidden), the state carries from letter to letter, log-softmax outputs, initHidden resets` };
}

// ---------------------------------------------------------------------------
// trainWord(rnn, word, label, optimizer) → the loss, a number

/** One optimizer step on `lossFn`; the loss read as a number and freed, as train() should. */
function stepAndRead(optimizer: Optimizer, lossFn: () => tf.Scalar): number {
  const loss = optimizer.step(lossFn);
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}

/** The slide's train(): initHidden, every letter through the network, NLL of the last output, one step. */
function trainWordRef(rnn: SlideRNN, word: tf.Tensor, label: tf.Tensor, optimizer: Optimizer): number {
  return stepAndRead(optimizer, () => {
    rnn.initHidden();
    let output: tf.Tensor = tf.scalar(0);
    for (const letter of tf.unstack(word)) output = rnn.forward(letter);
    return nllLoss(output, label) as tf.Scalar;
  });
}

type TrainWord<R extends SlideRNN> = (rnn: R, word: tf.Tensor, label: tf.Tensor, optimizer: Optimizer) => number;

/** The mistakes made in the training step; exported for the tests. */
export const trainWordMistakes = {
  /** The loss summed over the outputs of every letter. */
  everyLetter: ((rnn, word, label, optimizer) =>
    stepAndRead(optimizer, () => {
      rnn.initHidden();
      return tf.addN(tf.unstack(word).map((letter) => nllLoss(rnn.forward(letter), label))) as tf.Scalar;
    })) as TrainWord<SlideRNN>,
  /** The loss computed but no step taken. */
  noStep: ((rnn, word, label) =>
    tf.tidy(() => {
      rnn.initHidden();
      let output: tf.Tensor = tf.scalar(0);
      for (const letter of tf.unstack(word)) output = rnn.forward(letter);
      return nllLoss(output, label).dataSync()[0];
    })) as TrainWord<SlideRNN>,
  /** initHidden forgotten: the second word reads the first word's freed state. */
  noReset: ((rnn, word, label, optimizer) =>
    stepAndRead(optimizer, () => {
      let output: tf.Tensor = tf.scalar(0);
      for (const letter of tf.unstack(word)) output = rnn.forward(letter);
      return nllLoss(output, label) as tf.Scalar;
    })) as TrainWord<SlideRNN>,
  /** The loss tensor returned as a number but never freed. */
  lossKept: ((rnn, word, label, optimizer) =>
    optimizer
      .step(() => {
        rnn.initHidden();
        let output: tf.Tensor = tf.scalar(0);
        for (const letter of tf.unstack(word)) output = rnn.forward(letter);
        return nllLoss(output, label) as tf.Scalar;
      })
      .dataSync()[0]) as TrainWord<SlideRNN>,
};

const TRAIN_ERRORS: ErrorHint[] = [
  { when: /disposed|reading 'backend'/i, hint: "the hidden state of the previous word was freed when its step ended: start every word with rnn.initHidden(), inside the function given to optimizer.step" },
  { when: /connection between|not a function of|Cannot compute gradient|varList/i, hint: "compute the loss inside the function given to optimizer.step (forward included), so that tfjs can trace it back to the parameters" },
];

/**
 * The slide's train(category_tensor, line_tensor): reset the hidden state,
 * feed the word letter by letter, NLL loss of the last output, one
 * optimizer step; returns the loss as a number and leaves no tensor behind.
 */
export function trainWord<R extends SlideRNN>(student: TrainWord<R>, RNNClass: SlideRNNClass<R>): Verdict {
  const name = "trainWord";
  const { input, hidden, output } = SIZES;
  let mine: R;
  let theirs: R;
  try {
    mine = new RNNClass(input, hidden, output, 5);
    theirs = new RNNClass(input, hidden, output, 5);
    theirs.loadStateDict(mine.stateDict());
  } catch (err) {
    const verdict = thrownVerdict("RNN", err);
    return report(verdict.notImplemented ? { ...verdict, message: `${name}: the RNN class it trains is not implemented yet` } : verdict);
  }
  const startedWith = [mine.hidden, theirs.hidden];
  const optimizers = [new SGD(mine.parameters(), { lr: 0.5 }), new SGD(theirs.parameters(), { lr: 0.5 })];
  const words = WORDS.map((w) => wordOf(w, input));
  const labels = [1, 2, 0].map((l) => tf.tensor1d([l], "int32"));
  try {
    for (let i = 0; i < words.length; i++) {
      const start = mine.parameters().map(numbers);
      const before = tf.memory().numTensors;
      let loss: unknown;
      try {
        loss = student(mine, words[i], labels[i], optimizers[0]);
      } catch (err) {
        return report(thrownVerdict(name, err, TRAIN_ERRORS));
      }
      const leaked = tf.memory().numTensors - before;
      if (typeof loss !== "number") {
        return report({
          ok: false,
          message: `${name} returned ${kind(loss)}; expected the loss as a number`,
          hint: isTensor(loss) ? "read it and free it: const value = loss.dataSync()[0]; loss.dispose(); return value" : "return the loss of this word (a number)",
        });
      }
      const want = trainWordRef(theirs, words[i], labels[i], optimizers[1]);
      const params = mine.parameters().map(numbers);
      const reference = theirs.parameters().map(numbers);
      const lossOk = Math.abs(loss - want) <= 1e-4 + 1e-4 * Math.abs(want);
      if (!lossOk || params.some((p, k) => !close(p, reference[k]))) {
        let hint = "initHidden, every letter through rnn.forward, nn.nllLoss(last output, label), all inside optimizer.step";
        if (lossOk && params.every((p, k) => close(p, start[k]))) hint = "the parameters did not change: take the step with optimizer.step(() => loss)";
        else if (lossOk) hint = "the loss matches but the update does not: one optimizer.step per word, with the optimizer given";
        else if (loss > want * 1.5 && WORDS[i].length > 1) hint = `the loss is ${(loss / want).toFixed(1)}× the slide's: the slide's loss is on the output after the last letter only (criterion(output, category) once, after the loop)`;
        else if (i > 0) hint = "the first word matched but not this one: does each word start from rnn.initHidden()?";
        return report({
          ok: false,
          message: lossOk ? `${name}: after word ${i + 1}, the parameters differ from the slide's step` : `${name} returned loss ${loss.toPrecision(5)} for word ${i + 1}; expected ${want.toPrecision(5)}`,
          hint,
        });
      }
      if (leaked > 0) {
        return report({ ok: false, message: `${name}: each call leaves ${leaked} tensor${leaked === 1 ? "" : "s"} behind (tf.memory().numTensors grows)`, hint: "free the loss once read (loss.dispose()), and make every tensor inside the function given to optimizer.step, initHidden's zeros too" });
      }
    }
    return report({ ok: true, message: `${name}: resets the state, reads every letter, NLL of the last output, one step per word, leaks nothing` });
  } finally {
    tf.dispose([...words, ...labels, ...startedWith.filter(isTensor)]);
    optimizers.forEach((o) => o.dispose());
    mine.dispose();
    theirs.dispose();
  }
}

// ---------------------------------------------------------------------------
// The batched model: lib's GRU or RNN over [batch, length, letters], then Linear.

/** The lab's WordClassifier: `rnn` (nn.GRU or nn.RNN, batchFirst) and `fc` (nn.Linear) on the last hidden state. */
export interface WordClassifierLike {
  rnn: { run(x: tf.Tensor): { output: tf.Tensor; hN: tf.Tensor }; constructor: { name: string } };
  fc: { forward(x: tf.Tensor): tf.Tensor };
  forward(x: tf.Tensor): tf.Tensor;
  dispose(): void;
}

export type WordClassifierClass<M extends WordClassifierLike = WordClassifierLike> = new (inputSize: number, hiddenSize: number, outputSize: number, cell?: "gru" | "rnn", seed?: number) => M;

/** Pre-padded one-hot words [batch, length, letters]: the padding (all-zero rows) comes first. */
function paddedBatch(inputSize: number, length: number, seed: number): tf.Tensor {
  const lengths = [length, length - 2, 2, length - 1];
  return tf.tidy(() =>
    tf.stack(
      lengths.map((n, b) => {
        const idx = Array.from({ length }, (_, t) => (t < length - n ? -1 : (seed * 5 + b * 3 + t * 7) % inputSize));
        return tf.oneHot(tf.tensor1d(idx, "int32"), inputSize).toFloat();
      }),
    ),
  );
}

/** What the batched model's forward can do wrong, from the model's own rnn and fc; exported for the tests. */
export const classifierMistakes = {
  firstStep: (m: WordClassifierLike, x: tf.Tensor) => m.fc.forward(m.rnn.run(x).output.slice([0, 0, 0], [-1, 1, -1]).squeeze([1])),
  meanOverTime: (m: WordClassifierLike, x: tf.Tensor) => m.fc.forward(m.rnn.run(x).output.mean(1)),
  softmax: (m: WordClassifierLike, x: tf.Tensor) => tf.softmax(classifierRef(m, x)),
  logSoftmax: (m: WordClassifierLike, x: tf.Tensor) => tf.logSoftmax(classifierRef(m, x)),
};

function classifierRef(m: WordClassifierLike, x: tf.Tensor): tf.Tensor {
  const hN = m.rnn.run(x).hN;
  return m.fc.forward(hN.slice([hN.shape[0] - 1], [1]).squeeze([0]));
}

const CLASSIFIER_HINTS: [keyof typeof classifierMistakes, string][] = [
  ["firstStep", "that is the hidden state after the first step, which has read only the padding or a letter: the last one (hN, or output at the last step) has read the whole word"],
  ["meanOverTime", "the mean over the steps mixes in the padding steps: classify from the last hidden state (hN), which has read the whole word"],
  ["softmax", "return the scores (logits): nn.crossEntropy applies the softmax itself; softmax in forward as well applies it twice"],
  ["logSoftmax", "return the scores (logits): nn.crossEntropy applies log-softmax itself, so log-softmax in forward is applied twice (harmless for the loss, but predict's softmax would be of log-probabilities)"],
];

/**
 * The batched classifier: `new WordClassifier(inputSize, hiddenSize,
 * outputSize, cell, seed)` holds `rnn` (nn.GRU or nn.RNN as `cell` says,
 * batchFirst) and `fc` (nn.Linear(hiddenSize, outputSize)); forward maps
 * [batch, length, inputSize] to logits [batch, outputSize] from the last
 * hidden state.
 */
export function wordClassifier<M extends WordClassifierLike>(ModelClass: WordClassifierClass<M>): Verdict {
  const name = "WordClassifier";
  const [input, hidden, output] = [6, 5, 3];
  for (const cell of ["gru", "rnn"] as const) {
    let model: M;
    try {
      model = new ModelClass(input, hidden, output, cell, 1);
    } catch (err) {
      return report(thrownVerdict(name, err));
    }
    try {
      const want = cell === "gru" ? "GRU" : "RNN";
      const got = model.rnn?.constructor?.name;
      if (got !== want) {
        return report({ ok: false, message: `${name} with cell "${cell}" has rnn = ${got ?? kind(model.rnn)}; expected nn.${want}`, hint: `this.rnn = this.registerModule("rnn", cell === "gru" ? new nn.GRU(...) : new nn.RNN(...))` });
      }
      const verdict = scoped((): Verdict | null => {
        const x = paddedBatch(input, 6, cell === "gru" ? 1 : 2);
        let out: unknown;
        try {
          out = model.forward(x);
        } catch (err) {
          return thrownVerdict(name, err, [{ when: /features|batchFirst/i, hint: "the input is [batch, length, letters]: build the recurrent layer with { batchFirst: true }" }]);
        }
        if (!isTensor(out)) return { ok: false, message: `${name}.forward returned ${kind(out)}; expected logits [batch, outputSize]` };
        const expected = [x.shape[0], output];
        if (!tf.util.arraysEqual(out.shape, expected)) {
          const hint =
            out.shape[0] === x.shape[1]
              ? "the first axis came out as the word length: the input is [batch, length, letters], so build the recurrent layer with { batchFirst: true }"
              : out.rank === 3
                ? "forward returns one score vector per word: take the last hidden state (hN[0] or output at the last step), then fc"
                : `fc maps hiddenSize → outputSize: new nn.Linear(hiddenSize, outputSize)`;
          return { ok: false, message: `${name}.forward on ${showShape(x.shape)} gives ${showShape(out.shape)}; expected ${showShape(expected)}`, hint };
        }
        const ref = classifierRef(model, x);
        if (!close(numbers(out), numbers(ref))) {
          const sameAs = (k: keyof typeof classifierMistakes) => close(numbers(out as tf.Tensor), numbers(classifierMistakes[k](model, x)));
          const hint = CLASSIFIER_HINTS.find(([k]) => sameAs(k))?.[1] ?? "forward: logits = fc(the last hidden state of rnn.run(x)), with no activation after fc";
          return { ok: false, message: `${name}.forward differs from fc(last hidden state) (${differs(numbers(out), numbers(ref))})`, hint };
        }
        return null;
      });
      if (verdict) return report(verdict);
    } finally {
      model.dispose();
    }
  }
  return report({ ok: true, message: `${name}: nn.GRU or nn.RNN (batchFirst) as asked, logits from the last hidden state through fc` });
}

// ---------------------------------------------------------------------------
// predict(model, word, n) → the n likeliest languages

export interface Guess {
  language: string;
  probability: number;
}

/** What predict needs from a model (lib's train.Model). */
export interface PredictModel {
  forward(x: tf.Tensor): tf.Tensor;
  parameters(): tf.Variable[];
  train(mode?: boolean): unknown;
  eval(): unknown;
}

type Predict = (model: PredictModel, word: string, n: number) => unknown;

/** Logits that depend on the letters read: each letter column adds a seeded row of scores. */
class FakeModel implements PredictModel {
  lastInput: number[] | null = null;
  lastShape: number[] | null = null;
  constructor(private readonly classes: number, private readonly seed: number) {}
  forward(x: tf.Tensor): tf.Tensor {
    this.lastShape = x.shape.slice();
    this.lastInput = numbers(x);
    return tf.tidy(() => {
      const counts = x.rank === 3 ? x.sum(1) : x.sum(0, true);
      const scores = tf.randomNormal([counts.shape[1]!, this.classes], 0, 2, "float32", this.seed);
      return counts.matMul(scores).add(tf.randomNormal([1, this.classes], 0, 0.5, "float32", this.seed + 1));
    });
  }
  parameters(): tf.Variable[] {
    return [];
  }
  train(): void {}
  eval(): void {}
}

/** The reference's guesses for the logits the fake model gave. */
function topGuesses(logits: number[], classNames: readonly string[], n: number): Guess[] {
  const max = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e
    .map((v, i) => ({ language: classNames[i], probability: v / total }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, n);
}

/**
 * predict(model, word, n): the n likeliest languages of one word, likeliest
 * first, as { language, probability } with the softmax of the model's
 * scores; leaves no tensor behind.
 */
export function predict(student: Predict, classNames: readonly string[]): Verdict {
  const name = "predict";
  const C = classNames.length;
  for (const [word, n, seed] of [["cheval", 3, 1], ["abeja", 2, 2], ["zug", Math.min(4, C), 3]] as const) {
    const model = new FakeModel(C, seed);
    const before = tf.memory().numTensors;
    let got: unknown;
    try {
      got = student(model, word, n);
    } catch (err) {
      return report(thrownVerdict(name, err));
    }
    const leaked = tf.memory().numTensors - before;
    const call = `${name}(model, ${JSON.stringify(word)}, ${n})`;
    if (!model.lastShape) return report({ ok: false, message: `${call} never called model.forward`, hint: "run the word through the model: model.forward(wordsToBatch([word]))" });
    if (model.lastShape.length !== 3 || model.lastShape[0] !== 1) {
      return report({ ok: false, message: `${call} gave model.forward a tensor of shape ${showShape(model.lastShape)}; expected [1, length, letters]`, hint: "the model takes a batch: one word is a batch of one, wordsToBatch([word])" });
    }
    const logits = scoped(() => numbers(model.forward(tf.tensor(model.lastInput!, model.lastShape!))));
    const want = topGuesses(logits, classNames, n);
    const guesses = Array.isArray(got) ? (got as Partial<Guess>[]) : null;
    if (!guesses || guesses.some((g) => typeof g?.language !== "string" || typeof g?.probability !== "number")) {
      return report({ ok: false, message: `${call} returned ${kind(got)}; expected an array of { language, probability }` });
    }
    if (guesses.length !== n) return report({ ok: false, message: `${call} returned ${guesses.length} guesses; expected ${n}`, hint: "the n likeliest: tf.topk(probabilities, n)" });
    const probs = guesses.map((g) => g.probability!);
    const all = topGuesses(logits, classNames, C);
    const same = (a: number[], b: number[]) => close(a, b);
    if (!same(probs, want.map((g) => g.probability)) || guesses.some((g, i) => g.language !== want[i].language)) {
      let hint = "softmax of the scores, then the n largest, likeliest first, each with its language name (LANGUAGE_NAMES[index])";
      const raw = [...logits].sort((a, b) => b - a).slice(0, n);
      if (same(probs, raw)) hint = "those are the raw scores (logits): turn them into probabilities with tf.softmax first";
      else if (same(probs, want.map((g) => 100 * g.probability))) hint = "probabilities are between 0 and 1: print them as percentages, but return them as fractions";
      else if (same(probs, all.slice(C - n).reverse().map((g) => g.probability)) || same(probs, all.slice(C - n).map((g) => g.probability))) hint = "those are the least likely: tf.topk gives the largest first";
      else if (same(probs, [...want].reverse().map((g) => g.probability))) hint = "likeliest first: tf.topk sorts from the largest";
      else if (same(probs, want.map((g) => g.probability)) && guesses.some((g) => g.language !== undefined)) hint = "the probabilities are right but not the names: the language of index i is LANGUAGE_NAMES[i] (topk's indices)";
      const shown = (gs: Partial<Guess>[]) => gs.map((g) => `${g.language} ${(100 * g.probability!).toFixed(1)}%`).join(", ");
      return report({ ok: false, message: `${call} gave ${shown(guesses)}; expected ${shown(want)}`, hint });
    }
    if (leaked > 0) return report({ ok: false, message: `${name}: each call leaves ${leaked} tensor${leaked === 1 ? "" : "s"} behind`, hint: "wrap the tensor work in tf.tidy and return plain numbers (dataSync / arraySync)" });
  }
  return report({ ok: true, message: `${name}: softmax of the scores, the n likeliest first with their names, no tensor left behind` });
}

// ---------------------------------------------------------------------------
// Results kept across cells, and the bar.

/**
 * What the training cells produced, kept apart from them so that a cell
 * below an unfinished TODO says "not implemented yet" instead of failing on
 * a missing name.
 *
 *   const results = new check.tp4b.Results<{ gru: Trained }>();
 *   results.set("gru", { ... });   results.get("gru").accuracy
 */
export class Results<R extends Record<string, unknown>> {
  private readonly values = new Map<keyof R, unknown>();

  set<K extends keyof R>(name: K, value: R[K]): R[K] {
    this.values.set(name, value);
    return value;
  }

  /** The result; throws a not-implemented error when the cell that makes it did not run to the end. */
  get<K extends keyof R>(name: K): R[K] {
    if (!this.values.has(name)) {
      const err = new NotImplementedError(String(name));
      err.message = `not implemented: "${String(name)}" has no result yet — the cell that makes it did not run to the end (a TODO it uses is not implemented yet?)`;
      throw err;
    }
    return this.values.get(name) as R[K];
  }

  has(name: keyof R): boolean {
    return this.values.has(name);
  }
}

/**
 * The lab's bar: held-out accuracy ≥ `min` with at least `minLanguages`
 * languages. `accuracy` may be a function (reading a Results), so that an
 * unfinished training says "not implemented yet" here too.
 */
export function heldOutAccuracy(accuracy: number | (() => number), languages: number, options: { min?: number; minLanguages?: number; model?: string } = {}): Verdict {
  const min = options.min ?? 0.75;
  const minLanguages = options.minLanguages ?? 5;
  const what = `${options.model ?? "the model"}'s held-out accuracy`;
  if (typeof accuracy === "function") {
    try {
      accuracy = accuracy();
    } catch (err) {
      const verdict = thrownVerdict(what, err);
      return report(verdict.notImplemented ? { ...verdict, message: `${what}: not implemented yet (its training cell did not run to the end)` } : verdict);
    }
  }
  if (languages < minLanguages) return report({ ok: false, message: `${what}: ${languages} languages; the bar is ${minLanguages} or more`, hint: "keep at least five languages in LANGUAGES" });
  if (!(accuracy >= min)) {
    return report({ ok: false, message: `${what} is ${(100 * accuracy).toFixed(1)}% over ${languages} languages; the bar is ${100 * min}%`, hint: "did every check above pass? then train longer (epochs) or with a larger hidden state" });
  }
  return report({ ok: true, message: `${what} is ${(100 * accuracy).toFixed(1)}% over ${languages} languages (bar: ${100 * min}%)` });
}
