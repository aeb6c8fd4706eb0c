/**
 * The stateless functions the layers and losses are built from, like
 * PyTorch's `torch.nn.functional`. Each works along any axis and has a
 * gradient on every tfjs backend.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { LINEAR, LOG_SOFTMAX, fusedOnThisBackend } from "../backend/fused";
import { check, checkFloat, showShape } from "./shapes";

/**
 * `op` along axis `dim`: tfjs's softmax ops work on the last axis only, so
 * another axis is swapped to the end and back.
 */
function alongAxis(x: tf.Tensor, dim: number, op: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const axis = dim < 0 ? x.rank + dim : dim;
  if (axis === x.rank - 1) return op(x);
  return tf.tidy(() => {
    const perm = x.shape.map((_, i) => (i === axis ? x.rank - 1 : i === x.rank - 1 ? axis : i));
    return op(x.transpose(perm)).transpose(perm);
  });
}

/**
 * log softmax(x)ᵢ = xᵢ − log Σⱼ exp(xⱼ), computed stably along `dim`, with
 * the written-out gradient dy − softmax·Σdy (the gradient through the max
 * that makes it stable is zero, and not computed): one kernel each way
 * where lib/backend has one (nn/fused.ts), tfjs's logSoftmax elsewhere.
 */
export function logSoftmax(x: tf.Tensor, dim = -1): tf.Tensor {
  const lastAxis = fusedOnThisBackend(LOG_SOFTMAX)
    ? (t: tf.Tensor) => tf.engine().runKernel(LOG_SOFTMAX, { x: t }) as tf.Tensor
    : (t: tf.Tensor) => tf.logSoftmax(t);
  return alongAxis(x, dim, lastAxis);
}

/** softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along `dim`; rows that are all −∞ give NaN, as in PyTorch. */
export function softmax(x: tf.Tensor, dim = -1): tf.Tensor {
  return alongAxis(x, dim, (t) => tf.softmax(t));
}

/** GELU(x) = x · Φ(x) = ½ x (1 + erf(x / √2)), the exact form PyTorch uses by default. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(x.div(Math.SQRT2).erf().add(1)).mul(0.5));
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1−p),
 * so the expected value is unchanged; the identity when `training` is false.
 */
export function dropout(x: tf.Tensor, p: number, training: boolean, seed: number): tf.Tensor {
  if (!training || p === 0) return x;
  if (p === 1) return tf.zerosLike(x);
  return tf.tidy(() => {
    const keep = tf.randomUniform(x.shape, 0, 1, "float32", seed).greaterEqual(p);
    return x.mul(keep.cast("float32")).div(1 - p);
  });
}

type GradArgs = (tf.Tensor | tf.GradSaveFunc)[];

const affine = tf.customGrad((...args: GradArgs) => {
  const [x, weight, bias, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, weight]);
  return {
    value: x.matMul(weight, false, true).add(bias),
    gradFunc: (dy: tf.Tensor, [xs, ws]: tf.Tensor[]) => [dy.matMul(ws), dy.matMul(xs, true, false), dy.sum(0)],
  };
});

const product = tf.customGrad((...args: GradArgs) => {
  const [x, weight, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, weight]);
  return {
    value: x.matMul(weight, false, true),
    gradFunc: (dy: tf.Tensor, [xs, ws]: tf.Tensor[]) => [dy.matMul(ws), dy.matMul(xs, true, false)],
  };
});

/**
 * y = x Wᵀ + b, like PyTorch's `F.linear`: x `[rows, in]`, W `[out, in]`,
 * b `[out]` or null → `[rows, out]`. One op with its gradient written out
 * (dx = dy W, dW = dyᵀ x, db = Σ_rows dy) instead of a product and a
 * broadcast add, each recorded and saved for backprop on its own; one
 * kernel where the backend has it (wasm, lib/nn/fused.ts).
 */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  // Messages built only on failure: this runs on every layer of every step.
  const shapes = () =>
    `x ${showShape(x.shape)}, weight ${showShape(weight.shape)}${bias ? `, bias ${showShape(bias.shape)}` : ""}`;
  check(
    x.rank === 2 && weight.rank === 2 && x.shape[1] === weight.shape[1],
    "linear",
    () =>
      `got ${shapes()}, expected x [rows, in] and weight [out, in] — for more axes, use nn.Linear or reshape x to [-1, in]`,
  );
  check(
    !bias || (bias.rank === 1 && bias.shape[0] === weight.shape[0]),
    "linear",
    () => `got ${shapes()}, expected bias [out] = [${weight.shape[0]}]`,
  );
  checkFloat(x, "linear");
  if (fusedOnThisBackend(LINEAR))
    return tf.engine().runKernel(LINEAR, bias ? { x, weight, bias } : { x, weight }) as tf.Tensor;
  return bias ? (affine(x, weight, bias) as tf.Tensor) : (product(x, weight) as tf.Tensor);
}
