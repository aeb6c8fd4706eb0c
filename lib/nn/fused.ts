/**
 * How nn's fused ops record their gradients: as one kernel where the backend
 * has one (the names and the check are in lib/backend/fused.ts), as tfjs ops
 * where a second-order gradient is being taken.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import {
  LAYER_NORM,
  LAYER_NORM_GRAD,
  LINEAR,
  LOG_SOFTMAX,
  LOG_SOFTMAX_GRAD,
  NLL_LOSS,
  RELU_GRAD,
  SOFTMAX_CROSS_ENTROPY,
  SOFTMAX_GRAD,
  TANH_GRAD,
  fusedOnThisBackend,
} from "../backend/fused";

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
function oneKernelGradient(
  kernelName: string,
  input: string,
  saves: "x" | "y",
  gradKernel: string,
  formula: (dy: tf.Tensor, saved: tf.Tensor) => tf.Tensor,
): void {
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
    const [dx, dWeight, dBias] = tf
      .engine()
      .runKernel(LAYER_NORM_GRAD, { dy: (dy as tf.Tensor[])[0], x, mean, rstd, weight }) as unknown as tf.Tensor[];
    return { x: () => dx, weight: () => dWeight, bias: () => dBias };
  },
});
