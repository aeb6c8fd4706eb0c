/**
 * TP4a's checks (convolutional networks on MNIST digits): a reference for
 * each TODO, the mistakes students make with the hint that names each one,
 * and the result checks (LeNet-5's test accuracy, fine-tuning beating
 * training from scratch). A check prints one line and returns the Verdict.
 *
 *   check.assertOk(check.tp4a.leNet(makeLeNet));
 *   // ✘ makeLeNet: the first Linear takes 256 features; LeNet-5 takes 16·5·5 = 400 — forgot padding: 2 on the first conv?
 *
 * Layout is PyTorch's, as lib/nn's: images [n, C, H, W], logits [n, classes],
 * labels as int32 class indices [n].
 */
import * as tf from "@tensorflow/tfjs";
import { Batch } from "../../data/dataset";
import { AvgPool2d, Conv2d, crossEntropy, Dropout, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential } from "../../nn";
import { Optimizer, SGD } from "../../optim";
import { checkFunction, Mistake } from "../checkFunction";
import { isNotImplemented } from "../notImplemented";
import { report, Verdict } from "../verdict";
import { showShape } from "../values";

export type ToModelInput = (raw: tf.Tensor4D) => tf.Tensor;
export type MakeLeNet = () => Module;
export type LossFn = (logits: tf.Tensor, y: tf.Tensor) => tf.Tensor;
export type Predict = (model: Module, x: tf.Tensor, batchSize: number) => tf.Tensor;
export type WithNewHead = (pretrained: Sequential, numClasses: number) => Module;
export type TrainEpoch = (model: Module, optimizer: Optimizer, loader: Iterable<Batch>, lossFn: (logits: tf.Tensor, y: tf.Tensor) => tf.Scalar) => number;

// ---------------------------------------------------------------------------
// The references.

function toModelInputRef(raw: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => raw.toFloat().div(255).transpose([0, 3, 1, 2]));
}

function makeLeNetRef(): Sequential {
  return new Sequential(
    new Conv2d(1, 6, 5, { padding: 2 }), new ReLU(), new MaxPool2d(2),
    new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2),
    new Flatten(),
    new Linear(16 * 5 * 5, 120), new ReLU(),
    new Linear(120, 84), new ReLU(),
    new Linear(84, 10),
  );
}

function lossFnRef(logits: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.logSoftmax(logits, 1).mul(tf.oneHot(y.toInt(), logits.shape[1]!)).sum(1).mean().neg() as tf.Scalar);
}

function predictRef(model: Module, x: tf.Tensor, batchSize: number): tf.Tensor1D {
  model.eval();
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < x.shape[0]!; start += batchSize) {
    const size = Math.min(batchSize, x.shape[0]! - start);
    parts.push(tf.tidy(() => model.forward(x.slice(start, size)).argMax(1)));
  }
  const predicted = tf.concat(parts) as tf.Tensor1D;
  tf.dispose(parts);
  return predicted;
}

function withNewHeadRef(pretrained: Sequential, numClasses: number): Sequential {
  const layers = pretrained.layers.slice(0, -1);
  const head = pretrained.layers[pretrained.layers.length - 1] as Linear;
  return new Sequential(...layers, new Linear(head.inFeatures, numClasses));
}

function trainEpochRef(model: Module, optimizer: Optimizer, loader: Iterable<Batch>, lossFn: (logits: tf.Tensor, y: tf.Tensor) => tf.Scalar): number {
  model.train();
  let total = 0;
  let batches = 0;
  for (const { x, y } of loader) {
    const loss = optimizer.step(() => lossFn(model.forward(x), y) as tf.Scalar);
    total += loss.dataSync()[0];
    batches++;
    loss.dispose();
  }
  return total / batches;
}

/** The lab's solutions, for graders and for building deliberately wrong versions in tests. */
export const reference = {
  toModelInput: toModelInputRef,
  makeLeNet: makeLeNetRef,
  lossFn: lossFnRef,
  predict: predictRef,
  withNewHead: withNewHeadRef,
  trainEpoch: trainEpochRef,
};

/** LeNet-5 for 28×28 inputs: its parameters' shapes, in order, and their count. */
export const LENET = {
  shapes: [[6, 1, 5, 5], [6], [16, 6, 5, 5], [16], [120, 400], [120], [84, 120], [84], [10, 84], [10]],
  parameters: 61706,
};

// ---------------------------------------------------------------------------
// What all checks share.

/** The verdict for what a student's code threw: "not implemented yet", or the error's first line with a hint. */
function thrownVerdict(name: string, err: unknown, hints: { when: RegExp; hint: string }[] = []): Verdict {
  if (isNotImplemented(err)) return { ok: false, notImplemented: true, message: `${name}: not implemented yet` };
  const message = (err instanceof Error ? err.message : String(err)).split("\n")[0];
  return { ok: false, message: `${name} threw: ${message}`, hint: hints.find((h) => h.when.test(message))?.hint };
}

/** Runs `fn`, turning a throw into a verdict. */
function attempt<T>(name: string, fn: () => T, hints?: { when: RegExp; hint: string }[]): { value: T } | { verdict: Verdict } {
  try {
    return { value: fn() };
  } catch (err) {
    return { verdict: thrownVerdict(name, err, hints) };
  }
}

/** Runs `fn` and frees every tensor it made (tf.tidy for results that are not tensors, such as verdicts). */
function scoped<T>(fn: () => T): T {
  tf.engine().startScope();
  try {
    return fn();
  } finally {
    tf.engine().endScope();
  }
}

const notYet = (name: string, what: string): Verdict => report({ ok: false, notImplemented: true, message: `${name}: ${what} — not implemented yet` });

function isModule(m: unknown): m is Module {
  return m instanceof Module || (m !== null && typeof m === "object" && typeof (m as Module).forward === "function" && typeof (m as Module).parameters === "function");
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** Seeds the check draws with: tfjs draws unseeded for a seed of 0, so never 0. */
const SEED = 7;

// ---------------------------------------------------------------------------
// toModelInput(raw): [n, H, W, C] bytes → [n, C, H, W] float32 in [0, 1]

function rawImages(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  // Below 230, so that dividing by the batch's maximum is told apart from dividing by 255.
  return tf.tidy(() => tf.randomUniform(shape, 0, 230, "float32", seed).floor().toInt() as tf.Tensor4D);
}

export const toModelInputMistakes = {
  /** Channels left last: [n, H, W, C]. */
  channelsLast: (raw: tf.Tensor4D) => tf.tidy(() => raw.toFloat().div(255)),
  /** A reshape where a transpose belongs: right shape, channels scattered. */
  reshapeNotTranspose: (raw: tf.Tensor4D) => tf.tidy(() => { const [n, h, w, c] = raw.shape; return raw.toFloat().div(255).reshape([n, c, h, w]); }),
  /** Bytes kept as they are: [0, 255]. */
  notScaled: (raw: tf.Tensor4D) => tf.tidy(() => raw.toFloat().transpose([0, 3, 1, 2])),
  /** Divided by the batch's maximum rather than by 255. */
  byBatchMax: (raw: tf.Tensor4D) => tf.tidy(() => raw.toFloat().div(raw.max().toFloat()).transpose([0, 3, 1, 2])),
  /** int32 ÷ 255 without a cast: tfjs divides integers with floor, so nearly all pixels become 0. */
  noCast: (raw: tf.Tensor4D) => tf.tidy(() => raw.div(tf.scalar(255, "int32")).transpose([0, 3, 1, 2])),
};

/** Grey 28×28 images and 3-channel 5×6 ones (where a reshape is not a transpose). */
export function toModelInput(student: ToModelInput): Verdict {
  const name = "toModelInput";
  const shapes: [number, number, number, number][] = [[4, 28, 28, 1], [2, 5, 6, 3], [3, 7, 4, 3]];
  const inputs = (seed: number): [tf.Tensor4D] => [rawImages(shapes[(seed - SEED) % shapes.length], seed)];
  const first = scoped((): Verdict | null => {
    const tried = attempt(name, () => student(inputs(SEED)[0]));
    if ("verdict" in tried) return tried.verdict;
    const out = tried.value;
    if (!(out instanceof tf.Tensor)) return { ok: false, message: `${name} returned ${typeof out}; expected a tensor [n, C, H, W]` };
    if (out.dtype !== "float32") {
      return { ok: false, message: `${name} returned dtype ${out.dtype}; expected float32`, hint: "cast first with raw.toFloat(): integer division rounds every pixel but white down to 0" };
    }
    return null;
  });
  if (first) return report(first);
  const M = toModelInputMistakes;
  const hints: Mistake<[tf.Tensor4D]>[] = [
    { mistake: M.channelsLast, hint: "the channels are still last ([n, H, W, C], tfjs/Keras layout): nn.Conv2d takes PyTorch's [n, C, H, W] — transpose([0, 3, 1, 2])" },
    { mistake: M.reshapeNotTranspose, hint: "a reshape keeps the memory order, so the channels of 3-channel images get scattered: move the axis with transpose([0, 3, 1, 2])" },
    { mistake: M.notScaled, hint: "pixels still in [0, 255]: divide by 255, so inputs lie in [0, 1] like the kit's loaders and PyTorch's ToTensor give them" },
    { mistake: M.byBatchMax, hint: "divided by the batch's maximum: divide by 255, so the same pixel gives the same input in every batch" },
    { mistake: M.noCast, hint: "integer division: cast with toFloat() before dividing by 255" },
    { when: (actual) => actual instanceof tf.Tensor && actual.max().dataSync()[0] > 1.5, hint: "values above 1: divide the bytes by 255" },
  ];
  return checkFunction(student, toModelInputRef, { name, inputs, hints, seed: SEED, trials: shapes.length });
}

// ---------------------------------------------------------------------------
// makeLeNet(): LeNet-5 for [n, 1, 28, 28] inputs

/** The activations a Sequential holds; null for a model of another shape (not counted then). */
function activations(model: Module): number | null {
  if (!(model instanceof Sequential)) return null;
  return model.layers.filter((l) => !(l instanceof Conv2d || l instanceof Linear || l instanceof Flatten || l instanceof MaxPool2d || l instanceof AvgPool2d || l instanceof Dropout || l.parameters().length)).length;
}

/** Why the parameter shapes differ from LeNet-5's, as precisely as can be told. */
function lenetShapeProblem(shapes: number[][]): Verdict | null {
  const firstLinear = shapes.find((s) => s.length === 2);
  if (firstLinear && firstLinear[1] === 16 * 4 * 4) {
    return {
      ok: false,
      message: `makeLeNet: the first Linear takes ${firstLinear[1]} features; LeNet-5's takes 16·5·5 = 400`,
      hint: "forgot padding: 2 on the first conv? Without it 28×28 → 24 → 12 → 8 → 4, so the flatten gives 16·4·4 = 256 instead of 400",
    };
  }
  for (let i = 0; i < LENET.shapes.length; i++) {
    const got = shapes[i];
    const want = LENET.shapes[i];
    if (!got || !tf.util.arraysEqual(got, want)) {
      const what = ["conv1 weight", "conv1 bias", "conv2 weight", "conv2 bias", "fc1 weight", "fc1 bias", "fc2 weight", "fc2 bias", "fc3 weight", "fc3 bias"][i];
      return {
        ok: false,
        message: `makeLeNet: parameter ${i + 1} (${what}) has shape ${got ? showShape(got) : "none"}; LeNet-5 has ${showShape(want)}`,
        hint: "conv 6@5×5 (padding 2) → pool → conv 16@5×5 → pool → Linear 400→120 → 84 → 10; weights are [out, in, kH, kW] and [out, in]",
      };
    }
  }
  return null;
}

/** Output [n, 10] for [n, 1, 28, 28] inputs, LeNet-5's parameters (61,706), logits (no softmax), activations between layers. */
export function leNet(makeLeNet: MakeLeNet): Verdict {
  const name = "makeLeNet";
  const built = attempt(name, () => makeLeNet());
  if ("verdict" in built) return report(built.verdict);
  const model = built.value;
  if (!isModule(model)) return report({ ok: false, message: `${name} returned ${model === undefined ? "undefined" : typeof model}; expected an nn.Module (e.g. new nn.Sequential(...))` });
  try {
    const verdict = scoped((): Verdict | null => {
      model.eval();
      const x = tf.randomUniform([3, 1, 28, 28], 0, 1, "float32", SEED);
      const ran = attempt(name, () => model.forward(x), [
        { when: /input has 256 features.*expected 400/, hint: "forgot padding: 2 on the first conv? Without it the flatten gives 16·4·4 = 256 features; LeNet-5's first Linear takes 16·5·5 = 400" },
        { when: /features.*expected/, hint: "the first Linear's in-features must be what Flatten gives: 16 channels · 5 · 5 = 400 with padding 2 on the first conv" },
        { when: /channels/, hint: "images are [n, 1, 28, 28]: the first conv takes 1 channel, the second takes the first's 6" },
      ]);
      if ("verdict" in ran) return ran.verdict;
      const out = ran.value;
      if (!tf.util.arraysEqual(out.shape, [3, 10])) {
        const hint = out.rank === 4 ? "flatten before the Linear layers (nn.Flatten)" : "the last Linear gives 10 logits, one per digit";
        return { ok: false, message: `${name}: output has shape ${showShape(out.shape)} for 3 images of [1, 28, 28]; expected [3, 10]`, hint };
      }
      const sums = out.sum(1).dataSync();
      const nonNegative = out.min().dataSync()[0] >= 0;
      if (nonNegative && Array.from(sums).every((s) => Math.abs(s - 1) < 1e-4)) {
        return {
          ok: false,
          message: `${name}: the outputs are probabilities (each row sums to 1); expected logits`,
          hint: "drop the final Softmax: nn.crossEntropy (like PyTorch's CrossEntropyLoss) applies log-softmax itself, so a softmax before it is applied twice",
        };
      }
      return null;
    });
    if (verdict) return report(verdict);
    const shapes = model.parameters().map((p) => p.shape);
    const count = model.parameters().reduce((n, p) => n + p.size, 0);
    const shapeProblem = lenetShapeProblem(shapes);
    if (shapeProblem) return report(shapeProblem);
    if (count !== LENET.parameters) {
      return report({ ok: false, message: `${name}: ${fmt(count)} parameters; LeNet-5 has ${fmt(LENET.parameters)}`, hint: "extra layers, or a bias switched off?" });
    }
    const acts = activations(model);
    if (acts !== null && acts < 4) {
      return report({
        ok: false,
        message: `${name}: ${acts} activation layer(s); LeNet-5 has one after each conv and each hidden Linear (4)`,
        hint: "add nn.ReLU() after both convs and the 120 and 84 layers: without them, stacked linear layers collapse into one",
      });
    }
    return report({ ok: true, message: `${name}: LeNet-5 — [n,1,28,28] → [n,10] logits, ${fmt(count)} parameters (156 + 2,416 + 48,120 + 10,164 + 850)` });
  } finally {
    model.dispose();
  }
}

// ---------------------------------------------------------------------------
// lossFn(logits, y): the mean cross-entropy, y class indices

export const lossFnMistakes = {
  /** A softmax before the cross-entropy, which applies (log-)softmax again. */
  doubleSoftmax: (logits: tf.Tensor, y: tf.Tensor) => tf.tidy(() => crossEntropy(tf.softmax(logits), y)),
  /** Summed over the batch instead of averaged. */
  sumNotMean: (logits: tf.Tensor, y: tf.Tensor) => tf.tidy(() => crossEntropy(logits, y).mul(logits.shape[0]!)),
  /** The labels used as if they were one-hot rows: broadcast along the class axis. */
  labelsAsOneHot: (logits: tf.Tensor, y: tf.Tensor) => tf.tidy(() => tf.logSoftmax(logits, 1).mul(y.toFloat()).sum(1).mean().neg()),
  /** log of the logits, no softmax at all. */
  noSoftmax: (logits: tf.Tensor, y: tf.Tensor) => tf.tidy(() => logits.mul(tf.oneHot(y.toInt(), logits.shape[1]!)).sum(1).mean().neg()),
};

const ONE_HOT_HINT =
  "y holds class indices [n] (int32), not one-hot rows [n, 10]: make them one-hot with tf.oneHot(y, 10) before multiplying — or pass the indices to nn.crossEntropy (PyTorch's F.cross_entropy takes indices too)";

/** Batch sizes of the trials: 10 = the number of classes, where indices used as one-hot broadcast silently. */
const LOSS_BATCHES = [8, 10, 5];

export function lossFn(student: LossFn): Verdict {
  const name = "lossFn";
  const inputs = (seed: number): [tf.Tensor, tf.Tensor] => {
    const n = LOSS_BATCHES[(seed - SEED) % LOSS_BATCHES.length];
    return [tf.randomNormal([n, 10], 0, 2, "float32", seed), tf.randomUniform([n], 0, 10, "float32", seed + 100).floor().toInt()];
  };
  for (let t = 0; t < LOSS_BATCHES.length; t++) {
    const failed = scoped((): Verdict | null => {
      const ran = attempt(name, () => student(...inputs(SEED + t)), [
        { when: /broadcast/i, hint: ONE_HOT_HINT },
        { when: /float target|dtype float32, expected int32/, hint: "keep y as int32 class indices: nn.crossEntropy takes indices, or one-hot rows of the logits' shape" },
      ]);
      if ("verdict" in ran) return ran.verdict;
      const out = ran.value;
      if (out instanceof tf.Tensor && out.rank !== 0) {
        return { ok: false, message: `${name} returned shape ${showShape(out.shape)}; expected a scalar (the batch mean)`, hint: "reduce the per-example losses with .mean()" };
      }
      return null;
    });
    if (failed) return report(failed);
  }
  const M = lossFnMistakes;
  return checkFunction(student, lossFnRef, {
    name,
    inputs,
    seed: SEED,
    trials: LOSS_BATCHES.length,
    hints: [
      { mistake: M.doubleSoftmax, hint: "softmax applied before the cross-entropy (double softmax): pass the logits — the loss applies log-softmax itself, as PyTorch's CrossEntropyLoss does" },
      { mistake: M.labelsAsOneHot, hint: ONE_HOT_HINT },
      { mistake: M.sumNotMean, hint: "summed over the batch: take the mean, so the learning rate does not depend on the batch size" },
      { mistake: M.noSoftmax, hint: "log-softmax missing: the cross-entropy is −log softmax(logits)[y], not −logits[y]" },
    ],
  });
}

// ---------------------------------------------------------------------------
// predict(model, x, batchSize): class indices, in eval mode, in batches, no leaks

/** A model that records, at every forward, its mode and the batch size. */
class Spy extends Module {
  readonly modes: boolean[] = [];
  readonly batches: number[] = [];
  constructor(readonly inner: Module) {
    super();
    this.registerModule("inner", inner);
  }
  forward(x: tf.Tensor): tf.Tensor {
    this.modes.push(this.training);
    this.batches.push(x.shape[0] ?? 1);
    return this.inner.forward(x);
  }
}

/** A small classifier with Dropout (so eval mode matters), on [n, 3, 2, 2] inputs, 4 classes. */
function dropoutNet(seed: number): Sequential {
  return new Sequential(new Flatten(), new Linear(12, 16, { seed }), new ReLU(), new Dropout(0.5, { seed: seed + 1 }), new Linear(16, 4, { seed: seed + 2 }));
}

export const predictMistakes = {
  /** Dropout left on: no model.eval(). */
  noEval: (model: Module, x: tf.Tensor, batchSize: number) => {
    model.train();
    const parts: tf.Tensor[] = [];
    for (let s = 0; s < x.shape[0]!; s += batchSize) parts.push(tf.tidy(() => model.forward(x.slice(s, Math.min(batchSize, x.shape[0]! - s))).argMax(1)));
    const out = tf.concat(parts);
    tf.dispose(parts);
    return out;
  },
  /** Scores returned, not class indices. */
  scores: (model: Module, x: tf.Tensor) => {
    model.eval();
    return model.forward(x);
  },
  /** argMax over the batch axis. */
  argMaxAxis0: (model: Module, x: tf.Tensor) => {
    model.eval();
    return tf.tidy(() => model.forward(x).argMax(0));
  },
  /** Right answer, but every batch's intermediate tensors are left behind. */
  leaks: (model: Module, x: tf.Tensor, batchSize: number) => {
    model.eval();
    const parts: tf.Tensor[] = [];
    for (let s = 0; s < x.shape[0]!; s += batchSize) parts.push(model.forward(x.slice(s, Math.min(batchSize, x.shape[0]! - s))).argMax(1));
    return tf.concat(parts);
  },
  /** The whole set in one forward pass. */
  oneBatch: (model: Module, x: tf.Tensor) => {
    model.eval();
    return tf.tidy(() => model.forward(x).argMax(1));
  },
};

export function predict(student: Predict): Verdict {
  const name = "predict";
  const n = 70;
  const batchSize = 32;
  const x = tf.randomNormal([n, 3, 2, 2], 0, 1, "float32", SEED);
  const spy = new Spy(dropoutNet(SEED));
  const reference = dropoutNet(SEED);
  try {
    spy.train();
    const before = tf.memory().numTensors;
    const ran = attempt(name, () => student(spy, x, batchSize));
    if ("verdict" in ran) return report(ran.verdict);
    const out = ran.value;
    if (!(out instanceof tf.Tensor)) return report({ ok: false, message: `${name} returned ${typeof out}; expected a tensor of class indices [n]` });
    const leaked = tf.memory().numTensors - before - 1;
    try {
      if (out.rank === 2) {
        return report({ ok: false, message: `${name} returned shape ${showShape(out.shape)}: scores; expected class indices [${n}]`, hint: "take the class with the highest score: .argMax(1)" });
      }
      if (!tf.util.arraysEqual(out.shape, [n])) {
        const hint = out.shape[0] === 4 ? "argMax over axis 1, the classes — axis 0 is the batch" : undefined;
        return report({ ok: false, message: `${name} returned shape ${showShape(out.shape)} for ${n} images; expected [${n}]`, hint });
      }
      if (spy.modes.some((m) => m)) {
        return report({
          ok: false,
          message: `${name}: the model was in training mode during the forward pass, so Dropout dropped units and the predictions are random`,
          hint: "call model.eval() first (PyTorch: model.eval()); the training loop switches back with model.train()",
        });
      }
      const expected = tf.tidy(() => predictRef(reference, x, batchSize));
      const same = scoped(() => expected.equal(out.toInt()).all().dataSync()[0] === 1);
      expected.dispose();
      if (!same) return report({ ok: false, message: `${name}: the predicted classes differ from the reference's`, hint: "argMax(1) of the model's output, batch by batch, in order" });
      if (Math.max(...spy.batches) > batchSize) {
        return report({
          ok: false,
          message: `${name}: forward ran on ${Math.max(...spy.batches)} images at once; expected batches of at most batchSize = ${batchSize}`,
          hint: "slice x into batches (x.slice(start, size)), predict each, then tf.concat: a whole test set at once can exhaust memory",
        });
      }
      if (leaked > 0) {
        return report({
          ok: false,
          message: `${name}: ${leaked} tensor(s) left behind (tf.memory().numTensors grew by ${leaked + 1} for 1 result)`,
          hint: "wrap each batch's work in tf.tidy(() => ...), and dispose the per-batch parts after tf.concat",
        });
      }
      return report({ ok: true, message: `${name}: eval mode, batches of ≤ ${batchSize}, class indices [${n}] as the reference, no tensors left behind` });
    } finally {
      out.dispose();
    }
  } finally {
    tf.dispose(x);
    spy.dispose();
    reference.dispose();
  }
}

// ---------------------------------------------------------------------------
// withNewHead(pretrained, numClasses): the pretrained features, a fresh last Linear

/** A "pretrained" net: Flatten, Linear 12→8, ReLU, Linear 8→3 (its head), with seeded weights. */
function tinyPretrained(seed: number): Sequential {
  return new Sequential(new Flatten(), new Linear(12, 8, { seed }), new ReLU(), new Linear(8, 3, { seed: seed + 1 }));
}

export const withNewHeadMistakes = {
  /** The old head kept: still 3 outputs. */
  keepHead: (pretrained: Sequential) => pretrained,
  /** A new network: the pretrained weights thrown away. */
  freshNetwork: (pretrained: Sequential, numClasses: number) => new Sequential(new Flatten(), new Linear(12, 8), new ReLU(), new Linear(8, numClasses)),
  /** A Linear added after the old head instead of replacing it. */
  stacked: (pretrained: Sequential, numClasses: number) => new Sequential(...pretrained.layers, new Linear(3, numClasses)),
};

export function withNewHead(student: WithNewHead): Verdict {
  const name = "withNewHead";
  const pretrained = tinyPretrained(SEED);
  const original = pretrained.namedParameters().map(([k, p]) => [k, p.clone()] as const);
  const ran = attempt(name, () => student(pretrained, 5));
  try {
    if ("verdict" in ran) return report(ran.verdict);
    const model = ran.value;
    if (!isModule(model)) return report({ ok: false, message: `${name} returned ${typeof model}; expected an nn.Module` });
    const verdict = scoped((): Verdict => {
      model.eval();
      const out = model.forward(tf.randomNormal([6, 3, 2, 2], 0, 1, "float32", SEED));
      if (tf.util.arraysEqual(out.shape, [6, 3])) {
        return { ok: false, message: `${name}: the output has the pretrained model's 3 classes; expected numClasses = 5`, hint: "replace the last Linear (the head) by a new nn.Linear(head.inFeatures, numClasses)" };
      }
      if (!tf.util.arraysEqual(out.shape, [6, 5])) return { ok: false, message: `${name}: output has shape ${showShape(out.shape)}; expected [6, 5]` };
      const params = model.parameters();
      const kept = original.slice(0, 2).every(([, w]) => params.some((p) => tf.util.arraysEqual(p.shape, w.shape) && p.sub(w).abs().max().dataSync()[0] < 1e-6));
      if (!kept) {
        return { ok: false, message: `${name}: the feature layers do not hold the pretrained weights`, hint: "reuse the pretrained layers (pretrained.layers.slice(0, -1)): a new network throws away what pretraining learned" };
      }
      if (params.length > 4 || params.some((p) => tf.util.arraysEqual(p.shape, [3, 8]))) {
        return { ok: false, message: `${name}: the old head (Linear 8→3) is still in the model`, hint: "replace the last layer rather than adding one after it: drop pretrained.layers' last entry" };
      }
      return { ok: true, message: `${name}: pretrained features kept, a new Linear(8 → 5) head` };
    });
    return report(verdict);
  } finally {
    tf.dispose(original.map(([, w]) => w));
    // The student's model shares the pretrained layers; disposing a tensor twice is harmless.
    if ("value" in ran && isModule(ran.value) && typeof ran.value.dispose === "function") ran.value.dispose();
    pretrained.dispose();
  }
}

// ---------------------------------------------------------------------------
// trainEpoch(model, optimizer, loader, lossFn): one pass, by hand

function trainingSet(seed: number): Batch[] {
  return [0, 1, 2, 3].map((i) => ({
    x: tf.randomNormal([8, 3, 2, 2], 0, 1, "float32", seed + 10 * i),
    y: tf.tidy(() => tf.randomUniform([8], 0, 4, "float32", seed + 10 * i + 1).floor().toInt()),
  }));
}

export const trainEpochMistakes = {
  /** No model.train(): after predict's model.eval(), Dropout stays off. */
  noTrainMode: (model: Module, optimizer: Optimizer, loader: Iterable<Batch>, lossFn: LossFn) => {
    let total = 0;
    let n = 0;
    for (const { x, y } of loader) {
      const loss = optimizer.step(() => lossFn(model.forward(x), y) as tf.Scalar);
      total += loss.dataSync()[0];
      n++;
      loss.dispose();
    }
    return total / n;
  },
  /** The loss optimizer.step returns is never disposed. */
  leaksLoss: (model: Module, optimizer: Optimizer, loader: Iterable<Batch>, lossFn: LossFn) => {
    model.train();
    let total = 0;
    let n = 0;
    for (const { x, y } of loader) {
      total += optimizer.step(() => lossFn(model.forward(x), y) as tf.Scalar).dataSync()[0];
      n++;
    }
    return total / n;
  },
  /** The loss computed, the parameters never updated. */
  noStep: (model: Module, optimizer: Optimizer, loader: Iterable<Batch>, lossFn: LossFn) => {
    model.train();
    let total = 0;
    let n = 0;
    for (const { x, y } of loader) {
      total += scoped(() => lossFn(model.forward(x), y).dataSync()[0]);
      n++;
    }
    return total / n;
  },
};

export function trainEpoch(student: TrainEpoch): Verdict {
  const name = "trainEpoch";
  const batches = trainingSet(SEED);
  const spy = new Spy(dropoutNet(SEED));
  const reference = dropoutNet(SEED);
  try {
    spy.eval();
    const optimizer = new SGD(spy.parameters(), { lr: 0.1 });
    const before = tf.memory().numTensors;
    const ran = attempt(name, () => student(spy, optimizer, batches, lossFnRef));
    if ("verdict" in ran) return report(ran.verdict);
    const leaked = tf.memory().numTensors - before;
    if (spy.modes.length === 0) return report({ ok: false, message: `${name}: the model never ran`, hint: "for (const { x, y } of loader) { ... model.forward(x) ... }" });
    if (spy.modes.some((m) => !m)) {
      return report({
        ok: false,
        message: `${name}: the model was in eval mode while training, so Dropout was off`,
        hint: "call model.train() before the loop (PyTorch: model.train()): predict() left the model in eval mode",
      });
    }
    const expectedLoss = trainEpochRef(reference, new SGD(reference.parameters(), { lr: 0.1 }), batches, lossFnRef);
    const moved = scoped(() => reference.parameters().reduce((m: number, p, i) => Math.max(m, p.sub(spy.parameters()[i]).abs().max().dataSync()[0]), 0));
    if (moved > 1e-4) {
      const unchanged = scoped(() => { const fresh = dropoutNet(SEED); const same = fresh.parameters().every((p, i) => p.sub(spy.parameters()[i]).abs().max().dataSync()[0] < 1e-7); fresh.dispose(); return same; });
      return report(unchanged
        ? { ok: false, message: `${name}: the parameters did not change`, hint: "tfjs has no loss.backward(): optimizer.step(() => loss) computes the gradients and updates the parameters" }
        : { ok: false, message: `${name}: the parameters after one epoch differ from the reference's (max |Δ| ${moved.toPrecision(3)})`, hint: "one optimizer.step per batch, on lossFn(model.forward(x), y)" });
    }
    const got = ran.value;
    if (typeof got !== "number" || Math.abs(got - expectedLoss) > 1e-4 * Math.max(1, Math.abs(expectedLoss))) {
      return report({ ok: false, message: `${name} returned ${typeof got === "number" ? got.toFixed(5) : typeof got}; expected the epoch's mean batch loss ${expectedLoss.toFixed(5)}`, hint: "add up each batch's loss (await loss.data() or dataSync()) and divide by the number of batches" });
    }
    if (leaked > 0) {
      return report({ ok: false, message: `${name}: ${leaked} tensor(s) left behind after one epoch`, hint: "dispose the loss that optimizer.step returns once you have read it (PyTorch frees it for you)" });
    }
    return report({ ok: true, message: `${name}: train mode, one step per batch, same parameters and mean loss as the reference, no tensors left behind` });
  } finally {
    tf.dispose(batches.flatMap((b) => [b.x, b.y]));
    spy.dispose();
    reference.dispose();
  }
}

// ---------------------------------------------------------------------------
// Results.

/** The trained LeNet's accuracy on the test set, computed here (eval mode, batches): at least `minimum`. */
export function leNetAccuracy(model: Module | undefined, test: Batch | undefined, minimum = 0.97): Verdict {
  const name = "LeNet-5 test accuracy";
  if (!model || !test) return notYet(name, "no trained LeNet yet (makeLeNet, lossFn and the training cell)");
  const count = model.parameters().reduce((n, p) => n + p.size, 0);
  if (count !== LENET.parameters) return report({ ok: false, message: `${name}: the model has ${fmt(count)} parameters, not LeNet-5's ${fmt(LENET.parameters)}` });
  const predicted = predictRef(model, test.x, 500);
  const accuracy = scoped(() => predicted.equal(test.y.toInt()).toFloat().mean().dataSync()[0]);
  predicted.dispose();
  const line = `${(100 * accuracy).toFixed(2)}% on ${test.x.shape[0]} test images`;
  if (accuracy >= minimum) return report({ ok: true, message: `${name}: ${line} (≥ ${100 * minimum}%)` });
  return report({
    ok: false,
    message: `${name}: ${line}; expected ≥ ${100 * minimum}%`,
    hint: accuracy < 0.2 ? "chance level: is the loss decreasing? logits (no softmax) and int32 labels into the loss?" : "train longer (more epochs) or check the learning rate; inputs must be in [0, 1]",
  });
}

/** Fine-tuning ends above training from scratch, with the same budget (the same number of epochs). */
export function fineTuneWins(fineTuned: number[] | undefined, scratch: number[] | undefined): Verdict {
  const name = "fine-tuning vs scratch";
  if (!fineTuned?.length || !scratch?.length) return notYet(name, "no accuracies yet (withNewHead, trainEpoch and the fine-tuning cell)");
  if (fineTuned.length !== scratch.length) {
    return report({ ok: false, message: `${name}: ${fineTuned.length} epochs fine-tuned but ${scratch.length} from scratch; compare at equal budget` });
  }
  const [a, b] = [fineTuned[fineTuned.length - 1], scratch[scratch.length - 1]];
  const line = `${(100 * a).toFixed(1)}% fine-tuned vs ${(100 * b).toFixed(1)}% from scratch after ${fineTuned.length} epochs`;
  if (a > b) return report({ ok: true, message: `${name}: ${line}` });
  return report({ ok: false, message: `${name}: ${line}; fine-tuning should win`, hint: "did the fine-tuned model start from the pretrained weights (data.pretrained.fashionCnn()) with only the head replaced?" });
}
