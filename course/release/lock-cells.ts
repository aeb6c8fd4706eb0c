/**
 * Marks cells for Jupyter and nbgrader (nbgrader's LockCells): locked and
 * test cells read-only and undeletable, answer cells undeletable; every
 * tracked cell records schema_version 3 and its cell type, so that grading
 * can tell when a student changed it.
 */
import { Notebook } from "../../jupyter/notebook";
import { isGrade, isLocked, isSolution, isTracked, mapCells } from "../nbgrader/cells";

export class LockCells {
  apply(nb: Notebook): Notebook {
    return mapCells(nb, (cell) => {
      if (!isTracked(cell)) return cell;
      const locked = isLocked(cell);
      cell.metadata.nbgrader = {
        ...cell.metadata.nbgrader,
        grade: isGrade(cell),
        solution: isSolution(cell),
        locked,
        schema_version: 3,
        cell_type: cell.cell_type,
      };
      cell.metadata.deletable = false;
      if (locked) cell.metadata.editable = false;
      else delete cell.metadata.editable;
      return cell;
    });
  }
}
