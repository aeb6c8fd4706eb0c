/**
 * Cell checksums as nbgrader computes them (md5 over the source, the cell
 * type, the grade/solution/locked flags as Python prints booleans, the
 * grade_id, and for graded cells the points as Python prints a float), so
 * that nbgrader and the kit agree on which cells a student changed.
 */
import { createHash } from "crypto";
import type { Cell, Notebook } from "../../jupyter/notebook";
import { gradeId, isGrade, isLocked, isSolution, isTracked, mapCells, points } from "../nbgrader/cells";

const pyBool = (b: boolean) => (b ? "True" : "False");

/** `str(float(x))` in Python: 2 → "2.0", 1e-7 → "1e-07". */
function pyFloat(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x).replace(/e([+-])(\d)$/, "e$10$2");
}

export function computeChecksum(cell: Cell): string {
  const md5 = createHash("md5");
  md5.update(cell.source, "utf8");
  md5.update(cell.cell_type, "utf8");
  md5.update(pyBool(isGrade(cell)));
  md5.update(pyBool(isSolution(cell)));
  md5.update(pyBool(isLocked(cell)));
  md5.update(gradeId(cell) ?? "", "utf8");
  if (isGrade(cell)) md5.update(pyFloat(points(cell)));
  return md5.digest("hex");
}

/** Records the checksum of every graded, answer and locked cell in its nbgrader metadata. */
export class ComputeChecksums {
  apply(nb: Notebook): Notebook {
    return mapCells(nb, (cell) => {
      if (isTracked(cell)) cell.metadata.nbgrader = { ...cell.metadata.nbgrader, checksum: computeChecksum(cell) };
      return cell;
    });
  }
}
