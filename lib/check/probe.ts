import type { Tolerance } from "./recorded";

/** An error a student's code throws and what it usually means. */
export interface ErrorHint {
  /** Matches the thrown error's message. */
  when: RegExp;
  /** Shown after the error, phrased as a question. */
  hint: string;
}

/**
 * A probe runs a function under test (of type `F`) on inputs drawn from a
 * seed and returns what it computed (of type `O`). Probes hold no answer: the same probe
 * runs the student's function in a check, the instructor's reference when
 * release records the expected outputs, and both sides when the grader
 * compares records.
 *
 *   export const forward: Probe<Forward> = {
 *     lab: "lab1-mlp",
 *     name: "forward",
 *     run: (forward, seed) => forward(someParams(seed), someBatch(seed)),
 *   };
 */
export interface Probe<F, O = unknown> {
  /** The lab's notebook name, e.g. "lab1-mlp": the file the expected outputs are recorded in. */
  lab: string;
  /** The check's name, as the verdict line says it ("forward"). */
  name: string;
  /**
   * Calls `fn` on the inputs of `seed` and returns its outputs (tensors,
   * numbers, arrays and objects of those). Draw every input from `seed`,
   * never from a lab function's output: probes ship to students.
   */
  run: (fn: F, seed: number) => O;
  /** Hints for what the student's function may throw (a shape error: "did you transpose X?"). */
  errorHints?: ErrorHint[];
  /** How close counts as equal. Default rtol 1e-4, atol 1e-5. */
  tolerance?: Tolerance;
}
