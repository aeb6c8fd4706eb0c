/**
 * The stateless functions the layers and losses are built from, like
 * PyTorch's `torch.nn.functional`. Each works along any axis and has a
 * gradient on every tfjs backend.
 */
import * as tf from "@tensorflow/tfjs";

/** log softmax(x)ᵢ = xᵢ − log Σⱼ exp(xⱼ), computed stably along `dim`. */
export function logSoftmax(x: tf.Tensor, dim = -1): tf.Tensor {
  return tf.tidy(() => x.sub(x.logSumExp(dim, true)));
}

/** softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along `dim`; rows that are all −∞ give NaN, as in PyTorch. */
export function softmax(x: tf.Tensor, dim = -1): tf.Tensor {
  return tf.tidy(() => logSoftmax(x, dim).exp());
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
