/**
 * A public check: runs the student's function through a probe on the
 * recorded seeds and compares its outputs with the recorded reference
 * outputs. When they differ, the recorded outputs of the typical mistakes
 * name the likely one; else the difference itself hints (a transpose, a
 * factor, a shape one axis off).
 *
 *   check.assertOk(checkRecorded(probes.forward, forward));
 *   // ✘ forward: yhat differs from the reference (…) — softmax over the wrong axis: normalise each row
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { shapeHint, valueHint } from "./hints";
import type { Probe } from "./probe";
import { compareRecorded, Recorded, RecordedCase, recordedLeaves, runCase } from "./recorded";
import { CheckRecords, loadRecords } from "./records";
import { thrown } from "./thrown";
import { sameShape } from "./values";
import { report, Verdict } from "./verdict";

/** Options of `checkRecorded`; `O` is what the probe's `run` returns. */
export interface CheckRecordedOptions<O> {
  /** Shown in the verdict line. Default: the probe's name. */
  name?: string;
  /**
   * Property checks that need no reference and that the probe's outputs
   * cannot show (what a constructor built, say), run first; every tensor
   * they make is freed. What the student's code throws here is left to the
   * comparison, which reports it with the probe's error hints.
   */
  before?: () => Verdict | null;
  /**
   * Property checks on each case's outputs, tensors still alive, before they
   * are compared (a scalar loss, eval mode, no leak): the student's function
   * runs once per case for both.
   */
  inspect?: (output: O, seed: number) => Verdict | null;
}

/** Runs a property check; a throw means it found nothing it could judge (the comparison reports what was thrown). */
function propertyCheck(look: () => Verdict | null): Verdict | null {
  try {
    let verdict: Verdict | null = null;
    tf.tidy(() => {
      verdict = look();
    });
    return verdict;
  } catch {
    return null;
  }
}

/** Every size in a record (batch size, feature sizes): a factor equal to one of them is named in the hint. */
function sizesIn(value: Recorded): number[] {
  return recordedLeaves(value).flatMap((l) => l.value?.shape ?? []);
}

/** Compares one case's outputs; null when they agree. */
function compareCase(
  name: string,
  actual: Recorded,
  seed: number,
  index: number,
  records: CheckRecords,
): Verdict | null {
  const expected = records.expected[index];
  if (!("value" in expected)) throw new Error(`the recorded reference threw on seed ${seed}: ${expected.error}`);
  const difference = compareRecorded(actual, expected.value, records.tolerance, name);
  if (!difference) return null;
  const mistake = records.mistakes.find((m) => {
    const c = m.cases[index];
    return c && "value" in c && compareRecorded(actual, c.value, records.tolerance) === null;
  });
  const { actual: a, expected: e } = difference;
  const fallback =
    !a || !e
      ? undefined
      : sameShape(a.shape, e.shape)
        ? valueHint(a, e, { ...records.tolerance, sizes: sizesIn(expected.value) })
        : shapeHint(a.shape, e.shape);
  return { ok: false, message: difference.message, hint: mistake?.hint ?? fallback };
}

/** Runs the check and prints its one-line verdict; never throws for a student's error. */
export function checkRecorded<F, O>(probe: Probe<F, O>, student: F, options: CheckRecordedOptions<O> = {}): Verdict {
  const { name = probe.name, before, inspect } = options;
  let records: CheckRecords | undefined;
  try {
    records = loadRecords(probe.lab).checks[probe.name];
    if (!records)
      throw new Error(
        `lab '${probe.lab}' has no recorded results for the check '${probe.name}': reinstall the kit (instructors: run \`npx dlkit release\`)`,
      );
  } catch (err) {
    return report({ ok: false, message: `${name}: cannot check: ${(err as Error).message}` });
  }
  const problem = before && propertyCheck(before);
  if (problem) return report(problem);
  for (const [index, seed] of records.seeds.entries()) {
    let seen: Verdict | null = null;
    const outcome: RecordedCase = runCase(() => {
      const output = probe.run(student, seed);
      if (inspect) seen = propertyCheck(() => inspect(output, seed));
      return output;
    });
    const verdict =
      "error" in outcome
        ? thrown(name, new Error(outcome.error), probe.errorHints)
        : (seen ?? compareCase(name, outcome.value, seed, index, records));
    if (verdict) return report(verdict);
  }
  const n = records.seeds.length;
  return report({ ok: true, message: `${name}: matches the reference on ${n} random input${n === 1 ? "" : "s"}` });
}
