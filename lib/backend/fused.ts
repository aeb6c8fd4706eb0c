/**
 * Ops that the kit's backend kernels run as one kernel on the backends they
 * have one for (wasm), and that nn and optim build from tfjs ops elsewhere.
 * On wasm every tfjs op costs a few microseconds before any arithmetic, more
 * than the arithmetic of a log-softmax over 10 classes or of a small layer's
 * SGD step; these ops are on every training step. The names live here, with
 * the backends, so that lib/backend never needs lib/nn.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");

/** x `[..., C]` → log softmax over the last axis. */
export const LOG_SOFTMAX = "DlkitLogSoftmax";
/** dy and y = log softmax(x), `[..., C]` → dx = dy − exp(y)·Σ_C dy. */
export const LOG_SOFTMAX_GRAD = "DlkitLogSoftmaxGrad";
/**
 * scores (logits) `[M, C]`, int32 targets `[M]`, attribute reduction
 * ("none", "mean" or "sum") → the loss (each row's `[M]`, or their mean or
 * sum, a scalar) and its gradient for dy = 1, `[M, C]`: softmax(logits) −
 * one-hot(target), divided by M for the mean.
 */
export const SOFTMAX_CROSS_ENTROPY = "DlkitSoftmaxCrossEntropy";
/**
 * The same for scores that are log-probabilities already: the loss of a
 * row is −scores[target], its gradient −one-hot(target).
 */
export const NLL_LOSS = "DlkitNllLoss";

/** x `[rows, in]`, weight `[out, in]`, optional bias `[out]` → x·Wᵀ + b, `[rows, out]`: a Linear layer. */
export const LINEAR = "DlkitLinear";

/** dy and y = softmax(x) over the last axis → dx = y·dy − y·Σ(y·dy), as tfjs's gradient of Softmax. */
export const SOFTMAX_GRAD = "DlkitSoftmaxGrad";
/** dy and y = tanh(x) → dx = dy·(1 − y²). */
export const TANH_GRAD = "DlkitTanhGrad";
/** dy and x → dx = dy·step(x): dy where x > 0, 0 elsewhere (NaN where x is NaN), as tfjs's gradient of Relu. */
export const RELU_GRAD = "DlkitReluGrad";

/** param and grad, attribute lr → param − lr·grad: a plain SGD step. */
export const SGD_STEP = "DlkitSgdStep";
/**
 * param, grad and the moments m and v; attributes beta1, beta2, eps,
 * stepSize (lr/(1 − β₁ᵗ)) and root (√(1 − β₂ᵗ)) → the new param, m and v:
 * a plain Adam step, with lib/optim/adam.ts's formulas.
 */
export const ADAM_STEP = "DlkitAdamStep";

/**
 * x `[rows, C]`, weight and bias `[C]`, attribute eps → y `[rows, C]`, and
 * the mean `[rows]` and 1/√(variance + eps) `[rows]` of each row, which its
 * gradient reuses.
 */
export const LAYER_NORM = "DlkitLayerNorm";
/** dy, x, mean, rstd (as LAYER_NORM gives them) and weight → dx, dWeight, dBias. */
export const LAYER_NORM_GRAD = "DlkitLayerNormGrad";

/** Whether the current backend runs `kernel` as one kernel. */
export function fusedOnThisBackend(kernel: string): boolean {
  return tf.getKernel(kernel, tf.getBackend()) !== undefined;
}
