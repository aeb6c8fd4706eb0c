/**
 * release on disk: solutions/X.ipynb → labs/X.ipynb, and the check CI runs
 * that labs/ is exactly what release would write.
 */
import * as fs from "fs";
import * as path from "path";
import { listNotebooks, NotebookError, readNotebook, serializeNotebook, writeNotebook } from "../../jupyter/notebook";
import { releaseNotebook } from "./pipeline";

export interface ReleaseTarget {
  lab: string;
  solution: string;
  output: string;
}

const labName = (file: string) => path.basename(file, ".ipynb");

/**
 * Where each solution's lab goes: `labsDir`, or the `labs` folder beside the
 * `solutions` folder the notebook is in. Never into a solutions folder.
 */
export function releaseTargets(solutions: string[], labsDir?: string): ReleaseTarget[] {
  return solutions.map((solution) => {
    if (!solution.endsWith(".ipynb")) throw new NotebookError(`${solution} is not a .ipynb notebook.`);
    const dir = path.dirname(path.resolve(solution));
    if (!labsDir && path.basename(dir) !== "solutions") {
      throw new NotebookError(
        `${solution} is not in a solutions/ folder, so there is no labs/ beside it: pass --labs DIR.`,
      );
    }
    const outDir = path.resolve(labsDir ?? path.join(dir, "..", "labs"));
    if (outDir === dir)
      throw new NotebookError(`--labs ${labsDir} is the solutions folder: release never writes into solutions/.`);
    return { lab: labName(solution), solution, output: path.join(outDir, path.basename(solution)) };
  });
}

export const releasedText = (t: ReleaseTarget): string =>
  serializeNotebook(releaseNotebook(readNotebook(t.solution), t.lab, path.basename(t.solution)));

export function writeReleases(targets: ReleaseTarget[]): void {
  for (const t of targets)
    writeNotebook(t.output, releaseNotebook(readNotebook(t.solution), t.lab, path.basename(t.solution)), [t.solution]);
}

/**
 * What differs between the labs on disk and what release would write: one
 * line per file. With `strayDir`, lab notebooks there without a solution count too.
 */
export function checkReleases(targets: ReleaseTarget[], strayDir?: string): string[] {
  const problems: string[] = [];
  for (const t of targets) {
    const expected = releasedText(t);
    if (!fs.existsSync(t.output)) problems.push(`${t.output}: missing (release ${t.solution} makes it)`);
    else if (fs.readFileSync(t.output, "utf8") !== expected)
      problems.push(`${t.output}: differs from what release makes of ${t.solution}`);
  }
  if (strayDir) {
    const made = new Set(targets.map((t) => path.resolve(t.output)));
    for (const lab of listNotebooks(strayDir)) {
      if (!made.has(path.resolve(lab)))
        problems.push(`${lab}: has no solution notebook (remove it, or add its solution)`);
    }
  }
  return problems;
}
