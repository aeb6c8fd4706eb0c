/**
 * Checks an instructor notebook's nbgrader metadata before anything is
 * derived from it, with messages that say which cell and what to set.
 */
import { Notebook, NotebookError } from "../../jupyter/notebook";
import { describeCell, gradeId, isGrade, isSolution, isTracked } from "../nbgrader/cells";
import { findRegions, HIDDEN_TESTS, SOLUTION } from "../nbgrader/regions";

export class CheckCellMetadata {
  constructor(private readonly name: string) {}

  apply(nb: Notebook): Notebook {
    const seen = new Map<string, number>();
    nb.cells.forEach((cell, i) => {
      const where = describeCell(this.name, cell, i);
      if (isTracked(cell)) {
        const id = gradeId(cell);
        if (!id)
          throw new NotebookError(
            `${where} has nbgrader metadata but no grade_id: give it a unique name, e.g. "grade_id": "test_forward".`,
          );
        if (seen.has(id))
          throw new NotebookError(
            `${this.name}: cells ${seen.get(id)! + 1} and ${i + 1} share grade_id '${id}'; each must be unique.`,
          );
        seen.set(id, i);
      }
      if (isGrade(cell)) {
        const points = cell.metadata.nbgrader?.points;
        if (typeof points !== "number" || !(points >= 0)) {
          throw new NotebookError(
            `${where} is graded but its points are ${JSON.stringify(points)}: set "points" to a number ≥ 0.`,
          );
        }
        if (cell.cell_type !== "code")
          throw new NotebookError(
            `${where} is a graded ${cell.cell_type} cell: dlkit grades code cells only (tests); make it a code cell or drop "grade".`,
          );
        if (isSolution(cell)) {
          throw new NotebookError(
            `${where} is both an answer and a graded cell (manual grading), which dlkit does not support: split it into an answer cell and a test cell.`,
          );
        }
      }
      if (findRegions(cell.source, SOLUTION, where).length && !isSolution(cell)) {
        throw new NotebookError(
          `${where} has a BEGIN SOLUTION region but is not an answer cell: set "solution": true in its nbgrader metadata.`,
        );
      }
      if (findRegions(cell.source, HIDDEN_TESTS, where).length && !isGrade(cell)) {
        throw new NotebookError(
          `${where} has BEGIN HIDDEN TESTS but is not a graded test cell: set "grade": true and "points" in its nbgrader metadata.`,
        );
      }
    });
    return nb;
  }
}
