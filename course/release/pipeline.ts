/**
 * release: solution notebook → student notebook, as a chain of small
 * transforms in nbgrader's order. Pure: the same solution always gives the
 * same lab, byte for byte.
 */
import type { Notebook } from "../../jupyter/notebook";
import { ComputeChecksums } from "./checksum";
import { ClearOutputs } from "./clear-outputs";
import { ClearSolutions } from "./clear-solutions";
import { LockCells } from "./lock-cells";
import { StampLab } from "./stamp-lab";
import { StripHiddenTests } from "./strip-hidden-tests";
import { CheckCellMetadata } from "./validate";

export interface NotebookTransform {
  /** Returns a new notebook; its input stays as it was. */
  apply(nb: Notebook): Notebook;
}

/** The transforms that make lab `lab` from its solution; `name` appears in error messages. */
function releaseTransforms(lab: string, name: string): NotebookTransform[] {
  return [
    new CheckCellMetadata(name),
    new ClearSolutions(name),
    new StripHiddenTests(name),
    new ClearOutputs(),
    new LockCells(),
    // Last, so that the checksums are of the cells as students receive them.
    new ComputeChecksums(),
    new StampLab(lab),
  ];
}

export function releaseNotebook(solution: Notebook, lab: string, name = `${lab}.ipynb`): Notebook {
  return releaseTransforms(lab, name).reduce((nb, t) => t.apply(nb), solution);
}
