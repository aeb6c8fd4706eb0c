import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { valueHint, shapeHint } from "./hints";
import { thrown } from "./thrown";
import { Verdict, report } from "./verdict";
import { compareRecorded, DEFAULT_TOLERANCE, toRecorded } from "./recorded";
import { sameShape } from "./values";

/** A known mistake and what to tell the student who made it. */
export interface Mistake<A extends unknown[] | []> {
  /** Shown when the student's output matches this mistake. */
  hint: string;
  /** A deliberately wrong implementation: the hint is shown when the student's output equals its output. */
  mistake?: (...args: A) => unknown;
  /** Or a test on the outputs: the hint is shown when it returns true. */
  when?: (actual: unknown, expected: unknown, args: A) => boolean;
}

/** Options of `check.checkFunction`; `A` is the checked function's argument list. */
export interface CheckFunctionOptions<A extends unknown[] | []> {
  /** Makes one trial's arguments from a seed (use it for every random op). */
  inputs: (seed: number) => A;
  /** Shown in the verdict line. Default: the student function's name. */
  name?: string;
  /** How many seeded inputs to try. Default 3. */
  trials?: number;
  /** Seed of the first trial; trial i uses seed + i. Default 0. */
  seed?: number;
  /** Relative tolerance. Default 1e-4 (float32 arithmetic in a different order). */
  rtol?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Known mistakes, tried before the built-in hints. */
  hints?: Mistake<A>[];
}

/**
 * Compares a student's function with the reference on seeded random inputs;
 * prints its one-line verdict and never throws for a student's error.
 *
 *   checkFunction(attention, ref.attention, {
 *     inputs: (seed) => [tf.randomNormal([2, 5, 8], 0, 1, "float32", seed), ...],
 *     hints: [{ mistake: attentionWithoutScale, hint: "missing the 1/√d scale?" }],
 *   });
 *   // ✔ attention: matches the reference on 3 random inputs
 */
export function checkFunction<A extends unknown[] | []>(
  student: (...args: A) => unknown,
  reference: (...args: A) => unknown,
  options: CheckFunctionOptions<A>,
): Verdict {
  const name = options.name ?? (student.name || "your function");
  const trials = options.trials ?? 3;
  for (let t = 0; t < trials; t++) {
    const failure = runTrial(student, reference, name, (options.seed ?? 0) + t, options);
    if (failure) return report(failure);
  }
  return report({
    ok: true,
    message: `${name}: matches the reference on ${trials} random input${trials === 1 ? "" : "s"}`,
  });
}

function runTrial<A extends unknown[] | []>(
  student: (...args: A) => unknown,
  reference: (...args: A) => unknown,
  name: string,
  seed: number,
  options: CheckFunctionOptions<A>,
): Verdict | null {
  let failure: Verdict | null = null;
  // Inputs, outputs and every intermediate tensor are freed when the trial ends.
  tf.tidy(() => {
    const args = options.inputs(seed);
    const expected = reference(...args);
    let actual: unknown;
    try {
      actual = student(...args);
    } catch (err) {
      failure = thrown(name, err);
      return;
    }
    failure = compare(name, actual, expected, args, options);
  });
  return failure;
}

function compare<A extends unknown[] | []>(
  name: string,
  actual: unknown,
  expected: unknown,
  args: A,
  options: CheckFunctionOptions<A>,
): Verdict | null {
  const rtol = options.rtol ?? DEFAULT_TOLERANCE.rtol;
  const atol = options.atol ?? DEFAULT_TOLERANCE.atol;
  const difference = compareRecorded(toRecorded(actual), toRecorded(expected), { rtol, atol }, name);
  if (!difference) return null;
  const { actual: a, expected: e } = difference;
  const fallback =
    !a || !e
      ? undefined
      : sameShape(a.shape, e.shape)
        ? valueHint(a, e, { rtol, atol, sizes: sizesIn(args) })
        : shapeHint(a.shape, e.shape);
  return {
    ok: false,
    message: difference.message,
    hint: mistakeHint(actual, expected, args, options, rtol, atol) ?? fallback,
  };
}

function mistakeHint<A extends unknown[] | []>(
  actual: unknown,
  expected: unknown,
  args: A,
  options: CheckFunctionOptions<A>,
  rtol: number,
  atol: number,
): string | undefined {
  for (const m of options.hints ?? []) {
    if (m.when?.(actual, expected, args)) return m.hint;
    if (m.mistake) {
      let wrong: unknown;
      try {
        wrong = m.mistake(...args);
      } catch {
        continue;
      }
      if (compareRecorded(toRecorded(actual), toRecorded(wrong), { rtol, atol }) === null) return m.hint;
    }
  }
  return undefined;
}

/** Every size in the arguments: a factor equal to one of them is named in the hint. */
function sizesIn(args: unknown[]): number[] {
  return args.flatMap((arg) => {
    if (arg instanceof tf.Tensor) return arg.shape;
    if (typeof arg === "number" && Number.isInteger(arg)) return [arg];
    if (Array.isArray(arg) || (arg !== null && typeof arg === "object")) return sizesIn(Object.values(arg as object));
    return [];
  });
}
