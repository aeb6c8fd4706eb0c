/**
 * What the labs' probes and property checks build their cases from: seeded
 * draws, the student's modules built from a seed, and leak counts.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { withManualSeed } from "../nn/random";

/** True for a tfjs tensor (a student's function may return anything). */
export function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

/** Normal noise N(0, std²) of seed `seed` (never 0: tf.randomNormal takes 0 as "no seed"). */
export function randn(shape: number[], seed: number, std = 1): tf.Tensor {
  return tf.randomNormal(shape, 0, std, "float32", seed);
}

/**
 * Builds the student's module and uses it inside `withManualSeed(seed)`, so
 * that the same seed gives the same layers and the notebook's later layers
 * keep their weights; frees the module, whatever `build` returned.
 */
export function withModule<M, R>(seed: number, build: () => M, use: (m: M) => R): R {
  return withManualSeed(seed, () => {
    const m = build();
    try {
      return use(m);
    } finally {
      const dispose = (m as { dispose?: unknown } | null | undefined)?.dispose;
      if (typeof dispose === "function") dispose.call(m);
    }
  });
}

/** Options of `tensorsLeftBy`. */
export interface TensorsLeftOptions {
  /** The tensor `run` returns is the caller's to free, not a leak. Default false. */
  exceptReturned?: boolean;
}

/** What `run` returned, and how many tensors it left behind (tf.memory().numTensors before and after). */
export function tensorsLeftBy<T>(run: () => T, options: TensorsLeftOptions = {}): { returned: T; leaked: number } {
  const before = tf.memory().numTensors;
  const returned = run();
  const own = options.exceptReturned && isTensor(returned) ? 1 : 0;
  return { returned, leaked: tf.memory().numTensors - before - own };
}
