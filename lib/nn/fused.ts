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

function gradientDepth(): number {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth;
}

/** Whether this forward pass is recorded for a gradient of a gradient (tf.grad inside tf.grad). */
export function recordingSecondOrder(): boolean {
  return gradientDepth() > 1;
}

/**
 * Whether an op can run as `kernel` here, at most a first-order gradient
 * being recorded: kernels whose gradient is a kernel, or reuses a saved
 * output as a constant, have no gradient of a gradient, so under nested
 * gradients the op is built from tfjs ops.
 */
export function fusedForward(kernel: string): boolean {
  return !recordingSecondOrder() && fusedOnThisBackend(kernel);
}

/**
 * Whether the backward pass being computed is itself recorded, for a
 * gradient of a gradient. The gradient kernels here have no gradient of
 * their own, so then the gradient is built from tfjs ops.
 */
function insideNestedGradient(): boolean {
  return gradientDepth() > 0;
}

/**
 * Registers the gradient of the elementwise op `kernelName` as the one
 * kernel `gradKernel`, which takes dy and the op's saved input x or output
 * y. Where the backend has no such kernel, and inside nested gradients,
 * `formula` builds the same gradient from tfjs ops (tfjs's own formula for
 * tfjs's ops: a few kernels each, one of them often a scalar tensor).
 */
function oneKernelGradient(kernelName: string, input: string, saves: "x" | "y", gradKernel: string, formula: (dy: tf.Tensor, saved: tf.Tensor) => tf.Tensor): void {
  tf.registerGradient({
    kernelName,
    ...(saves === "x" ? { inputsToSave: [input] } : { outputsToSave: [true] }),
    gradFunc: (dy, [saved]) => ({
      [input]: () => {
        const grad = dy as tf.Tensor;
        if (insideNestedGradient() || !fusedOnThisBackend(gradKernel)) return formula(grad, saved);
        return tf.engine().runKernel(gradKernel, { dy: grad, [saves]: saved }) as tf.Tensor;
      },
    }),
  });
}

oneKernelGradient(LOG_SOFTMAX, "x", "y", LOG_SOFTMAX_GRAD, (dy, y) => dy.sub(y.exp().mul(dy.sum(-1, true))));
// tfjs's Softmax works on the last axis.
oneKernelGradient(tf.Softmax, "logits", "y", SOFTMAX_GRAD, (dy, y) => {
  const dyTimesY = dy.mul(y);
  return dyTimesY.sub(dyTimesY.sum(-1, true).mul(y));
});
oneKernelGradient(tf.Relu, "x", "x", RELU_GRAD, (dy, x) => dy.mul(x.step().cast("float32")));
oneKernelGradient(tf.Tanh, "x", "y", TANH_GRAD, (dy, y) => dy.mul(tf.scalar(1).sub(y.square())));

// Lazy, per input: backprop asks only for the gradients on a path to a trainable tensor, so a first layer
// computes no gradient for the data.
tf.registerGradient({
  kernelName: LINEAR,
  inputsToSave: ["x", "weight"],
  gradFunc: (dy, [x, weight]) => {
    const grad = dy as tf.Tensor;
    return { x: () => grad.matMul(weight), weight: () => grad.matMul(x, true, false), bias: () => grad.sum(0) };
  },
});

// The two loss kernels hand out their gradient for dy = 1 as a second output; backprop scales it.
for (const kernelName of [SOFTMAX_CROSS_ENTROPY, NLL_LOSS]) {
  tf.registerGradient({
    kernelName,
    inputsToSave: ["target"],
    outputsToSave: [false, true],
    gradFunc: (dy, [target, delta], attrs) => {
      const dLoss = (dy as tf.Tensor[])[0];
      return {
        scores: () => (attrs.reduction === "none" ? delta.mul(dLoss.reshape([-1, 1])) : delta.mul(dLoss)),
        target: () => tf.zerosLike(target),
      };
    },
  });
}

tf.registerGradient({
  kernelName: LAYER_NORM,
  inputsToSave: ["x", "weight"],
  outputsToSave: [false, true, true],
  gradFunc: (dy, [x, weight, mean, rstd]) => {
    // One pass gives all three gradients; backprop asks for each in turn.
    const [dx, dWeight, dBias] = tf.engine().runKernel(LAYER_NORM_GRAD, { dy: (dy as tf.Tensor[])[0], x, mean, rstd, weight }) as unknown as tf.Tensor[];
    return { x: () => dx, weight: () => dWeight, bias: () => dBias };
  },
});
