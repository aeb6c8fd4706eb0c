/** Replaces the solution regions of answer cells by a stub (nbgrader's ClearSolutions). */
import { Cell, Notebook } from "../../jupyter/notebook";
import { describeCell, gradeId, isSolution, mapCells } from "../nbgrader/cells";
import { findRegions, replaceRegions, SOLUTION } from "../nbgrader/regions";
import { enclosingName, firstDeclared, solutionStub, TEXT_STUB } from "./stub";

export class ClearSolutions {
  constructor(private readonly name: string) {}

  apply(nb: Notebook): Notebook {
    return mapCells(nb, (cell, i) => (isSolution(cell) ? this.clear(cell, describeCell(this.name, cell, i)) : cell));
  }

  private clear(cell: Cell, where: string): Cell {
    const fallback = gradeId(cell) ?? "this answer";
    if (cell.cell_type !== "code") {
      cell.source = findRegions(cell.source, SOLUTION, where).length
        ? replaceRegions(cell.source, SOLUTION, where, () => [TEXT_STUB])
        : TEXT_STUB;
      return cell;
    }
    if (!findRegions(cell.source, SOLUTION, where).length) {
      // An answer cell without markers is an answer as a whole, as in nbgrader.
      cell.source = solutionStub(firstDeclared(cell.source.split("\n")) ?? fallback);
      return cell;
    }
    cell.source = replaceRegions(cell.source, SOLUTION, where, (region, lines) => {
      const indent = lines[region.begin].match(/^\s*/)![0];
      return [indent + solutionStub(enclosingName(lines, region.begin) ?? fallback)];
    });
    return cell;
  }
}
