/**
 * The grader's outputs: gradebook.csv (one row per student and lab),
 * results.json (per test), and merge, which joins shards' outputs into one.
 */
import * as fs from "fs";
import * as path from "path";
import type { StudentResult } from "./grade";

export const RESULTS_VERSION = 2;

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

export function writeReports(out: string, results: StudentResult[]): void {
  const sorted = [...results].sort(byStudent);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "gradebook.csv"), gradebookCsv(sorted));
  fs.writeFileSync(path.join(out, "results.json"), JSON.stringify({ version: RESULTS_VERSION, results: sorted }, null, 1) + "\n");
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

/** Joins shards: their results, feedback and graded notebooks; a student graded in two shards is an error. */
export function mergeResults(dirs: string[], out: string): StudentResult[] {
  const all: StudentResult[] = [];
  const from = new Map<string, string>();
  for (const dir of dirs) {
    for (const r of readResults(dir)) {
      const key = `${r.student} / ${r.lab}`;
      if (from.has(key)) throw new Error(`${key} is in both ${from.get(key)} and ${dir}: were the shards made with the same N?`);
      from.set(key, dir);
      all.push(r);
    }
    for (const sub of ["feedback", "autograded"]) {
      if (fs.existsSync(path.join(dir, sub)) && path.resolve(dir) !== path.resolve(out)) {
        fs.cpSync(path.join(dir, sub), path.join(out, sub), { recursive: true });
      }
    }
  }
  writeReports(out, all);
  return all.sort(byStudent);
}
