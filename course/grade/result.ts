/** What grading one submission gives: its score, its status and each test's result. */
import type { TestResult } from "./score";

export type Status =
  | "graded"
  | "tampered"
  | "records-differ"
  | "timeout"
  | "crashed"
  | "memory"
  | "output-limit"
  | "malformed"
  | "wrong-lab"
  | "missing"
  | "duplicate"
  | "error";

export interface StudentResult {
  student: string;
  lab: string;
  score: number;
  max: number;
  status: Status;
  message: string;
  seconds: number;
  /** The grading run's seed: grading again with it replays the same inputs. */
  seed: number;
  file: string | null;
  /** Instructor cells the student changed, each undone. */
  changes: string[];
  tests: TestResult[];
}
