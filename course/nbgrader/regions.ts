/**
 * nbgrader's delimited regions in TypeScript cells: `// BEGIN SOLUTION` …
 * `// END SOLUTION` and `// BEGIN HIDDEN TESTS` … `// END HIDDEN TESTS`,
 * each marker alone on its line.
 */
import { NotebookError } from "../../jupyter/notebook";

export interface RegionKind {
  begin: RegExp;
  end: RegExp;
  label: string;
}

export const SOLUTION: RegionKind = {
  begin: /^\s*\/\/\s*BEGIN SOLUTION\s*$/,
  end: /^\s*\/\/\s*END SOLUTION\s*$/,
  label: "SOLUTION",
};
export const HIDDEN_TESTS: RegionKind = {
  begin: /^\s*\/\/\s*BEGIN HIDDEN TESTS\s*$/,
  end: /^\s*\/\/\s*END HIDDEN TESTS\s*$/,
  label: "HIDDEN TESTS",
};

/** A region as line numbers (0-based) of its two marker lines. */
export interface Region {
  begin: number;
  end: number;
}

/** Finds the regions of one kind; unpaired or nested markers are errors naming the cell and line. */
export function findRegions(source: string, kind: RegionKind, where: string): Region[] {
  const lines = source.split("\n");
  const regions: Region[] = [];
  let open: number | null = null;
  lines.forEach((line, i) => {
    if (kind.begin.test(line)) {
      if (open !== null) {
        throw new NotebookError(
          `${where}, line ${i + 1}: BEGIN ${kind.label} inside the region opened on line ${open + 1}; close it with \`// END ${kind.label}\` first.`,
        );
      }
      open = i;
    } else if (kind.end.test(line)) {
      if (open === null)
        throw new NotebookError(`${where}, line ${i + 1}: END ${kind.label} without a BEGIN ${kind.label} above it.`);
      regions.push({ begin: open, end: i });
      open = null;
    }
  });
  if (open !== null) {
    throw new NotebookError(
      `${where}, line ${(open as number) + 1}: BEGIN ${kind.label} is never closed; add \`// END ${kind.label}\` after the region.`,
    );
  }
  return regions;
}

/** Replaces each region, markers included, by what `replace` returns (lines; none to drop it). */
export function replaceRegions(
  source: string,
  kind: RegionKind,
  where: string,
  replace: (region: Region, lines: string[]) => string[],
): string {
  const lines = source.split("\n");
  const out: string[] = [];
  let next = 0;
  for (const region of findRegions(source, kind, where)) {
    out.push(...lines.slice(next, region.begin), ...replace(region, lines));
    next = region.end + 1;
  }
  out.push(...lines.slice(next));
  return out.join("\n");
}

/** The source with the marker lines removed and the regions' content kept. */
export function dropMarkers(source: string, kind: RegionKind, where: string): string {
  return replaceRegions(source, kind, where, (r, lines) => lines.slice(r.begin + 1, r.end));
}
