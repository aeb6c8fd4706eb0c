/**
 * Scores a test cell from records, in the grader's process: the student's
 * records against the solution's, run on the same seed in a kernel of the
 * grader's own. Whatever ran in the student's kernel, only records that
 * equal the solution's earn points.
 */
import type { RecordOutput } from "../lib/check/record";
import { compareRecorded, Recorded, RecordedCase, recordedLeaves, Tolerance } from "../lib/check/recorded";
import type { ScoreTest, TestScore } from "./lab";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Why the student's record cannot be compared with the solution's at all
 * (missing, shown twice, another seed or number of cases), or null.
 */
export function unusable(name: string, student: RecordOutput | undefined, solution: RecordOutput): string | null {
  if (student === undefined)
    return `'${name}' recorded nothing (the test did not run to its record, or recorded twice)`;
  if (student.seed !== solution.seed)
    return `'${name}' was recorded with seed ${student.seed}, not the grading run's ${solution.seed}`;
  if (!Array.isArray(student.cases) || student.cases.length !== solution.cases.length)
    return `'${name}' recorded ${Array.isArray(student.cases) ? student.cases.length : "no"} cases, not ${solution.cases.length}`;
  return null;
}

/** The default: each case of each record is right when it equals the solution's within `tolerance`; the score is the fraction right. */
export function scoreCaseByCase(tolerance: Tolerance = {}): ScoreTest {
  return (student, solution): TestScore => {
    let right = 0;
    let total = 0;
    const problems: string[] = [];
    for (const [name, theirs] of solution) {
      total += theirs.cases.length;
      const mine = student.get(name);
      const why = unusable(name, mine, theirs);
      if (why) {
        problems.push(why);
        continue;
      }
      let wrong = 0;
      theirs.cases.forEach((expected, k) => {
        const got = mine!.cases[k];
        if (!("value" in expected))
          throw new Error(`the solution's '${name}' threw on case ${k + 1}: ${expected.error}`);
        if (got && "value" in got && compareRecorded(got.value, expected.value, tolerance, name) === null) right++;
        else if (wrong++ === 0)
          problems.push(
            got && "error" in got
              ? `'${name}' threw: ${got.error}`
              : `'${name}' differs from the solution's on case ${k + 1} of ${theirs.cases.length}`,
          );
      });
    }
    const fraction = total ? right / total : 0;
    return {
      fraction,
      message: fraction === 1 ? "" : `${right} of ${plural(total, "case")} right: ${problems.join("; ")}`,
    };
  };
}

/** The numbers recorded under `key` of a case's value (a tensor, or an array of numbers); null for anything else. */
export function recordedNumbers(c: RecordedCase | undefined, key: string): number[] | null {
  if (!c || !("value" in c) || c.value === null || typeof c.value !== "object" || Array.isArray(c.value)) return null;
  const value = (c.value as Record<string, Recorded>)[key];
  if (value === undefined) return null;
  const leaves = recordedLeaves(value);
  return leaves.length === 1 && leaves[0].value ? leaves[0].value.values : null;
}

/** A trained model's predictions scored over every case of a record. */
export interface PooledAccuracy {
  accuracy: number;
  right: number;
  total: number;
  /** Every label the solution's record holds. */
  labels: Set<number>;
}

/**
 * The accuracy of the student's predictions under `key`, over every case,
 * against the labels under `labelsKey` in the SOLUTION's record (the
 * student's own labels could say anything, so they are never read); a
 * message instead when the records cannot be compared.
 */
export function pooledAccuracy(
  name: string,
  key: string,
  student: RecordOutput | undefined,
  solution: RecordOutput,
  labelsKey = "labels",
): PooledAccuracy | { message: string } {
  const why = unusable(name, student, solution);
  if (why) return { message: why };
  let [right, total] = [0, 0];
  const seen = new Set<number>();
  for (const [k, expected] of solution.cases.entries()) {
    const labels = recordedNumbers(expected, labelsKey);
    if (!labels)
      throw new Error(
        `the solution's '${name}' has no ${labelsKey} on case ${k + 1}: ${"error" in expected ? expected.error : "malformed"}`,
      );
    labels.forEach((l) => seen.add(l));
    const got = student!.cases[k];
    if (got && "error" in got) return { message: `'${name}' threw: ${got.error}` };
    const predicted = recordedNumbers(got, key);
    if (!predicted || predicted.length !== labels.length)
      return { message: `'${name}' holds no ${labels.length} predictions of '${key}' on case ${k + 1}` };
    right += predicted.filter((p, i) => p === labels[i]).length;
    total += labels.length;
  }
  return { accuracy: total ? right / total : 0, right, total, labels: seen };
}
