/**
 * Scores each test cell from the kernel's execute_reply, never from text
 * the cell printed: "ok" earns the points, anything else nothing. A test
 * cell marked `dlkit: {partial: true}` earns a fraction: the value of its
 * last expression (the execute_result, which printing cannot produce),
 * a number from 0 to 1.
 */
import type { CodeCell, Notebook } from "../notebook";
import { gradeId, isGrade, points } from "../release/cells";
import type { NotebookRun } from "./execute";

export interface TestResult {
  id: string;
  points: number;
  max: number;
  status: "passed" | "partial" | "failed" | "timeout" | "not run";
  /** The failing check's message, a hint for the student. */
  message: string;
  seconds: number;
}

export const isPartial = (cell: CodeCell): boolean => (cell.metadata.dlkit as { partial?: unknown } | undefined)?.partial === true;

const round = (x: number) => Math.round(x * 1000) / 1000;

function fraction(cell: CodeCell): number | null {
  const result = cell.outputs.find((o) => o.output_type === "execute_result");
  if (!result || result.output_type !== "execute_result") return null;
  const text = result.data["text/plain"];
  const value = typeof text === "string" && /^\s*[\d.eE+-]+\s*$/.test(text) ? Number(text) : NaN;
  return value >= 0 && value <= 1 ? value : null;
}

/** One result per test cell of the lab, in notebook order. */
export function scoreTests(run: NotebookRun): TestResult[] {
  const tests: TestResult[] = [];
  run.notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code" || !isGrade(cell)) return;
    const id = gradeId(cell)!;
    const max = points(cell);
    const r = run.cells.get(index) ?? { status: "not run" as const, seconds: 0, flooded: false };
    const base = { id, max, seconds: round(r.seconds) };
    const describe = () => (r.error ? `${r.error.ename}: ${r.error.evalue}`.split("\n")[0] : "");
    switch (r.status) {
      case "ok": {
        if (!isPartial(cell)) return tests.push({ ...base, points: max, status: "passed", message: "" });
        const f = fraction(cell);
        if (f === null) return tests.push({ ...base, points: 0, status: "failed", message: "the partial-credit test gave no fraction from 0 to 1" });
        return tests.push({ ...base, points: round(max * f), status: f === 1 ? "passed" : "partial", message: f === 1 ? "" : `${Math.round(f * 100)}% of the cases right` });
      }
      case "error":
        return tests.push({ ...base, points: 0, status: "failed", message: describe() });
      case "timeout":
        return tests.push({ ...base, points: 0, status: "timeout", message: describe() });
      case "died":
        return tests.push({ ...base, points: 0, status: "failed", message: describe() || "the kernel stopped during this test" });
      default:
        return tests.push({ ...base, points: 0, status: "not run", message: r.status === "aborted" ? "aborted by the kernel" : run.stop ? `not run: ${run.stop.message}` : "not run" });
    }
  });
  return tests;
}

/** The lab's maximum, from the lab's own test cells. */
export const maxScore = (lab: Notebook): number => lab.cells.filter(isGrade).reduce((sum, c) => sum + points(c), 0);
