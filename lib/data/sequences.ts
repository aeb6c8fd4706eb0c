import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Random } from "./random";

/** Which target `sequenceTask` makes from each random sequence. */
export type SequenceTaskName = "reverse" | "sort" | "copy";

/** Options of `data.sequenceTask` and its shortcuts (`reverseTask`, ...). */
export interface SequenceTaskOptions {
  /** Number of sequences. Default 1000. */
  n?: number;
  /** Tokens per sequence. Default 16. */
  length?: number;
  /** Number of distinct tokens. Default 10. */
  vocab?: number;
  /** Seed of the random tokens. Default 0. */
  seed?: number;
}

const TARGETS: Record<SequenceTaskName, (s: number[]) => number[]> = {
  reverse: (s) => s.slice().reverse(),
  sort: (s) => s.slice().sort((a, b) => a - b),
  copy: (s) => s.slice(),
};

/**
 * The sequence tasks of lab 5: random token sequences and their targets.
 * `reverse` maps [3,1,4,1] → [1,4,1,3]; `sort` → [1,1,3,4]; `copy` → itself.
 * Both tensors are int32 [n, length], tokens in [0, vocab).
 *
 *   const { x, y } = sequenceTask("reverse", { n: 10000, seed: 0 });
 */
export function sequenceTask(
  task: SequenceTaskName,
  options: SequenceTaskOptions = {},
): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const target = TARGETS[task];
  if (!target) throw new Error(`sequenceTask: unknown task "${task}"; use one of ${Object.keys(TARGETS).join(", ")}`);
  const { n = 1000, length = 16, vocab = 10, seed = 0 } = options;
  const rng = new Random(seed);
  const xs = new Int32Array(n * length);
  const ys = new Int32Array(n * length);
  for (let i = 0; i < n; i++) {
    const s = Array.from({ length }, () => rng.int(vocab));
    xs.set(s, i * length);
    ys.set(target(s), i * length);
  }
  return { x: tf.tensor2d(xs, [n, length], "int32"), y: tf.tensor2d(ys, [n, length], "int32") };
}

/** Lab 5's task: reverse the sequence. */
export const reverseTask = (options?: SequenceTaskOptions) => sequenceTask("reverse", options);
/** Sort the tokens. */
export const sortTask = (options?: SequenceTaskOptions) => sequenceTask("sort", options);
/** Repeat the sequence (the easiest: a sanity check for a model). */
export const copyTask = (options?: SequenceTaskOptions) => sequenceTask("copy", options);
