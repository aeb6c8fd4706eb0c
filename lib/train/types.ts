/**
 * What fit and evaluate need from a model and an optimizer, stated as
 * shapes rather than classes: lib's nn.Module and optim.Optimizer fit, and
 * so does a student's own class with the same methods.
 */
import * as tf from "@tensorflow/tfjs";

export interface Model {
  forward(x: tf.Tensor): tf.Tensor;
  parameters(): tf.Variable[];
  /** Training mode (dropout on); `train(false)` is `eval()`. */
  train(mode?: boolean): unknown;
  eval(): unknown;
}

export interface Optimizer {
  /** Computes the loss's gradients, updates the parameters, returns the loss (the caller disposes it). */
  step(lossFn: () => tf.Scalar): tf.Scalar;
  lr: number;
}

/** The mean loss of a batch (a scalar), from the model's output and the targets. */
export type LossFn = (pred: tf.Tensor, y: tf.Tensor) => tf.Tensor;

/** The mean of a per-example score over a batch (accuracy, say): a scalar. */
export type MetricFn = (pred: tf.Tensor, y: tf.Tensor) => tf.Tensor;
