/**
 * What a graded notebook's hidden tests do: run a probe on inputs drawn from
 * the grading run's seed and show the outputs as a record. The grader reads
 * the records from the test cell's outputs and compares them with the
 * solution's, run on the same seed in a kernel of its own: no verdict is
 * computed in the process that runs the student's code.
 *
 *   // BEGIN HIDDEN TESTS
 *   check.record("double", (seed) => double(seed % 1000));   // 3 cases, on seeds drawn from the grading seed
 *   // END HIDDEN TESTS
 */
import { display } from "../display";
import { RecordedCase, runCase } from "./recorded";

/** The mime type of a record in a cell's outputs. */
export const RECORD_MIME = "application/vnd.dlkit.record+json";

/** The environment variable through which the grader hands the kernel its seed. */
export const GRADING_SEED_VARIABLE = "DLKIT_GRADING_SEED";

/** Seeds below this are for public checks; grading seeds are drawn above it, so no recorded output answers a graded case. */
export const FIRST_GRADING_SEED = 1_000_000;

/** What the grader reads. */
export interface RecordOutput {
  name: string;
  seed: number;
  cases: RecordedCase[];
}

/** The grading run's seed, or a fixed one outside grading. */
export function gradingSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env[GRADING_SEED_VARIABLE]);
  return Number.isInteger(given) && given >= FIRST_GRADING_SEED ? given : FIRST_GRADING_SEED;
}

/** Spacing between the seeds of one record's cases, so that case k of one seed is no case of a nearby seed. */
const CASE_STRIDE = 7919;

/** Options of `check.record`. */
export interface RecordOptions {
  /** How many seeded cases. Default 3. */
  cases?: number;
}

/** Runs `probe` on `cases` seeds from the grading seed and shows the outputs as a record. */
export function record(name: string, probe: (seed: number) => unknown, options: RecordOptions = {}): void {
  const seed = gradingSeed();
  const cases = Array.from({ length: options.cases ?? 3 }, (_, k) => runCase(() => probe(seed + k * CASE_STRIDE)));
  const output: RecordOutput = { name, seed, cases };
  const failed = cases.filter((c) => "error" in c).length;
  display({
    [RECORD_MIME]: output,
    "text/plain": `recorded '${name}' for the grader: ${cases.length} case${cases.length === 1 ? "" : "s"}${failed ? `, ${failed} threw` : ""}`,
  });
}
