/**
 * The grader's outputs: gradebook.csv (one row per student and lab),
 * results.json (per test), and merge, which joins shards' outputs into one.
 */
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../../jupyter/notebook";
import type { StudentResult } from "./result";

const RESULTS_VERSION = 2;

const csvField = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function gradebookCsv(results: StudentResult[]): string {
  const lines = [["student", "lab", "score", "max", "status", "message"].join(",")];
  for (const r of results) lines.push([r.student, r.lab, r.score, r.max, r.status, r.message].map(csvField).join(","));
  return lines.join("\n") + "\n";
}

const byStudent = (a: StudentResult, b: StudentResult) =>
  a.student < b.student ? -1 : a.student > b.student ? 1 : a.lab < b.lab ? -1 : a.lab > b.lab ? 1 : 0;

/** Each file written whole, then renamed; results.json last, so that a folder holding it holds the rest. */
export function writeReports(out: string, results: StudentResult[]): void {
  const sorted = [...results].sort(byStudent);
  writeFileAtomic(path.join(out, "gradebook.csv"), gradebookCsv(sorted));
  writeFileAtomic(
    path.join(out, "results.json"),
    JSON.stringify({ version: RESULTS_VERSION, results: sorted }, null, 1) + "\n",
  );
}

export function readResults(dir: string): StudentResult[] {
  const file = path.join(dir, "results.json");
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist: is ${dir} the --out folder of a grade run?`);
  const json = JSON.parse(fs.readFileSync(file, "utf8"));
  if (json.version !== RESULTS_VERSION || !Array.isArray(json.results)) {
    throw new Error(`${file} is not a dlkit results file (version ${RESULTS_VERSION}); grade again with this kit.`);
  }
  return json.results as StudentResult[];
}

/**
 * Joins shards: their results, feedback and graded notebooks. A student graded
 * in two shards is an error, and so are shards graded with different seeds:
 * their hidden inputs differ, so their scores do not compare.
 */
export function mergeResults(dirs: string[], out: string): StudentResult[] {
  const all: StudentResult[] = [];
  const from = new Map<string, string>();
  const shards = dirs.map((dir) => ({ dir, results: readResults(dir) }));
  const bySeed = new Map<number, string[]>();
  for (const { dir, results } of shards) {
    for (const seed of new Set(results.map((r) => r.seed))) bySeed.set(seed, [...(bySeed.get(seed) ?? []), dir]);
  }
  if (bySeed.size > 1) {
    const which = [...bySeed].map(([seed, where]) => `seed ${seed} in ${where.join(", ")}`).join("; ");
    throw new Error(
      `the shards were graded with different seeds (${which}): their hidden inputs differ, so their scores do not compare. Grade them again with one --seed.`,
    );
  }
  for (const { dir, results } of shards) {
    for (const r of results) {
      const key = `${r.student} / ${r.lab}`;
      if (from.has(key))
        throw new Error(`${key} is in both ${from.get(key)} and ${dir}: were the shards made with the same N?`);
      from.set(key, dir);
      all.push(r);
    }
  }
  // Copied only once every shard is known good; the reports last.
  for (const { dir } of shards) {
    for (const sub of ["feedback", "autograded"]) {
      if (fs.existsSync(path.join(dir, sub)) && path.resolve(dir) !== path.resolve(out)) {
        fs.cpSync(path.join(dir, sub), path.join(out, sub), { recursive: true });
      }
    }
  }
  writeReports(out, all);
  return all.sort(byStudent);
}
