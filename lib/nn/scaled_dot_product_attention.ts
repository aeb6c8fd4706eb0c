import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { dropout as dropoutOf, softmax } from "./functional";
import { showShape } from "./shapes";

/** What `scaledDotProductAttention` returns: the output and the weights that made it. */
export interface AttentionResult {
  /** The weighted averages of the values, `[..., L, d_v]`. */
  output: tf.Tensor;
  /** The attention weights, each row summing to 1, `[..., L, S]`: what to plot. */
  weights: tf.Tensor;
}

/** Dropout on the attention weights, in training (`dropout_p` of PyTorch's `F.scaled_dot_product_attention`). */
export interface AttentionDropout {
  /** The probability of dropping a weight. */
  p: number;
  /** Seed of the dropout mask. */
  seed: number;
}

/**
 * Attention(Q, K, V) = softmax(Q Kᵀ / √d_k + M) V
 *
 * Each query scores every key by a dot product; the scores are scaled by
 * 1/√d_k so that their spread does not grow with the vector size (which
 * would saturate the softmax); each row of scores becomes weights that sum
 * to 1; the output is the weighted average of the values.
 *
 * The optional mask M says which keys each query may look at:
 *   - bool (or 0/1 int32): true = may attend, false = blocked (−∞ before the softmax);
 *     a causal mask is the lower triangle: `tf.linalg.bandPart(tf.ones([L, L]), -1, 0)`;
 *   - float32: added to the scores (0 = keep, −Infinity = blocked).
 * This is the convention of PyTorch's `F.scaled_dot_product_attention`.
 *
 * Shape: q `[..., L, d_k]`, k `[..., S, d_k]`, v `[..., S, d_v]`, mask
 * broadcastable to `[..., L, S]` → output `[..., L, d_v]` and weights `[..., L, S]`.
 *
 * With `dropout`, the output averages the values with dropped-out weights
 * (as in training); the weights returned are the softmax's, to plot.
 *
 *   const { output, weights } = nn.scaledDotProductAttention(q, k, v, causalMask);
 */
export function scaledDotProductAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask?: tf.Tensor,
  dropout?: AttentionDropout,
): AttentionResult {
  const dK = q.shape[q.rank - 1];
  if (k.shape[k.rank - 1] !== dK) {
    throw new Error(
      `scaledDotProductAttention: q ${showShape(q.shape)} and k ${showShape(k.shape)} must have the same last axis d_k — is k transposed already?`,
    );
  }
  if (k.shape[k.rank - 2] !== v.shape[v.rank - 2]) {
    throw new Error(
      `scaledDotProductAttention: k ${showShape(k.shape)} and v ${showShape(v.shape)} must have one row per key (the same S)`,
    );
  }
  return tf.tidy(() => {
    let scores = tf.matMul(q, k, false, true).div(Math.sqrt(dK)); // [..., L, S]
    if (mask && mask.dtype === "float32") {
      scores = scores.add(mask);
    } else if (mask) {
      const blocked = tf.fill(scores.shape, -Infinity);
      scores = tf.where(mask.cast("bool").broadcastTo(scores.shape), scores, blocked);
    }
    const weights = softmax(scores, -1);
    const averaging = dropout ? dropoutOf(weights, dropout.p, true, dropout.seed) : weights;
    return { output: tf.matMul(averaging, v), weights };
  });
}
