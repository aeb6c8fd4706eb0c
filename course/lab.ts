/**
 * The instructor's side of a lab: the reference and the catalogue of typical
 * mistakes behind each public check, and how the grader scores each test
 * cell from records. None of this ships to students: release runs it and
 * ships only what it computes.
 */
import type { Probe } from "../lib/check/probe";
import type { RecordOutput } from "../lib/check/record";

/** A deliberately wrong implementation and the hint for a student whose outputs equal its outputs. */
export interface Mistake<F> {
  hint: string;
  fn: F;
}

/** What release records for one public check. */
export interface CheckSource<F> {
  probe: Probe<F>;
  /** Public seeds: below lib/check/record's FIRST_GRADING_SEED, never 0 (tf.randomNormal takes 0 as no seed). */
  seeds: number[];
  reference: F;
  /** Tried in order: the first whose outputs equal the student's names the mistake. */
  mistakes: Mistake<F>[];
}

/** Builds a CheckSource with the function type checked against the probe's. */
export function checkSource<F>(source: CheckSource<F>): CheckSource<F> {
  return source;
}

/** The outcome of comparing a test cell's records with the solution's. */
export interface TestScore {
  /** From 0 to 1: the fraction of the test's points earned. */
  fraction: number;
  /** Why points were lost, for the student; "" at full marks. */
  message: string;
}

/**
 * Scores one test cell from the records it showed, in the grader's process.
 * `student` holds each record name the solution showed, as the student's
 * kernel showed it (undefined when it did not, or showed it twice).
 */
export type ScoreTest = (
  student: Map<string, RecordOutput | undefined>,
  solution: Map<string, RecordOutput>,
) => TestScore;

/**
 * The library's own answer to an exercise: an answer cell that reaches one of
 * `names` (as `nn.name`, an imported name, or inside a string such as a
 * require path) earns nothing on `tests`.
 */
export interface Shortcut {
  /** The answer cell's grade_id. */
  answer: string;
  names: string[];
  tests: string[];
}

export interface CourseLab {
  /** The notebook's name in solutions/ and labs/, e.g. "lab1-mlp". */
  name: string;
  /** Public checks, by probe name. */
  checks: CheckSource<never>[];
  /**
   * How the grader scores a test cell, by grade_id. Default: every case of
   * every record the solution shows, compared within rtol 1e-4, atol 1e-5
   * (course/score's scoreCaseByCase); a trained model's test compares
   * otherwise (an accuracy over the solution's recorded labels).
   */
  scoring?: Record<string, ScoreTest>;
  shortcuts?: Shortcut[];
}
