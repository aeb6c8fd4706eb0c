/**
 * Scores a test cell from records, in the grader's process: the student's
 * records against the solution's, run on the same seed in a kernel of the
 * grader's own. Whatever ran in the student's kernel, only records that
 * equal the solution's earn points.
 */
import type { RecordOutput } from "../lib/check/record";
import { compareRecorded, Tolerance } from "../lib/check/recorded";
import type { ScoreTest, TestScore } from "./lab";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Why the student's record cannot be compared with the solution's at all
 * (missing, shown twice, another seed or number of cases), or null.
 */
export function unusable(name: string, student: RecordOutput | undefined, solution: RecordOutput): string | null {
  if (student === undefined) return `'${name}' recorded nothing (the test did not run to its record, or recorded twice)`;
  if (student.seed !== solution.seed) return `'${name}' was recorded with seed ${student.seed}, not the grading run's ${solution.seed}`;
  if (!Array.isArray(student.cases) || student.cases.length !== solution.cases.length) return `'${name}' recorded ${Array.isArray(student.cases) ? student.cases.length : "no"} cases, not ${solution.cases.length}`;
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
        if (!("value" in expected)) throw new Error(`the solution's '${name}' threw on case ${k + 1}: ${expected.error}`);
        if (got && "value" in got && compareRecorded(got.value, expected.value, tolerance, name) === null) right++;
        else if (wrong++ === 0) problems.push(got && "error" in got ? `'${name}' threw: ${got.error}` : `'${name}' differs from the solution's on case ${k + 1} of ${theirs.cases.length}`);
      });
    }
    const fraction = total ? right / total : 0;
    return { fraction, message: fraction === 1 ? "" : `${right} of ${plural(total, "case")} right: ${problems.join("; ")}` };
  };
}
