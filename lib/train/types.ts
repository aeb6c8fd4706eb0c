import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");

/**
 * What `fit` and `evaluate` need from a model, stated as a shape rather
 * than a class: nn.Module fits, and so does a student's own class with the
 * same methods. `forward` maps [batch, ...features] → [batch, ...outputs].
 */
export interface Model {
  forward(x: tf.Tensor): tf.Tensor;
  parameters(): tf.Variable[];
  /** Training mode (dropout on); `train(false)` is `eval()`. */
  train(mode?: boolean): unknown;
  eval(): unknown;
}

/**
 * What `fit` needs from an optimizer, stated as a shape rather than a
 * class: optim.Optimizer fits, and so does a student's own class with the
 * same methods.
 */
export interface Optimizer {
  /** Computes the loss's gradients, updates the parameters, returns the loss (the caller disposes it). */
  step(lossFn: () => tf.Scalar): tf.Scalar;
  lr: number;
}

/** The mean loss of a batch (a scalar), from the model's output and the targets. */
export type LossFn = (pred: tf.Tensor, y: tf.Tensor) => tf.Tensor;

/** The mean of a per-example score over a batch (accuracy, say): a scalar. */
export type MetricFn = (pred: tf.Tensor, y: tf.Tensor) => tf.Tensor;
