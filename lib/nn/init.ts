/**
 * The initialisations PyTorch uses, so a fresh dlkit layer starts from the
 * same distribution as the PyTorch layer it mirrors.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");

/**
 * U(-1/√fanIn, 1/√fanIn): what Linear, Conv2d and the RNNs use for weights
 * and biases (PyTorch's kaiming_uniform with a=√5 reduces to this bound).
 */
export function uniformFanIn(shape: number[], fanIn: number, seed: number): tf.Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return tf.randomUniform(shape, -bound, bound, "float32", seed);
}

/** Xavier/Glorot uniform: U(-a, a) with a = √(6 / (fanIn + fanOut)). */
export function xavierUniform(shape: [number, number], seed: number): tf.Tensor {
  const bound = Math.sqrt(6 / (shape[0] + shape[1]));
  return tf.randomUniform(shape, -bound, bound, "float32", seed);
}

/**
 * N(0, 1): what Embedding and the learned positional encoding start from.
 * tfjs's randomNormal takes seed 0 for "no seed" and draws a fresh one on
 * every run, so seed 0 (the first layer after `manualSeed(0)`) goes in as
 * another fixed value: the same program builds the same weights every time.
 */
export function standardNormal(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, "float32", seed === 0 ? SEED_ZERO_STAND_IN : seed);
}

const SEED_ZERO_STAND_IN = 2147483647;
