/**
 * dlkit grade SUBMISSIONS... [--lab X] [--jobs N] [--shard k/N] [--out DIR]
 *   [--timeout S] [--total-timeout S] [--memory MB] [--solutions DIR] [--seed N] [--allow-unsandboxed]
 * dlkit grade SUBMISSIONS... --out DIR --slurm [--array-size N] [--sbatch-args "..."]  (slurm.ts)
 * dlkit merge DIR... --out DIR
 */
import { randomInt } from "crypto";
import * as path from "path";
import { parseArgs } from "util";
import { FIRST_GRADING_SEED } from "../../lib/check/record";
import { UsageError } from "../../cli/errors";
import { ProgressLine } from "../../runner/progress";
import { Grader, loadLabs } from "./grade";
import { StudentResult } from "./result";
import { mergeResults, writeReports } from "./report";
import { shellQuote, splitWords, submitSlurm, withSbatchArgsJoined } from "./slurm";
import { collectSubmissions, parseShard, shard } from "./submissions";

export const GRADE_USAGE = `  dlkit grade SUBMISSIONS... [--lab X] [--jobs N] [--shard k/N] [--out DIR] [--timeout S] [--total-timeout S] [--memory MB] [--solutions DIR] [--seed N] [--allow-unsandboxed]
  dlkit grade SUBMISSIONS... --out DIR --slurm [--array-size N] [--sbatch-args "..."] [the options above but --shard]
  dlkit merge DIR... --out DIR`;

/** A mistake in the command line: the CLI answers it with the usage and exit code 2. */
const usage = (message: string) => new UsageError(message);

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0)) throw usage(`--${name} takes a number above 0, not '${text}'`);
  return value;
}

function printReportCard(results: StudentResult[]): void {
  const width = Math.max(7, ...results.map((r) => r.student.length));
  const labWidth = Math.max(3, ...results.map((r) => r.lab.length));
  for (const r of results) {
    console.log(
      `${r.student.padEnd(width)}  ${r.lab.padEnd(labWidth)} ${`${r.score}/${r.max}`.padStart(9)}  ${r.status.padEnd(12)} ${r.message}`,
    );
  }
}

export async function gradeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: withSbatchArgsJoined(args),
    allowPositionals: true,
    options: {
      lab: { type: "string" },
      jobs: { type: "string" },
      shard: { type: "string" },
      out: { type: "string" },
      timeout: { type: "string" },
      "total-timeout": { type: "string" },
      memory: { type: "string" },
      solutions: { type: "string" },
      seed: { type: "string" },
      "allow-unsandboxed": { type: "boolean" },
      slurm: { type: "boolean" },
      "array-size": { type: "string" },
      "sbatch-args": { type: "string" },
    },
  });
  if (positionals.length === 0) throw usage("grade takes at least one submission (.ipynb file or folder)");
  const labs = loadLabs(values.solutions ?? "solutions");
  if (labs.size === 0)
    throw new Error(
      `no solution notebooks in ${values.solutions ?? "solutions"}/: grading needs the instructor's notebooks (--solutions DIR).`,
    );
  const out = values.out ?? path.join("out", "grades");
  let submissions = collectSubmissions(positionals, [...labs.keys()], values.lab);
  if (values.shard) {
    const { k, n } = parseShard(values.shard);
    submissions = shard(submissions, k, n);
  }
  const seed = values.seed === undefined ? randomInt(FIRST_GRADING_SEED, 2 ** 31 - 1) : Number(values.seed);
  if (!Number.isInteger(seed) || seed < FIRST_GRADING_SEED || seed >= 2 ** 31) {
    throw usage(
      `--seed takes an integer from ${FIRST_GRADING_SEED} to ${2 ** 31 - 1} (smaller seeds are the public checks'), not '${values.seed}'`,
    );
  }
  if (!values.slurm && (values["array-size"] !== undefined || values["sbatch-args"] !== undefined))
    throw usage("--array-size and --sbatch-args go with --slurm");
  if (values.slurm) {
    if (values.shard) throw usage("--slurm makes the shards itself: leave out --shard");
    if (!values.out) throw usage("--slurm needs --out DIR on the filesystem the cluster's nodes share");
    const jobs = Math.floor(positive("jobs", values.jobs, 1));
    const passed = (["lab", "timeout", "total-timeout", "memory"] as const).flatMap((o) =>
      values[o] === undefined ? [] : [`--${o}`, values[o]!],
    );
    return submitSlurm({
      out,
      submissions,
      seed,
      seedGiven: values.seed !== undefined,
      arraySize:
        values["array-size"] === undefined ? undefined : Math.floor(positive("array-size", values["array-size"], 1)),
      sbatchArgs: values["sbatch-args"] === undefined ? undefined : splitWords(values["sbatch-args"]),
      gradeArgs: [
        ...positionals.map((p) => path.resolve(p)),
        "--solutions",
        path.resolve(values.solutions ?? "solutions"),
        "--jobs",
        String(jobs),
        ...passed,
        ...(values["allow-unsandboxed"] ? ["--allow-unsandboxed"] : []),
      ],
      memoryMb: positive("memory", values.memory, 2048),
      jobs,
      command: ["npx", "dlkit", "grade", ...args].map(shellQuote).join(" "),
    });
  }
  console.error(`dlkit grade: seed ${seed} (grade again with --seed ${seed} to replay the same hidden inputs)`);
  const progress = new ProgressLine();
  const running = new Map<string, string>();
  let done = 0;
  let failures = 0;
  const draw = () =>
    `graded ${done}/${submissions.length} · failures ${failures} · now ${[...running.values()].join(", ") || "-"} · ${progress.elapsed()}`;
  const grader = new Grader({
    labs,
    out,
    seed,
    allowUnsandboxed: values["allow-unsandboxed"],
    jobs: Math.floor(positive("jobs", values.jobs, 1)),
    limits: {
      cellTimeoutSeconds: positive("timeout", values.timeout, 300),
      totalTimeoutSeconds: positive("total-timeout", values["total-timeout"], 1500),
      memoryMb: positive("memory", values.memory, 2048),
    },
    onNotice: (message) => progress.log(`dlkit grade: ${message}`),
    onStart: (s) => {
      running.set(`${s.student}/${s.file}`, s.student);
      progress.show(draw);
    },
    onCell: (s, position, total) => running.set(`${s.student}/${s.file}`, `${s.student} (cell ${position}/${total})`),
    onDone: (r) => {
      done++;
      running.delete(`${r.student}/${r.file}`);
      if (r.status !== "graded") failures++;
      progress.log(`${r.student} ${r.lab}: ${r.score}/${r.max} ${r.status} (${r.seconds.toFixed(1)}s)`);
      progress.show(draw);
    },
  });
  const results = await grader.gradeAll(submissions);
  progress.done();
  writeReports(out, results);
  printReportCard(results);
  console.error(
    `dlkit grade: ${results.length} graded, ${failures} not cleanly; ${path.join(out, "gradebook.csv")}, results.json, feedback/`,
  );
  return failures ? 1 : 0;
}

export function mergeCommand(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: "string" } } });
  if (!values.out || positionals.length === 0)
    throw usage("merge takes the shards' --out folders and --out DIR for the joined results");
  const results = mergeResults(positionals, values.out);
  console.error(`dlkit merge: ${results.length} results from ${positionals.length} folder(s) → ${values.out}`);
  return 0;
}
