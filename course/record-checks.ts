/**
 * Records what each public check compares with: the reference and every
 * typical mistake, run through the check's probe on its public seeds, in
 * this (the instructor's) process. Release writes the result as
 * lib/check/records/<lab>.json; `release --check` recomputes and compares.
 */
import * as fs from "fs";
import * as path from "path";
import { useBestBackend } from "../lib/backend";
import { FIRST_GRADING_SEED } from "../lib/check/record";
import { compareRecorded, DEFAULT_TOLERANCE, Recorded, RecordedCase, runCase } from "../lib/check/recorded";
import { CheckRecords, LabRecords, RECORDS_VERSION } from "../lib/check/records";
import type { CheckSource, CourseLab } from "./lab";

/** Records are made on the backend students run by default, so that they agree to the last digit. */
const RECORDING_BACKEND = "wasm";

function recordCheck(source: CheckSource<never>, lab: string): CheckRecords {
  const { probe, seeds } = source;
  const where = `${lab}, check '${probe.name}'`;
  const bad = seeds.filter((s) => !Number.isInteger(s) || s <= 0 || s >= FIRST_GRADING_SEED);
  if (bad.length || !seeds.length)
    throw new Error(
      `${where}: public seeds must be integers from 1 to ${FIRST_GRADING_SEED - 1}, not [${seeds.join(", ")}]`,
    );
  const run = (fn: never): RecordedCase[] => seeds.map((seed) => runCase(() => probe.run(fn, seed)));
  const expected = run(source.reference);
  const threw = expected.findIndex((c) => "error" in c);
  if (threw >= 0)
    throw new Error(
      `${where}: the reference threw on seed ${seeds[threw]}: ${(expected[threw] as { error: string }).error}`,
    );
  const tolerance = { ...DEFAULT_TOLERANCE, ...probe.tolerance };
  const values = expected.map((c) => (c as { value: Recorded }).value);
  if (values.length > 1 && values.every((v) => compareRecorded(v, values[0], tolerance) === null)) {
    // The records ship with the kit: a submission could show them as its own on any grading seed.
    throw new Error(
      `${where}: the reference gives the same outputs on every public seed, so a submission could replay the shipped record under any grading seed; draw the probe's sizes or inputs from the seed`,
    );
  }
  const mistakes = source.mistakes.map((m) => ({ hint: m.hint, cases: run(m.fn) }));
  for (const m of mistakes) {
    // A mistake that computes what the reference computes would blame a correct answer.
    const same = m.cases.every((c, i) => {
      const e = expected[i];
      return "value" in c && "value" in e && compareRecorded(c.value, e.value, tolerance) === null;
    });
    if (same)
      throw new Error(
        `${where}: the mistake "${m.hint}" gives the reference's outputs on every seed: it would never show, so remove it or change its inputs`,
      );
  }
  return { seeds, tolerance, expected, mistakes };
}

/** Runs every public check's reference and mistakes; the records release ships. */
export async function recordLab(lab: CourseLab): Promise<LabRecords> {
  await useBestBackend({ backend: RECORDING_BACKEND, quiet: true });
  const checks: Record<string, CheckRecords> = {};
  for (const source of lab.checks) {
    if (source.probe.lab !== lab.name)
      throw new Error(`${lab.name}: the probe '${source.probe.name}' belongs to lab '${source.probe.lab}'`);
    if (checks[source.probe.name]) throw new Error(`${lab.name}: two checks are named '${source.probe.name}'`);
    checks[source.probe.name] = recordCheck(source, lab.name);
  }
  return { version: RECORDS_VERSION, lab: lab.name, checks };
}

const serializeRecords = (records: LabRecords): string => JSON.stringify(records) + "\n";

/** lib/check/records in the kit whose root is `root`. */
const recordsDir = (root: string): string => path.join(root, "lib", "check", "records");

export function writeRecords(root: string, records: LabRecords): string {
  const file = path.join(recordsDir(root), `${records.lab}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, serializeRecords(records));
  return file;
}

/** What differs between the records on disk and `fresh`, one line per problem. */
export function compareRecords(root: string, fresh: LabRecords): string[] {
  const file = path.join(recordsDir(root), `${fresh.lab}.json`);
  if (!fs.existsSync(file)) return [`${file}: missing (release records it)`];
  const disk = JSON.parse(fs.readFileSync(file, "utf8")) as LabRecords;
  if (disk.version !== fresh.version) return [`${file}: version ${disk.version}, expected ${fresh.version}`];
  const problems: string[] = [];
  const names = new Set([...Object.keys(disk.checks), ...Object.keys(fresh.checks)]);
  for (const name of names) {
    const [a, b] = [disk.checks[name], fresh.checks[name]];
    if (!a || !b) {
      problems.push(`${file}: check '${name}' is ${a ? "no longer in the course" : "not recorded"}`);
      continue;
    }
    const same = (x: RecordedCase, y: RecordedCase) =>
      "value" in x
        ? "value" in y && compareRecorded(x.value, y.value, { rtol: 1e-5, atol: 1e-6 }) === null
        : "error" in y && x.error === y.error;
    const casesAgree = (xs: RecordedCase[], ys: RecordedCase[]) =>
      xs.length === ys.length && xs.every((x, i) => same(x, ys[i]));
    const agree =
      JSON.stringify([a.seeds, a.tolerance, a.mistakes.map((m) => m.hint)]) ===
        JSON.stringify([b.seeds, b.tolerance, b.mistakes.map((m) => m.hint)]) &&
      casesAgree(a.expected, b.expected) &&
      a.mistakes.every((m, i) => casesAgree(m.cases, b.mistakes[i].cases));
    if (!agree) problems.push(`${file}: check '${name}' differs from what release records`);
  }
  return problems;
}
