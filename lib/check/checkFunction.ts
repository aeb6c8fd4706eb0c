import * as tf from "@tensorflow/tfjs";
import { valueHint, shapeHint } from "./hints";
import { isNotImplemented } from "./notImplemented";
import { Verdict, report } from "./verdict";
import { Leaf, allClose, leaves, maxDiff, sameShape, showShape, unravel } from "./values";

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
  return report({ ok: true, message: `${name}: matches the reference on ${trials} random input${trials === 1 ? "" : "s"}` });
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

/** The verdict for a student function that threw. */
export function thrown(name: string, err: unknown): Verdict {
  if (isNotImplemented(err)) return { ok: false, notImplemented: true, message: `${name}: not implemented yet` };
  const message = (err instanceof Error ? err.message : String(err)).split("\n")[0];
  const hint = /inner (shapes|dimensions)|must match/i.test(message)
    ? "two shapes do not fit: did you transpose one side, or forget the batch axis?"
    : undefined;
  return { ok: false, message: `${name} threw: ${message}`, hint };
}

function compare<A extends unknown[] | []>(name: string, actual: unknown, expected: unknown, args: A, options: CheckFunctionOptions<A>): Verdict | null {
  const rtol = options.rtol ?? 1e-4;
  const atol = options.atol ?? 1e-5;
  const got = leaves(actual);
  const want = leaves(expected);
  const label = (leaf: Leaf) => (leaf.path ? `${name} ${leaf.path}` : name);
  if (got.length !== want.length || got.some((g, i) => g.path !== want[i].path)) {
    return { ok: false, message: `${name} returned ${describe(got)}; expected ${describe(want)}` };
  }
  for (let i = 0; i < want.length; i++) {
    const a = got[i].value;
    const e = want[i].value!;
    if (!a) return { ok: false, message: `${label(got[i])} is ${got[i].kind}; expected a tensor of shape ${showShape(e.shape)}` };
    if (!sameShape(a.shape, e.shape)) {
      return {
        ok: false,
        message: `${label(got[i])} has shape ${showShape(a.shape)}; expected ${showShape(e.shape)}`,
        hint: mistakeHint(actual, expected, args, options, rtol, atol) ?? shapeHint(a.shape, e.shape),
      };
    }
    if (!allClose(a.values, e.values, rtol, atol)) {
      const { diff, index } = maxDiff(a.values, e.values);
      const at = e.shape.length ? ` at [${unravel(index, e.shape).join(",")}]` : "";
      return {
        ok: false,
        message: `${label(got[i])} differs from the reference (max |Δ| ${diff.toPrecision(3)}${at}: yours ${a.values[index].toPrecision(4)}, expected ${e.values[index].toPrecision(4)})`,
        hint: mistakeHint(actual, expected, args, options, rtol, atol) ?? valueHint(a, e, { rtol, atol, sizes: sizesIn(args) }),
      };
    }
  }
  return null;
}

function mistakeHint<A extends unknown[] | []>(actual: unknown, expected: unknown, args: A, options: CheckFunctionOptions<A>, rtol: number, atol: number): string | undefined {
  for (const m of options.hints ?? []) {
    if (m.when?.(actual, expected, args)) return m.hint;
    if (m.mistake) {
      let wrong: unknown;
      try {
        wrong = m.mistake(...args);
      } catch {
        continue;
      }
      if (sameOutputs(leaves(actual), leaves(wrong), rtol, atol)) return m.hint;
    }
  }
  return undefined;
}

function sameOutputs(a: Leaf[], b: Leaf[], rtol: number, atol: number): boolean {
  return (
    a.length === b.length &&
    a.every((leaf, i) => {
      const [x, y] = [leaf.value, b[i].value];
      return x !== null && y !== null && sameShape(x.shape, y.shape) && allClose(x.values, y.values, rtol, atol);
    })
  );
}

function describe(ls: Leaf[]): string {
  if (ls.length === 1 && !ls[0].path) return ls[0].value ? `a tensor of shape ${showShape(ls[0].value.shape)}` : ls[0].kind;
  return `{${ls.map((l) => l.path).join(", ")}}`;
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
