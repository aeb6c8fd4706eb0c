/** Puts the hidden tests back into the test cells, from the instructor's solution. */
import type { Notebook } from "../../jupyter/notebook";
import { gradeId, isGrade, mapCells } from "../nbgrader/cells";
import { dropMarkers, findRegions, HIDDEN_TESTS } from "../nbgrader/regions";

export class InsertHiddenTests {
  private readonly full = new Map<string, string>();

  constructor(solution: Notebook, name: string) {
    for (const cell of solution.cells) {
      const id = gradeId(cell);
      if (isGrade(cell) && id && findRegions(cell.source, HIDDEN_TESTS, `${name}, cell '${id}'`).length) {
        this.full.set(id, dropMarkers(cell.source, HIDDEN_TESTS, `${name}, cell '${id}'`));
      }
    }
  }

  apply(nb: Notebook): Notebook {
    return mapCells(nb, (cell) => {
      const id = gradeId(cell);
      if (isGrade(cell) && id && this.full.has(id)) cell.source = this.full.get(id)!;
      return cell;
    });
  }
}
