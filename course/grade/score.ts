/**
 * Scores each test cell in the grader's process, from records: what the
 * student's code computed on the grading seed against what the solution
 * computed on the same seed in a kernel of its own (course/score). The cell's
 * own outcome in the student's kernel decides nothing; it only explains.
 */
import type { RecordOutput } from "../../lib/check/record";
import type { CourseLab } from "../lab";
import { scoreCaseByCase } from "../score";
import type { Notebook } from "../../jupyter/notebook";
import { gradeId, isGrade, points } from "../nbgrader/cells";
import type { CellRun, NotebookRun } from "./execute";
import type { CellRecords } from "./records";
import type { ShortcutFound } from "./shortcuts";

export interface TestResult {
  id: string;
  points: number;
  max: number;
  status: "passed" | "partial" | "failed" | "timeout" | "not run";
  /** Why points were lost, and the failing check's message (a hint for the student). */
  message: string;
  seconds: number;
  /** The cell ran without error in the student's kernel (its own checks passed). */
  ownChecksPassed: boolean;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** What happened to the test cell in the student's kernel, in words; "" when it ran without error. */
function cellOutcome(r: CellRun, ownError: string, run: NotebookRun): string {
  if (r.status === "not run") return run.stop ? `not run: ${run.stop.message}` : "not run";
  if (r.status === "aborted") return "aborted by the kernel";
  if (r.status === "died" && !ownError) return "the kernel stopped during this test";
  return ownError;
}

/**
 * One result per test cell of the lab, in notebook order. A test that an
 * answer passed by calling the library's own version (`shortcuts`) earns nothing.
 */
export function scoreTests(
  run: NotebookRun,
  student: CellRecords,
  solution: CellRecords,
  course?: CourseLab,
  shortcuts: ShortcutFound[] = [],
): TestResult[] {
  const tests: TestResult[] = [];
  run.notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code" || !isGrade(cell)) return;
    const id = gradeId(cell)!;
    const max = points(cell);
    const r: CellRun = run.cells.get(index) ?? { status: "not run", seconds: 0, flooded: false };
    const expected = solution.get(id);
    if (!expected?.size)
      throw new Error(`test '${id}' records nothing in the solution: give it a hidden \`check.record(...)\``);
    const shortcut = shortcuts.find((f) => f.tests.includes(id));
    const score = shortcut
      ? { fraction: 0, message: shortcut.message }
      : (course?.scoring?.[id] ?? scoreCaseByCase())(
          student.get(id) ?? new Map<string, RecordOutput | undefined>(),
          expected as Map<string, RecordOutput>,
        );
    const fraction = Math.min(1, Math.max(0, Number.isFinite(score.fraction) ? score.fraction : 0));
    const ownError = r.error ? `${r.error.ename}: ${r.error.evalue}`.split("\n")[0] : "";
    const status: TestResult["status"] =
      fraction === 1
        ? "passed"
        : r.status === "timeout"
          ? "timeout"
          : r.status === "not run"
            ? "not run"
            : fraction > 0
              ? "partial"
              : "failed";
    // A record that threw what the cell showed says it once.
    const shown =
      ownError && score.message.includes(r.error!.evalue.split("\n")[0]) ? "" : cellOutcome(r, ownError, run);
    const message = fraction === 1 ? "" : [shown, score.message].filter(Boolean).join("; ");
    tests.push({
      id,
      points: round(max * fraction),
      max,
      status,
      message,
      seconds: round(r.seconds),
      ownChecksPassed: r.status === "ok",
    });
  });
  return tests;
}

/** The lab's maximum, from the lab's own test cells. */
export const maxScore = (lab: Notebook): number => lab.cells.filter(isGrade).reduce((sum, c) => sum + points(c), 0);
