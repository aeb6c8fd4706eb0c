/**
 * Toy 2-D classification sets, like scikit-learn's make_circles, make_moons
 * and make_blobs, plus XOR. Each returns x: float32 [n, 2] and
 * y: int32 [n] (class indices), in a seeded random order.
 *
 *   const { x, y } = moons({ n: 200, noise: 0.1, seed: 0 });
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Random } from "./random";

/** A toy set: points x float32 [n, 2] and their classes y int32 [n]. */
export interface Toy2D {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
}

/** Options shared by the toy sets (`circles`, `moons`, `xor`, `blobs`). */
export interface ToyOptions {
  /** Number of points. Default 200. */
  n?: number;
  /** Std of the Gaussian noise added to each coordinate. Default depends on the set (see each). */
  noise?: number;
  /** Seed of the points and their order. Default 0. */
  seed?: number;
}

/** Two concentric circles: class 0 outside (radius 1), class 1 inside (radius `factor`). Noise default 0.05. */
export function circles(options: ToyOptions & { factor?: number } = {}): Toy2D {
  const factor = options.factor ?? 0.5;
  return make(options, 0.05, 2, (cls, rng) => {
    const angle = 2 * Math.PI * rng.uniform();
    const r = cls === 0 ? 1 : factor;
    return [r * Math.cos(angle), r * Math.sin(angle)];
  });
}

/** Two interleaving half circles. Noise default 0.1. */
export function moons(options: ToyOptions = {}): Toy2D {
  return make(options, 0.1, 2, (cls, rng) => {
    const t = Math.PI * rng.uniform();
    return cls === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
  });
}

/** XOR: points in [-1, 1]², class 1 where x₁·x₂ < 0. Noise default 0 (labels follow the noiseless point). */
export function xor(options: ToyOptions = {}): Toy2D {
  return make(options, 0, 2, (cls, rng) => {
    const a = 0.05 + 0.95 * rng.uniform();
    const b = 0.05 + 0.95 * rng.uniform();
    const sa = rng.uniform() < 0.5 ? 1 : -1;
    return [sa * a, (cls === 0 ? sa : -sa) * b];
  });
}

/** Gaussian blobs around `centers` points drawn in [-5, 5]² (or given). Noise is the blobs' std, default 1. */
export function blobs(options: ToyOptions & { centers?: number | [number, number][] } = {}): Toy2D {
  const spec = options.centers ?? 3;
  const centerRng = new Random((options.seed ?? 0) + 7919);
  const centers =
    typeof spec === "number"
      ? Array.from({ length: spec }, () => [10 * centerRng.uniform() - 5, 10 * centerRng.uniform() - 5])
      : spec;
  return make(options, 1, centers.length, (cls) => [centers[cls][0], centers[cls][1]]);
}

/** Class indices → one-hot float32 [n, numClasses] (new tensor). */
export function oneHot(y: tf.Tensor, numClasses: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(y.toInt(), numClasses).toFloat()) as tf.Tensor2D;
}

/** Balanced classes (as even as n allows), noise added, then shuffled. */
function make(
  options: ToyOptions,
  defaultNoise: number,
  classes: number,
  point: (cls: number, rng: Random) => number[],
): Toy2D {
  const n = options.n ?? 200;
  const noise = options.noise ?? defaultNoise;
  const rng = new Random(options.seed ?? 0);
  const xs = new Float32Array(2 * n);
  const ys = new Int32Array(n);
  const order = rng.permutation(n);
  for (let i = 0; i < n; i++) {
    const cls = i % classes;
    const [a, b] = point(cls, rng);
    const at = order[i];
    xs[2 * at] = a + noise * rng.normal();
    xs[2 * at + 1] = b + noise * rng.normal();
    ys[at] = cls;
  }
  return { x: tf.tensor2d(xs, [n, 2]), y: tf.tensor1d(ys, "int32") };
}
