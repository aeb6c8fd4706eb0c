/**
 * The expected outputs of a lab's public checks, recorded by `dlkit release`
 * from the instructor's reference and catalogue of typical mistakes, and
 * shipped with the kit as data: `lib/check/records/<lab>.json`.
 */
import * as fs from "fs";
import * as path from "path";
import type { RecordedCase, Tolerance } from "./recorded";

export const RECORDS_VERSION = 1;

/** One typical mistake: its hint, and what it computes on each public seed. */
export interface RecordedMistake {
  hint: string;
  cases: RecordedCase[];
}

/** What one public check compares with. */
export interface CheckRecords {
  seeds: number[];
  tolerance: Required<Tolerance>;
  /** The reference's outputs, one per seed. */
  expected: RecordedCase[];
  mistakes: RecordedMistake[];
}

export interface LabRecords {
  version: number;
  lab: string;
  checks: Record<string, CheckRecords>;
}

/** Where the records of `lab` live, in this checkout or in an installed kit. */
export function recordsFile(lab: string): string {
  // Compiled code sits in dist/lib/check; the JSON stays beside the sources.
  const here = path.join(__dirname, "records", `${lab}.json`);
  return fs.existsSync(here)
    ? here
    : path.resolve(__dirname, "..", "..", "..", "lib", "check", "records", `${lab}.json`);
}

const cache = new Map<string, LabRecords>();

/** The records of `lab`; throws with the fix when they are missing or from another kit version. */
export function loadRecords(lab: string): LabRecords {
  const cached = cache.get(lab);
  if (cached) return cached;
  const file = recordsFile(lab);
  if (!fs.existsSync(file)) {
    throw new Error(
      `no recorded results for lab '${lab}' (${file} is missing): the kit is incomplete; reinstall it (instructors: run \`npx dlkit release\`)`,
    );
  }
  const records = JSON.parse(fs.readFileSync(file, "utf8")) as LabRecords;
  if (records.version !== RECORDS_VERSION || records.lab !== lab) {
    throw new Error(
      `${file} is not this kit's record of lab '${lab}' (version ${records.version}): reinstall the kit (instructors: run \`npx dlkit release\`)`,
    );
  }
  cache.set(lab, records);
  return records;
}
