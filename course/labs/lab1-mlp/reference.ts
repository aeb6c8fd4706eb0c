/**
 * Lab 1's reference: the slides' PyTorch code, line for line, in tfjs. Release
 * runs it through the public checks' probes and ships only its outputs.
 */
import * as tf from "@tensorflow/tfjs";
import type { lab1 } from "../../../lib/check";
import { CrossEntropyLoss, Linear, Module, Sequential, Tanh } from "../../../lib/nn";
import { Optimizer, SGD } from "../../../lib/optim";

type Params = lab1.Params;
type Outputs = lab1.Outputs;

export function initParams(nx: number, nh: number, ny: number, seed: number): Params {
  return tf.tidy(() => ({
    Wh: tf.randomNormal([nh, nx], 0, 1, "float32", seed).mul(0.3) as tf.Tensor2D,
    bh: tf.zeros([nh, 1]) as tf.Tensor2D,
    Wy: tf.randomNormal([ny, nh], 0, 1, "float32", seed + 1).mul(0.3) as tf.Tensor2D,
    by: tf.zeros([ny, 1]) as tf.Tensor2D,
  }));
}

export function forward(params: Params, X: tf.Tensor2D): [tf.Tensor2D, Outputs] {
  const htilde = tf.matMul(X, params.Wh, false, true).add(params.bh.transpose()) as tf.Tensor2D;
  const h = tf.tanh(htilde);
  const ytilde = tf.matMul(h, params.Wy, false, true).add(params.by.transpose()) as tf.Tensor2D;
  const e = tf.exp(ytilde);
  const yhat = e.div(e.sum(-1, true)) as tf.Tensor2D;
  return [yhat, { X, htilde, h, ytilde, yhat }];
}

export function lossAccuracy(Yhat: tf.Tensor2D, Y: tf.Tensor2D): [tf.Scalar, tf.Scalar] {
  const loss = Y.mul(Yhat.log()).sum(1).mean().neg() as tf.Scalar;
  const accuracy = Yhat.argMax(1).equal(Y.argMax(1)).toFloat().mean() as tf.Scalar;
  return [loss, accuracy];
}

export function backward(params: Params, outputs: Outputs, Y: tf.Tensor2D): Params {
  const N = Y.shape[0];
  const ytildeGrad = outputs.yhat.sub(Y);
  const htildeGrad = tf.matMul(ytildeGrad, params.Wy).mul(tf.scalar(1).sub(outputs.h.square()));
  return {
    Wy: tf.matMul(ytildeGrad, outputs.h, true, false).div(N),
    Wh: tf.matMul(htildeGrad, outputs.X, true, false).div(N),
    by: ytildeGrad.sum(0, true).transpose().div(N),
    bh: htildeGrad.sum(0, true).transpose().div(N),
  } as Params;
}

export function sgd(params: Params, grads: Params, eta: number): Params {
  return {
    Wh: params.Wh.sub(grads.Wh.mul(eta)),
    bh: params.bh.sub(grads.bh.mul(eta)),
    Wy: params.Wy.sub(grads.Wy.mul(eta)),
    by: params.by.sub(grads.by.mul(eta)),
  } as Params;
}

export function trainStep(params: Params, X: tf.Tensor2D, Y: tf.Tensor2D, eta: number): lab1.StepResult {
  const [Yhat, outputs] = forward(params, X);
  const [loss, accuracy] = lossAccuracy(Yhat, Y);
  const grads = backward(params, outputs, Y);
  return { params: sgd(params, grads, eta), loss, accuracy };
}

export function autogradBackward(params: Params, X: tf.Tensor2D, Y: tf.Tensor2D): Params {
  const loss = (Wh: tf.Tensor, bh: tf.Tensor, Wy: tf.Tensor, by: tf.Tensor) =>
    lossAccuracy(forward({ Wh, bh, Wy, by } as Params, X)[0], Y)[0];
  const [Wh, bh, Wy, by] = tf.grads(loss)([params.Wh, params.bh, params.Wy, params.by]);
  return { Wh, bh, Wy, by } as Params;
}

export function modelAndLoss(nx: number, nh: number, ny: number): { model: Sequential; loss: CrossEntropyLoss } {
  return { model: new Sequential(new Linear(nx, nh), new Tanh(), new Linear(nh, ny)), loss: new CrossEntropyLoss() };
}

export function manualStep(model: Module, loss: Module, X: tf.Tensor2D, Y: tf.Tensor2D, eta: number): tf.Scalar {
  const { value, grads } = tf.variableGrads(() => loss.forward(model.forward(X), Y) as tf.Scalar, model.parameters());
  tf.tidy(() => {
    for (const p of model.parameters()) p.assign(p.sub(grads[p.name].mul(eta)));
  });
  tf.dispose(grads);
  return value;
}

export function makeOptimizer(model: Module, eta: number): Optimizer {
  return new SGD(model.parameters(), { lr: eta });
}

export function optimizerStep(
  model: Module,
  loss: Module,
  optimizer: Optimizer,
  X: tf.Tensor2D,
  Y: tf.Tensor2D,
): tf.Scalar {
  return optimizer.step(() => loss.forward(model.forward(X), Y) as tf.Scalar);
}

/** Part 4's two functions, as its check takes them. */
export const optimizer: lab1.OptimizerFunctions = { makeOptimizer, optimizerStep };

/** What the four stages train with: the functions above. */
export const stages: lab1.StageFunctions = {
  trainStep,
  forward,
  lossAccuracy,
  autogradBackward,
  sgd,
  manualStep,
  makeOptimizer,
  optimizerStep,
};
