/**
 * TP4a's typical mistakes, each a deliberately wrong implementation with the
 * hint a student whose outputs equal its outputs gets. Release records what
 * each computes; the tests run each through the public check.
 */
import * as tf from "@tensorflow/tfjs";
import type { Mistake } from "../../lab";
import type { Batch } from "../../../lib/data/dataset";
import {
  AvgPool2d,
  Conv2d,
  crossEntropy,
  Flatten,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
  Softmax,
  Tanh,
} from "../../../lib/nn";
import type { Optimizer } from "../../../lib/optim";
import type {
  LossFn,
  MakeLeNet,
  Predict,
  ToModelInput,
  TrainEpoch,
  WithNewHead,
} from "../../../lib/check/labs/tp4a-cnn";

// ---------------------------------------------------------------------------
// toModelInput

/** Channels left last: [n, H, W, C]. */
export const channelsLast = (raw: tf.Tensor4D) => tf.tidy(() => raw.toFloat().div(255));
/** A reshape where a transpose belongs: right shape, channels scattered. */
export const reshapeNotTranspose = (raw: tf.Tensor4D) =>
  tf.tidy(() => {
    const [n, h, w, c] = raw.shape;
    return raw.toFloat().div(255).reshape([n, c, h, w]);
  });
/** Bytes kept as they are: [0, 255]. */
export const notScaled = (raw: tf.Tensor4D) => tf.tidy(() => raw.toFloat().transpose([0, 3, 1, 2]));
/** Divided by the batch's maximum rather than by 255. */
export const byBatchMax = (raw: tf.Tensor4D) =>
  tf.tidy(() => raw.toFloat().div(raw.max().toFloat()).transpose([0, 3, 1, 2]));
/** int32 ÷ 255 without a cast: tfjs divides integers with floor, so nearly all pixels become 0 (the dtype check names it). */
export const noCast = (raw: tf.Tensor4D) => tf.tidy(() => raw.div(tf.scalar(255, "int32")).transpose([0, 3, 1, 2]));

export const toModelInputMistakes: Mistake<ToModelInput>[] = [
  {
    fn: channelsLast,
    hint: "the channels are still last ([n, H, W, C], tfjs/Keras layout): nn.Conv2d takes PyTorch's [n, C, H, W] — transpose([0, 3, 1, 2])",
  },
  {
    fn: reshapeNotTranspose,
    hint: "a reshape keeps the memory order, so the channels of 3-channel images get scattered: move the axis with transpose([0, 3, 1, 2])",
  },
  {
    fn: notScaled,
    hint: "pixels still in [0, 255]: divide by 255, so inputs lie in [0, 1] like the kit's loaders and PyTorch's ToTensor give them",
  },
  {
    fn: byBatchMax,
    hint: "divided by the batch's maximum: divide by 255, so the same pixel gives the same input in every batch",
  },
];

// ---------------------------------------------------------------------------
// makeLeNet

/** LeNet-5 with another activation, or none (`null`), or average pooling. */
export const leNetWith =
  (options: { act?: () => Module | null; pool?: () => Module } = {}): MakeLeNet =>
  () => {
    const act = options.act ?? (() => new ReLU());
    const pool = options.pool ?? (() => new MaxPool2d(2));
    const layers = [
      new Conv2d(1, 6, 5, { padding: 2 }),
      act(),
      pool(),
      new Conv2d(6, 16, 5),
      act(),
      pool(),
      new Flatten(),
      new Linear(400, 120),
      act(),
      new Linear(120, 84),
      act(),
      new Linear(84, 10),
    ];
    return new Sequential(...layers.filter((l): l is Module => l !== null));
  };

/** tanh, the 1998 original's activation, where the lab asks for ReLU. */
export const tanhLeNet = leNetWith({ act: () => new Tanh() });
/** No activations: the stacked linear maps collapse into one. */
export const noActivations = leNetWith({ act: () => null });
/** Average pooling where LeNet-5 here max-pools. */
export const avgPoolLeNet = leNetWith({ pool: () => new AvgPool2d(2) });
/** A Softmax after the last Linear (the shape and probability checks name it first). */
export const softmaxLeNet: MakeLeNet = () => new Sequential(...(leNetWith()() as Sequential).layers, new Softmax(-1));

export const leNetMistakes: Mistake<MakeLeNet>[] = [
  {
    fn: noActivations,
    hint: "no activations: add nn.ReLU() after both convs and the 120 and 84 layers — without them, stacked linear layers collapse into one",
  },
  {
    fn: tanhLeNet,
    hint: "the activations: this lab's LeNet-5 uses nn.ReLU() after both convs and the 120 and 84 layers (the 1998 original used tanh)",
  },
  { fn: avgPoolLeNet, hint: "the pooling: nn.MaxPool2d(2) after each conv's ReLU, not average pooling" },
];

// ---------------------------------------------------------------------------
// lossFn

/** A softmax before the cross-entropy, which applies (log-)softmax again. */
export const doubleSoftmax = (logits: tf.Tensor, y: tf.Tensor) => tf.tidy(() => crossEntropy(tf.softmax(logits), y));
/** Summed over the batch instead of averaged. */
export const sumNotMean = (logits: tf.Tensor, y: tf.Tensor) =>
  tf.tidy(() => crossEntropy(logits, y).mul(logits.shape[0]!));
/** The labels used as if they were one-hot rows: broadcast along the class axis. */
export const labelsAsOneHot = (logits: tf.Tensor, y: tf.Tensor) =>
  tf.tidy(() => tf.logSoftmax(logits, 1).mul(y.toFloat()).sum(1).mean().neg());
/** log of the logits, no softmax at all. */
export const noSoftmax = (logits: tf.Tensor, y: tf.Tensor) =>
  tf.tidy(() => logits.mul(tf.oneHot(y.toInt(), logits.shape[1]!)).sum(1).mean().neg());
/** Per-example losses, not their mean (the scalar check names it). */
export const perExample = (logits: tf.Tensor, y: tf.Tensor) =>
  tf.tidy(() => tf.logSoftmax(logits, 1).mul(tf.oneHot(y.toInt(), 10)).sum(1).neg());

export const ONE_HOT_HINT =
  "y holds class indices [n] (int32), not one-hot rows [n, 10]: make them one-hot with tf.oneHot(y, 10) before multiplying — or pass the indices to nn.crossEntropy (PyTorch's F.cross_entropy takes indices too)";

export const lossFnMistakes: Mistake<LossFn>[] = [
  {
    fn: doubleSoftmax,
    hint: "softmax applied before the cross-entropy (double softmax): pass the logits — the loss applies log-softmax itself, as PyTorch's CrossEntropyLoss does",
  },
  { fn: labelsAsOneHot, hint: ONE_HOT_HINT },
  {
    fn: sumNotMean,
    hint: "summed over the batch: take the mean, so the learning rate does not depend on the batch size",
  },
  { fn: noSoftmax, hint: "log-softmax missing: the cross-entropy is −log softmax(logits)[y], not −logits[y]" },
];

// ---------------------------------------------------------------------------
// predict (the property checks name most of these before the recorded outputs do)

/** Dropout left on: no model.eval(). */
export const noEval: Predict = (model, x, batchSize) => {
  model.train();
  const parts: tf.Tensor[] = [];
  for (let s = 0; s < x.shape[0]!; s += batchSize)
    parts.push(tf.tidy(() => model.forward(x.slice(s, Math.min(batchSize, x.shape[0]! - s))).argMax(1)));
  const out = tf.concat(parts);
  tf.dispose(parts);
  return out;
};
/** Scores returned, not class indices. */
export const scores: Predict = (model, x) => model.eval().forward(x);
/** argMax over the batch axis. */
export const argMaxAxis0: Predict = (model, x) => tf.tidy(() => model.eval().forward(x).argMax(0));
/** Right answer, but every batch's intermediate tensors are left behind. */
export const leaks: Predict = (model, x, batchSize) => {
  model.eval();
  const parts: tf.Tensor[] = [];
  for (let s = 0; s < x.shape[0]!; s += batchSize)
    parts.push(model.forward(x.slice(s, Math.min(batchSize, x.shape[0]! - s))).argMax(1));
  return tf.concat(parts);
};
/** The whole set in one forward pass. */
export const oneBatch: Predict = (model, x) => tf.tidy(() => model.eval().forward(x).argMax(1));

/** Scores ([n, classes] floats, the largest record of all) are left to the rank check, which names them. */
export const predictMistakes: Mistake<Predict>[] = [
  {
    fn: noEval,
    hint: "call model.eval() first (PyTorch: model.eval()); the training loop switches back with model.train()",
  },
  { fn: argMaxAxis0, hint: "argMax over axis 1, the classes — axis 0 is the batch" },
  {
    fn: oneBatch,
    hint: "slice x into batches (x.slice(start, size)), predict each, then tf.concat: a whole test set at once can exhaust memory",
  },
  { fn: leaks, hint: "wrap each batch's work in tf.tidy(() => ...), and dispose the per-batch parts after tf.concat" },
];

// ---------------------------------------------------------------------------
// withNewHead

/** The old head kept: still 3 outputs. */
export const keepHead: WithNewHead = (pretrained) => pretrained;
/** A new network: the pretrained weights thrown away. */
export const freshNetwork: WithNewHead = (pretrained, numClasses) =>
  new Sequential(new Flatten(), new Linear(12, 8), new ReLU(), new Linear(8, numClasses));
/** A Linear added after the old head instead of replacing it. */
export const stacked: WithNewHead = (pretrained, numClasses) =>
  new Sequential(...pretrained.layers, new Linear(3, numClasses));

export const withNewHeadMistakes: Mistake<WithNewHead>[] = [
  { fn: keepHead, hint: "replace the last Linear (the head) by a new nn.Linear(head.inFeatures, numClasses)" },
  {
    fn: freshNetwork,
    hint: "reuse the pretrained layers (pretrained.layers.slice(0, -1)): a new network throws away what pretraining learned",
  },
  { fn: stacked, hint: "replace the last layer rather than adding one after it: drop pretrained.layers' last entry" },
];

// ---------------------------------------------------------------------------
// trainEpoch

/** One epoch written out, with each of the usual slips switchable. */
function epoch(options: { trainMode?: boolean; step?: boolean; dispose?: boolean; mean?: boolean }): TrainEpoch {
  return (model: Module, optimizer: Optimizer, loader: Iterable<Batch>, lossFn) => {
    if (options.trainMode ?? true) model.train();
    let total = 0;
    let n = 0;
    for (const { x, y } of loader) {
      const loss =
        (options.step ?? true) ? optimizer.step(() => lossFn(model.forward(x), y)) : lossFn(model.forward(x), y);
      total += loss.dataSync()[0];
      n++;
      if (options.dispose ?? true) loss.dispose();
    }
    return (options.mean ?? true) ? total / n : total;
  };
}

/** No model.train(): after predict's model.eval(), Dropout stays off. */
export const noTrainMode = epoch({ trainMode: false });
/** The loss optimizer.step returns is never disposed. */
export const leaksLoss = epoch({ dispose: false });
/** The loss computed, the parameters never updated. */
export const noStep = epoch({ step: false });
/** The sum of the batch losses returned, not their mean. */
export const sumOfLosses = epoch({ mean: false });

export const trainEpochMistakes: Mistake<TrainEpoch>[] = [
  {
    fn: noTrainMode,
    hint: "call model.train() before the loop (PyTorch: model.train()): predict() left the model in eval mode",
  },
  {
    fn: noStep,
    hint: "tfjs has no loss.backward(): optimizer.step(() => loss) computes the gradients and updates the parameters",
  },
  {
    fn: leaksLoss,
    hint: "dispose the loss that optimizer.step returns once you have read it (PyTorch frees it for you)",
  },
  {
    fn: sumOfLosses,
    hint: "return the epoch's mean batch loss: add up each batch's loss (dataSync()[0]) and divide by the number of batches",
  },
];
