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
import { thrown } from "./checkFunction";
import { shapeHint, valueHint } from "./hints";
import { asNotImplemented } from "./notImplemented";
import type { Probe } from "./probe";
import { compareRecorded, Recorded, RecordedCase, recordedLeaves, runCase } from "./recorded";
import { CheckRecords, loadRecords } from "./records";
import { sameShape } from "./values";
import { report, Verdict } from "./verdict";

/** The verdict for a case that threw: checkFunction's, with the probe's own hints first. */
function thrownVerdict(name: string, c: { error: string }, probe: Probe<never>): Verdict {
  const err = new Error(c.error);
  const missing = asNotImplemented(err);
  if (missing) {
    // When the function calls another that is still a stub, name that one.
    return { ok: false, notImplemented: true, message: `${name}: ${missing.what !== name ? `${missing.what} is ` : ""}not implemented yet` };
  }
  const verdict = thrown(name, err);
  return { ...verdict, hint: probe.errorHints?.find((h) => h.when.test(c.error))?.hint ?? verdict.hint };
}

/** Every size in a record (batch size, feature sizes): a factor equal to one of them is named in the hint. */
function sizesIn(value: Recorded): number[] {
  return recordedLeaves(value).flatMap((l) => l.value?.shape ?? []);
}

/** Compares one case's outputs; null when they agree. */
function compareCase(name: string, actual: Recorded, seed: number, index: number, records: CheckRecords): Verdict | null {
  const expected = records.expected[index];
  if (!("value" in expected)) throw new Error(`the recorded reference threw on seed ${seed}: ${expected.error}`);
  const difference = compareRecorded(actual, expected.value, records.tolerance, name);
  if (!difference) return null;
  const mistake = records.mistakes.find((m) => {
    const c = m.cases[index];
    return c && "value" in c && compareRecorded(actual, c.value, records.tolerance) === null;
  });
  const { actual: a, expected: e } = difference;
  const fallback = !a || !e ? undefined : sameShape(a.shape, e.shape) ? valueHint(a, e, { ...records.tolerance, sizes: sizesIn(expected.value) }) : shapeHint(a.shape, e.shape);
  return { ok: false, message: difference.message, hint: mistake?.hint ?? fallback };
}

/** Runs the check and prints its one-line verdict; never throws for a student's error. */
export function checkRecorded<F>(probe: Probe<F>, student: F, name = probe.name): Verdict {
  let records: CheckRecords | undefined;
  try {
    records = loadRecords(probe.lab).checks[probe.name];
    if (!records) throw new Error(`lab '${probe.lab}' has no recorded results for the check '${probe.name}': reinstall the kit (instructors: run \`npx dlkit release\`)`);
  } catch (err) {
    return report({ ok: false, message: `${name}: cannot check: ${(err as Error).message}` });
  }
  for (const [index, seed] of records.seeds.entries()) {
    const outcome: RecordedCase = runCase(() => probe.run(student, seed));
    const verdict = "error" in outcome ? thrownVerdict(name, outcome, probe as Probe<never>) : compareCase(name, outcome.value, seed, index, records);
    if (verdict) return report(verdict);
  }
  const n = records.seeds.length;
  return report({ ok: true, message: `${name}: matches the reference on ${n} random input${n === 1 ? "" : "s"}` });
}
