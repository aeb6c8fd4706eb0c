/**
 * Puts the instructor's cells back into a submission (nbgrader's
 * OverwriteCells, and beyond it: a deleted cell is put back, not only an
 * edited one). Every change undone is reported, so that a grader sees that
 * a student edited a test even though it gained them nothing.
 */
import type { Cell, Notebook } from "../../jupyter/notebook";
import { gradeId, isLocked, isSolution, isTracked, points } from "../nbgrader/cells";
import { HIDDEN_TESTS, replaceRegions } from "../nbgrader/regions";

export interface CellChange {
  gradeId: string;
  kind: "edited" | "deleted" | "cell type changed" | "points changed" | "duplicated" | "not the lab's";
  message: string;
}

export interface Restored {
  notebook: Notebook;
  changes: CellChange[];
}

/** The key a submission's cell is matched on: grade_id, else (a student who dropped the metadata) the cell id. */
function matchKey(cell: Cell, byCellId: Map<string, string>): string | undefined {
  return gradeId(cell) ?? (cell.id ? byCellId.get(cell.id) : undefined);
}

/**
 * A test cell as the student version shows it. The instructor's own cell,
 * hidden tests included, is then no edit: grading the solutions reports none.
 */
function visibleSource(source: string): string {
  try {
    return replaceRegions(source, HIDDEN_TESTS, "a submitted cell", () => []);
  } catch {
    return source;
  }
}

function lockedChanges(id: string, mine: Cell, theirs: Cell): CellChange[] {
  const changes: CellChange[] = [];
  if (theirs.cell_type !== mine.cell_type) {
    changes.push({
      gradeId: id,
      kind: "cell type changed",
      message: `cell '${id}' was changed from ${mine.cell_type} to ${theirs.cell_type}: restored`,
    });
  }
  const claimed = theirs.metadata.nbgrader?.points;
  if (claimed !== undefined && Number(claimed) !== points(mine)) {
    changes.push({
      gradeId: id,
      kind: "points changed",
      message: `cell '${id}' claimed ${claimed} points instead of ${points(mine)}: restored`,
    });
  }
  if (visibleSource(theirs.source) !== mine.source)
    changes.push({ gradeId: id, kind: "edited", message: `read-only cell '${id}' was edited: restored` });
  return changes;
}

/** `lab` is the released notebook (what students received). */
export function restoreCells(submission: Notebook, lab: Notebook): Restored {
  const labCells = new Map(lab.cells.filter(isTracked).map((c) => [gradeId(c)!, c]));
  const byCellId = new Map(lab.cells.filter((c) => isTracked(c) && c.id).map((c) => [c.id!, gradeId(c)!]));
  const changes: CellChange[] = [];
  const out: Array<{ cell: Cell; key?: string }> = [];
  const seen = new Set<string>();

  for (const theirs of submission.cells) {
    const key = matchKey(theirs, byCellId);
    const mine = key === undefined ? undefined : labCells.get(key);
    if (!mine || key === undefined) {
      const cell = structuredClone(theirs);
      if (cell.metadata.nbgrader) {
        // Only the lab's own cells are graded: a cell a student marks as a test must not score.
        changes.push({
          gradeId: gradeId(cell) ?? "?",
          kind: "not the lab's",
          message: `a cell claims nbgrader metadata ('${gradeId(cell) ?? "no grade_id"}') the lab does not have: ignored`,
        });
        delete cell.metadata.nbgrader;
      }
      out.push({ cell });
      continue;
    }
    if (seen.has(key)) {
      changes.push({
        gradeId: key,
        kind: "duplicated",
        message: `cell '${key}' appears more than once: only the first counts`,
      });
      const cell = structuredClone(theirs);
      delete cell.metadata.nbgrader;
      if (!isLocked(mine)) out.push({ cell });
      continue;
    }
    seen.add(key);
    if (isSolution(mine)) {
      // The student's answer, under the lab's metadata and cell type.
      const cell = { ...structuredClone(mine), source: theirs.source } as Cell;
      if (theirs.cell_type !== mine.cell_type) {
        changes.push({
          gradeId: key,
          kind: "cell type changed",
          message: `answer cell '${key}' was changed from ${mine.cell_type} to ${theirs.cell_type}: restored`,
        });
      }
      out.push({ cell, key });
    } else {
      changes.push(...lockedChanges(key, mine, theirs));
      out.push({ cell: structuredClone(mine), key });
    }
  }

  // Put each missing cell back after the nearest lab cell before it that is there.
  let previous: string | undefined;
  for (const mine of lab.cells) {
    const key = gradeId(mine);
    if (!isTracked(mine) || key === undefined) continue;
    if (!seen.has(key)) {
      seen.add(key);
      const at = previous === undefined ? -1 : out.findIndex((e) => e.key === previous);
      out.splice(at + 1, 0, { cell: structuredClone(mine), key });
      const what = isSolution(mine) ? "answer cell" : "read-only cell";
      changes.push({ gradeId: key, kind: "deleted", message: `${what} '${key}' was deleted: put back` });
    }
    previous = key;
  }
  return { notebook: { ...structuredClone(submission), cells: out.map((e) => e.cell) }, changes };
}
