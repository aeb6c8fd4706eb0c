/**
 * Loss functions, as functions (`crossEntropy(logits, target)`, like
 * `F.cross_entropy`) and as modules (`new CrossEntropyLoss()`, like
 * `nn.CrossEntropyLoss`). All average over the batch by default.
 *
 *   const loss = nn.crossEntropy(model.forward(x), tf.tensor1d([0, 1, 1], "int32"));
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { logSoftmax } from "./functional";
import { NLL_LOSS, SOFTMAX_CROSS_ENTROPY, fusedOnThisBackend } from "../backend/fused";
import { fusedForward, recordingSecondOrder } from "./fused";
import { Module } from "./module";
import { check, showShape, valueRange } from "./shapes";

/** How per-example losses are combined: averaged (default), summed, or returned as they are. */
export type Reduction = "mean" | "sum" | "none";

/** Arguments of the losses (`nn.crossEntropy`, `nn.CrossEntropyLoss`, …). */
export interface LossArgs {
  /** Default "mean". */
  reduction?: Reduction;
}

function reduce(losses: tf.Tensor, reduction: Reduction): tf.Tensor {
  if (reduction === "mean") return losses.mean();
  if (reduction === "sum") return losses.sum();
  return losses;
}

/** The size of axis 1, the class axis of `[N, C, …]`. */
function numClasses(scores: tf.Tensor): number {
  return scores.shape[1] ?? 1;
}

/** Moves the class axis of `[N, C, d1, …]` last and flattens to `[N·d1·…, C]`. */
function classesLast(x: tf.Tensor): tf.Tensor {
  if (x.rank <= 2) return x;
  const perm = [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1];
  return x.transpose(perm).reshape([-1, numClasses(x)]);
}

/**
 * −Σ log p[target] over the examples: the negative log-likelihood of class
 * indices under log-probabilities, like PyTorch's `nll_loss`.
 *
 * Shape: logProbs `[N, C]` (or `[N, C, d1, …]`), target int32 `[N]`
 * (or `[N, d1, …]`) with values in 0…C−1 → a scalar (or `[N, …]` with
 * reduction "none").
 */
export function nllLoss(logProbs: tf.Tensor, target: tf.Tensor, args: LossArgs = {}): tf.Tensor {
  checkClassIndices("nllLoss", logProbs, target);
  const reduction = args.reduction ?? "mean";
  return tf.tidy(() => {
    const rows = classesLast(logProbs);
    const labels = target.rank === 1 ? target : target.flatten();
    // Linear in logProbs, its gradient is a constant: right at any order.
    if (fusedOnThisBackend(NLL_LOSS)) {
      const losses = fusedLoss(NLL_LOSS, rows, labels, reduction);
      return reduction === "none" && target.rank !== 1 ? losses.reshape(target.shape) : losses;
    }
    const picked = rows
      .mul(tf.oneHot(labels, numClasses(logProbs)))
      .sum(1)
      .neg();
    return reduce(picked.reshape(target.shape), reduction);
  });
}

/** The loss of rows of scores `[M, C]` against class indices `[M]`, by one of the kernels of nn/fused.ts. */
function fusedLoss(kernel: string, scores: tf.Tensor, target: tf.Tensor, reduction: Reduction): tf.Tensor {
  const [loss, delta] = tf.engine().runKernel(kernel, { scores, target }, { reduction }) as unknown as tf.Tensor[];
  // The gradient tape keeps its own handle on delta, when a gradient is being taken.
  delta.dispose();
  return loss;
}

/**
 * −Σ_c y_c log softmax(logits)_c, averaged over the batch — PyTorch's
 * `nn.CrossEntropyLoss`: the softmax is inside, so pass raw scores (logits).
 *
 * Shape: logits `[N, C]` (or `[N, C, d1, …]`); target either class indices,
 * int32 `[N]` (or `[N, d1, …]`), or probabilities / one-hot rows, float32
 * with the logits' shape → a scalar (or per-example with reduction "none").
 */
export function crossEntropy(logits: tf.Tensor, target: tf.Tensor, args: LossArgs = {}): tf.Tensor {
  check(
    logits.rank >= 2,
    "crossEntropy",
    () =>
      `logits have shape ${showShape(logits.shape)}, expected [batch, classes] — for one example, add a batch axis with expandDims(0)`,
  );
  if (target.dtype === "float32") {
    check(
      tf.util.arraysEqual(target.shape, logits.shape),
      "crossEntropy",
      () =>
        `float target has shape ${showShape(target.shape)} but logits have ${showShape(logits.shape)}: ` +
        `probability targets need the logits' shape; class indices must be int32 (tf.tensor1d(labels, "int32"))`,
    );
    return tf.tidy(() => {
      const losses = target.mul(logSoftmax(logits, 1)).sum(1).neg();
      return reduce(losses, args.reduction ?? "mean");
    });
  }
  checkClassIndices("crossEntropy", logits, target);
  return tf.tidy(() => {
    const losses = crossEntropyRows(
      classesLast(logits),
      target.rank === 1 ? target : target.flatten(),
      args.reduction ?? "mean",
    );
    return args.reduction === "none" && target.rank !== 1 ? losses.reshape(target.shape) : losses;
  });
}

/**
 * Cross-entropy of logits [M, C] against class indices [M], with its
 * gradient written out, (softmax − one-hot)·dy: one step of backprop instead
 * of one per op of log-softmax, one-hot product and reduction — on wasm each
 * op costs more than the arithmetic of a small batch. Where lib/backend has
 * the kernel (nn/fused.ts), loss, reduction and gradient are that one kernel.
 */
function crossEntropyRows(logits: tf.Tensor, target: tf.Tensor, reduction: Reduction): tf.Tensor {
  if (fusedForward(SOFTMAX_CROSS_ENTROPY)) return fusedLoss(SOFTMAX_CROSS_ENTROPY, logits, target, reduction);
  // The written-out gradient treats softmax − one-hot as a constant: right for a gradient, not for a gradient of
  // one. Nor have tfjs's logSoftmax and max a second-order gradient: shifted logits − log Σ exp, in plain ops,
  // with the shift read out as a constant (it cancels in the value and in every gradient).
  if (recordingSecondOrder()) {
    const shifted = logits.sub(tf.tensor(logits.max(1, true).dataSync(), [logits.shape[0], 1]));
    const logProbs = shifted.sub(shifted.exp().sum(1, true).log());
    return reduce(logProbs.mul(tf.oneHot(target, logits.shape[1]!).toFloat()).sum(1).neg(), reduction);
  }
  const rows = logits.shape[0];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = [args[0] as tf.Tensor, args[1] as tf.GradSaveFunc];
    const logProbs = logSoftmax(x, 1);
    const oneHot = tf.oneHot(target, x.shape[1]!).toFloat();
    save([logProbs.exp().sub(oneHot)]);
    return {
      value: reduce(logProbs.mul(oneHot).sum(1).neg(), reduction),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const scale = reduction === "none" ? dy.reshape([rows, 1]) : reduction === "mean" ? dy.div(rows) : dy;
        return saved[0].mul(scale);
      },
    };
  });
  return op(logits);
}

function checkClassIndices(fn: string, scores: tf.Tensor, target: tf.Tensor): void {
  check(scores.rank >= 2, fn, () => `scores have shape ${showShape(scores.shape)}, expected [batch, classes]`);
  check(
    scores.dtype === "float32",
    fn,
    () =>
      `scores have dtype ${scores.dtype}, expected float32 — the model's outputs go first, the int32 class indices second`,
  );
  check(
    target.dtype === "int32",
    fn,
    () =>
      `target has dtype ${target.dtype}, expected int32 class indices — use tf.tensor1d(labels, "int32"), or argMax(1) of one-hot rows`,
  );
  const expected = [scores.shape[0], ...scores.shape.slice(2)];
  check(
    tf.util.arraysEqual(target.shape, expected),
    fn,
    () =>
      `target has shape ${showShape(target.shape)}, expected ${showShape(expected)} (one class index per example) for scores ${showShape(scores.shape)}`,
  );
  const [low, high] = valueRange(target);
  const classes = numClasses(scores);
  check(
    target.size === 0 || (low >= 0 && high < classes),
    fn,
    () =>
      `target has class indices from ${low} to ${high}, expected 0 to ${classes - 1} — are the labels counted from 1?`,
  );
}

/** mean((input − target)²): the mean squared error, like PyTorch's `mse_loss`. Shapes must match. */
export function mse(input: tf.Tensor, target: tf.Tensor, args: LossArgs = {}): tf.Tensor {
  checkSameShape("mse", input, target);
  return tf.tidy(() => reduce(tf.squaredDifference(input, target), args.reduction ?? "mean"));
}

/**
 * −[y log p + (1 − y) log(1 − p)] for probabilities p in [0, 1] (after a
 * sigmoid), like PyTorch's `binary_cross_entropy`; each log is clamped at
 * −100 as PyTorch does, so p = 0 or 1 gives a large finite loss.
 */
export function binaryCrossEntropy(probs: tf.Tensor, target: tf.Tensor, args: LossArgs = {}): tf.Tensor {
  checkSameShape("binaryCrossEntropy", probs, target);
  return tf.tidy(() => {
    const logP = probs.log().maximum(-100);
    const logNotP = tf.scalar(1).sub(probs).log().maximum(-100);
    const losses = target.mul(logP).add(tf.scalar(1).sub(target).mul(logNotP)).neg();
    return reduce(losses, args.reduction ?? "mean");
  });
}

/**
 * binaryCrossEntropy(σ(x), y), computed stably from the logits x as
 * max(x, 0) − x·y + log(1 + e^−|x|), like PyTorch's `BCEWithLogitsLoss`.
 */
export function binaryCrossEntropyWithLogits(logits: tf.Tensor, target: tf.Tensor, args: LossArgs = {}): tf.Tensor {
  checkSameShape("binaryCrossEntropyWithLogits", logits, target);
  return tf.tidy(() => {
    const losses = logits.relu().sub(logits.mul(target)).add(logits.abs().neg().exp().log1p());
    return reduce(losses, args.reduction ?? "mean");
  });
}

function checkSameShape(fn: string, input: tf.Tensor, target: tf.Tensor): void {
  check(
    tf.util.arraysEqual(input.shape, target.shape),
    fn,
    () =>
      `input has shape ${showShape(input.shape)} but target has ${showShape(target.shape)} — they must match (reshape the target, e.g. y.reshape([-1, 1]))`,
  );
  check(
    target.dtype === "float32",
    fn,
    () => `target has dtype ${target.dtype}, expected float32 — use target.toFloat()`,
  );
}

/** A loss as a module: `forward(input, target)` returns the loss. */
abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(args: LossArgs = {}) {
    super();
    this.reduction = args.reduction ?? "mean";
  }

  abstract forward(input: tf.Tensor, target?: tf.Tensor): tf.Tensor;

  protected target(target: tf.Tensor | undefined): tf.Tensor {
    if (!target)
      throw new Error(`${this.constructor.name}: forward(input, target) needs the target as second argument`);
    return target;
  }

  protected extraRepr(): string {
    return this.reduction === "mean" ? "" : `reduction=${this.reduction}`;
  }
}

/** `nn.CrossEntropyLoss`: see `crossEntropy`. */
export class CrossEntropyLoss extends Loss {
  forward(logits: tf.Tensor, target?: tf.Tensor): tf.Tensor {
    return crossEntropy(logits, this.target(target), { reduction: this.reduction });
  }
}

/** `nn.NLLLoss`: see `nllLoss`. */
export class NLLLoss extends Loss {
  forward(logProbs: tf.Tensor, target?: tf.Tensor): tf.Tensor {
    return nllLoss(logProbs, this.target(target), { reduction: this.reduction });
  }
}

/** `nn.MSELoss`: see `mse`. */
export class MSELoss extends Loss {
  forward(input: tf.Tensor, target?: tf.Tensor): tf.Tensor {
    return mse(input, this.target(target), { reduction: this.reduction });
  }
}

/** `nn.BCELoss`: see `binaryCrossEntropy`. */
export class BCELoss extends Loss {
  forward(probs: tf.Tensor, target?: tf.Tensor): tf.Tensor {
    return binaryCrossEntropy(probs, this.target(target), { reduction: this.reduction });
  }
}

/** `nn.BCEWithLogitsLoss`: see `binaryCrossEntropyWithLogits`. */
export class BCEWithLogitsLoss extends Loss {
  forward(logits: tf.Tensor, target?: tf.Tensor): tf.Tensor {
    return binaryCrossEntropyWithLogits(logits, this.target(target), { reduction: this.reduction });
  }
}
