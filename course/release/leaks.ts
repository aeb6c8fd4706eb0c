/**
 * Finds the instructor's answers in files meant for students: every line of
 * a solution region (`// BEGIN SOLUTION` … `// END SOLUTION`), of a hidden
 * test region, and of an answer cell without markers, that the released lab
 * does not also show. Release runs it over the student kit before writing
 * it; the tests run it over the unpacked tarball too.
 *
 * Lines are compared whitespace-normalised, and short lines (`}`, `return x;`)
 * are skipped: they say nothing. Compiled JavaScript loses TypeScript's
 * types, so each code cell is also transpiled and its JavaScript lines join
 * the search: an answer copied into the library shows up in dist/ too.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "@tslab/typescript-for-tslab";
import { Notebook } from "../../jupyter/notebook";
import { isSolution } from "../nbgrader/cells";
import { findRegions, HIDDEN_TESTS, RegionKind, SOLUTION } from "../nbgrader/regions";

/** Lines with fewer non-space characters than this are too common to mean a leak. */
const MIN_LEAK_CHARS = 20;

export const normaliseLine = (line: string): string => line.trim().replace(/\s+/g, " ");

const meaningful = (line: string): boolean => line.replace(/\s/g, "").length >= MIN_LEAK_CHARS;

function regionLines(source: string, kind: RegionKind, where: string): string[] {
  const lines = source.split("\n");
  return findRegions(source, kind, where).flatMap((r) => lines.slice(r.begin + 1, r.end));
}

/** The lines of `nb` that release removes: solution and hidden-test regions, and answer cells without markers. */
function answerSources(nb: Notebook, name: string): string[] {
  return nb.cells.flatMap((cell, i) => {
    const where = `${name}, cell ${i + 1}`;
    const regions = [...regionLines(cell.source, SOLUTION, where), ...regionLines(cell.source, HIDDEN_TESTS, where)];
    const wholeAnswer = isSolution(cell) && findRegions(cell.source, SOLUTION, where).length === 0;
    return wholeAnswer ? [...regions, ...cell.source.split("\n")] : regions;
  });
}

/** The JavaScript lines TypeScript makes of a cell (what tsc would put in dist/). */
function compiledLines(source: string): string[] {
  const out = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS },
  });
  return out.outputText.split("\n");
}

export interface SolutionLine {
  /** Whitespace-normalised. */
  text: string;
  /** "lab1-mlp.ipynb" */
  notebook: string;
  /** The line as written in the solution, or "compiled" for a line of its JavaScript. */
  form: "source" | "compiled";
}

/**
 * The lines of `solution` a student must not see: removed by release
 * (`lab` is what release made of it) and long enough to mean something.
 */
export function solutionLines(solution: Notebook, lab: Notebook, name: string): SolutionLine[] {
  const codeOf = (nb: Notebook) => nb.cells.filter((c) => c.cell_type === "code").map((c) => c.source);
  // What the lab shows, as the finder searches it: a line inside a longer line of the lab is shown too.
  const labLines = [...lab.cells.flatMap((c) => c.source.split("\n")), ...codeOf(lab).flatMap(compiledLines)];
  const shown = labLines.map(normaliseLine).join("\n");
  const found = new Map<string, SolutionLine>();
  const add = (line: string, form: SolutionLine["form"]) => {
    const text = normaliseLine(line);
    if (meaningful(text) && !found.has(text) && !shown.includes(text)) found.set(text, { text, notebook: name, form });
  };
  for (const line of answerSources(solution, name)) add(line, "source");
  for (const source of codeOf(solution)) for (const line of compiledLines(source)) add(line, "compiled");
  return [...found.values()];
}

export interface Leak {
  file: string;
  line: SolutionLine;
}

/** The texts to search in a file: the file itself and, for JSON, its strings (notebooks' cells unescaped). */
function searchableTexts(file: string): string[] {
  const raw = fs.readFileSync(file);
  if (raw.includes(0)) return [];
  const text = raw.toString("utf8");
  const texts = [text];
  if (/\.(json|ipynb|map)$/.test(file)) {
    try {
      const strings: string[] = [];
      const walk = (v: unknown): void => {
        if (typeof v === "string") strings.push(v);
        else if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === "object") Object.values(v).forEach(walk);
      };
      walk(JSON.parse(text));
      texts.push(strings.join("\n"));
    } catch {
      // Not JSON after all: the raw text is searched.
    }
  }
  return texts.map((t) => t.split("\n").map(normaliseLine).join("\n"));
}

/** Every file under `dir`, recursively (symbolic links not followed). */
export function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : e.isFile() ? [full] : [];
  });
}

/** Characters of a solution line's start that index it: any line worth finding is longer. */
const KEY = 16;

/** Each solution line found in a file of `files` (binary files are skipped: gzip and tarballs are unpacked first). */
export function findLeaks(files: string[], lines: SolutionLine[]): Leak[] {
  // Searching every text for every line is slow on a few megabytes: look each window of KEY characters up instead.
  const byKey = new Map<string, SolutionLine[]>();
  for (const line of lines) {
    const key = line.text.slice(0, KEY);
    byKey.set(key, [...(byKey.get(key) ?? []), line]);
  }
  const leaks: Leak[] = [];
  for (const file of files) {
    const found = new Set<SolutionLine>();
    for (const text of searchableTexts(file)) {
      for (let i = 0; i + KEY <= text.length; i++) {
        for (const line of byKey.get(text.slice(i, i + KEY)) ?? []) {
          if (!found.has(line) && text.startsWith(line.text, i)) found.add(line);
        }
      }
    }
    for (const line of found) leaks.push({ file, line });
  }
  return leaks;
}

export const describeLeak = (leak: Leak, root: string): string =>
  `${path.relative(root, leak.file)}: a line of ${leak.line.notebook}'s answers${leak.line.form === "compiled" ? " (compiled)" : ""}: ${leak.line.text}`;
