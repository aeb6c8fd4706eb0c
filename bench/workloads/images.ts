/**
 * Synthetic 28×28 images and labels, seeded: for timing LeNet the pixel
 * values do not matter, only the shapes.
 */
import * as tf from "@tensorflow/tfjs";
import { Random } from "../../lib/data";

export function syntheticImages(n: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const rng = new Random(seed);
  const pixels = new Float32Array(n * 28 * 28).map(() => rng.uniform());
  const labels = Int32Array.from({ length: n }, () => rng.int(10));
  return { x: tf.tensor4d(pixels, [n, 1, 28, 28]), y: tf.tensor1d(labels, "int32") };
}
