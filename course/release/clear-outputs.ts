/**
 * Clears outputs and execution counts, except in cells marked
 * `dlkit: {keep_output: true}`: outputs an instructor means students to see
 * (a target plot, an expected print).
 */
import { Notebook } from "../../jupyter/notebook";
import { mapCells } from "../nbgrader/cells";

const keepsOutput = (metadata: Record<string, unknown>): boolean =>
  (metadata.dlkit as { keep_output?: unknown } | undefined)?.keep_output === true;

export class ClearOutputs {
  apply(nb: Notebook): Notebook {
    return mapCells(nb, (cell) => {
      if (cell.cell_type === "code" && !keepsOutput(cell.metadata)) {
        cell.outputs = [];
        cell.execution_count = null;
      }
      return cell;
    });
  }
}
