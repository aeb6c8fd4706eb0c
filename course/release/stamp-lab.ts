/** Records which lab a notebook is, so that grading recognises a notebook handed in for the wrong lab. */
import { Notebook } from "../../jupyter/notebook";

export const labOf = (nb: Notebook): string | undefined => {
  const lab = (nb.metadata.dlkit as { lab?: unknown } | undefined)?.lab;
  return typeof lab === "string" ? lab : undefined;
};

export class StampLab {
  constructor(private readonly lab: string) {}

  apply(nb: Notebook): Notebook {
    return {
      ...nb,
      metadata: { ...structuredClone(nb.metadata), dlkit: { ...(nb.metadata.dlkit ?? {}), lab: this.lab } },
    };
  }
}
