/** Removes hidden test regions, markers included, from test cells (nbgrader's ClearHiddenTests). */
import { Notebook } from "../../jupyter/notebook";
import { describeCell, mapCells } from "../nbgrader/cells";
import { HIDDEN_TESTS, replaceRegions } from "../nbgrader/regions";

export class StripHiddenTests {
  constructor(private readonly name: string) {}

  apply(nb: Notebook): Notebook {
    return mapCells(nb, (cell, i) => {
      if (cell.cell_type === "code")
        cell.source = replaceRegions(cell.source, HIDDEN_TESTS, describeCell(this.name, cell, i), () => []);
      return cell;
    });
  }
}
