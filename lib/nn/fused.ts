/**
 * Ops that lib/backend runs as one kernel on the backends it has one for
 * (wasm), and that nn and optim build from tfjs ops elsewhere. On wasm every
 * tfjs op costs a few microseconds before any arithmetic, more than the
 * arithmetic of a log-softmax over 10 classes or of a small layer's SGD
 * step; these ops are on every training step.
 */
import * as tf from "@tensorflow/tfjs";

/** x `[..., C]` → log softmax over the last axis. */
export const LOG_SOFTMAX = "DlkitLogSoftmax";
/** dy and y = log softmax(x), `[..., C]` → dx = dy − exp(y)·Σ_C dy. */
export const LOG_SOFTMAX_GRAD = "DlkitLogSoftmaxGrad";
/**
 * logits `[M, C]` and int32 targets `[M]` → the loss of each row, `[M]`, and
 * its gradient softmax(logits) − one-hot(target), `[M, C]`.
 */
export const SOFTMAX_CROSS_ENTROPY = "DlkitSoftmaxCrossEntropy";

/** param and grad, attribute lr → param − lr·grad: a plain SGD step. */
export const SGD_STEP = "DlkitSgdStep";

/** Whether the current backend runs `kernel` as one kernel. */
export function fusedOnThisBackend(kernel: string): boolean {
  return tf.getKernel(kernel, tf.getBackend()) !== undefined;
}

if (!tf.getGradient(LOG_SOFTMAX)) {
  tf.registerGradient({
    kernelName: LOG_SOFTMAX,
    outputsToSave: [true],
    gradFunc: (dy, saved) => ({ x: () => tf.engine().runKernel(LOG_SOFTMAX_GRAD, { dy: dy as tf.Tensor, y: saved[0] }) as tf.Tensor }),
  });
}
