/** nbgrader's cell roles, read from `metadata.nbgrader` as nbgrader reads them. */
import type { Cell, Notebook } from "../../jupyter/notebook";

export const isGrade = (cell: Cell): boolean => Boolean(cell.metadata.nbgrader?.grade);
export const isSolution = (cell: Cell): boolean => Boolean(cell.metadata.nbgrader?.solution);

/** Read-only for students: nbgrader locks test cells and cells marked locked, never answer cells. */
export function isLocked(cell: Cell): boolean {
  const nbgrader = cell.metadata.nbgrader;
  if (!nbgrader || isSolution(cell)) return false;
  return isGrade(cell) || Boolean(nbgrader.locked);
}

/** A cell the instructor owns or grades: it carries a grade_id and is tracked by release and grade. */
export const isTracked = (cell: Cell): boolean => isGrade(cell) || isSolution(cell) || isLocked(cell);

export const gradeId = (cell: Cell): string | undefined => {
  const id = cell.metadata.nbgrader?.grade_id;
  return typeof id === "string" ? id : undefined;
};

export const points = (cell: Cell): number => Number(cell.metadata.nbgrader?.points ?? 0);

/** Names a cell in messages: its grade_id when it has one, else its position. */
export function describeCell(name: string, cell: Cell, index: number): string {
  const id = gradeId(cell);
  return id ? `${name}, cell '${id}'` : `${name}, cell ${index + 1}`;
}

/** A copy of the notebook with `f` applied to a copy of each cell. */
export function mapCells(nb: Notebook, f: (cell: Cell, index: number) => Cell): Notebook {
  return { ...nb, metadata: structuredClone(nb.metadata), cells: nb.cells.map((c, i) => f(structuredClone(c), i)) };
}
