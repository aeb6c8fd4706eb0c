/**
 * dlkit grade --slurm: the class as one Slurm job array, task k grading
 * shard k/N into OUT/shards/k-of-N, and a merge job that runs after the
 * array whatever its tasks' outcome (`--dependency=afterany`).
 *
 * OUT/slurm/plan.json fixes what a re-run must not change (the seed, N, the
 * students in each shard); a shard folder exists only once its task has
 * graded it all (written elsewhere, then renamed), so a re-run submits only
 * the shards that have no folder, and merge never takes half a shard.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../../jupyter/notebook";
import { InputError } from "../../cli/errors";
import { kitRoot } from "../../jupyter/kernelspec";
import { Submission } from "./submissions";
import { shard } from "./submissions";

const PLAN_VERSION = 1;

/** What every task and every re-run of one Slurm grading share. */
export interface SlurmPlan {
  version: number;
  /** The kit whose compiled grader the jobs run, and the Node.js that runs it. */
  kit: string;
  node: string;
  seed: number;
  /** N: the number of shards, one array task each. */
  shards: number;
  /** `dlkit grade` arguments of every task, without --shard, --seed and --out (absolute paths). */
  gradeArgs: string[];
  /** Per shard (index k-1): "student/lab" or "student" (file), in grading order. */
  students: string[][];
  sbatchArgs: string[];
  /** The command that submitted it, to say how to submit again. */
  command: string;
  submissions: { array: string | null; shards: number[]; merge: string; at: string }[];
}

export interface SlurmOptions {
  /** OUT, where the shards, the merged gradebook and OUT/slurm/ go. */
  out: string;
  submissions: Submission[];
  /** This run's seed, and whether --seed gave it (else a recorded plan's seed wins). */
  seed: number;
  seedGiven: boolean;
  /** --array-size: N, by default a shard per ten submissions. */
  arraySize?: number;
  /** --sbatch-args, split into words; by default the recorded plan's. */
  sbatchArgs?: string[];
  gradeArgs: string[];
  /** Memory (MB) and kernels per task, for the job's --mem and --cpus-per-task. */
  memoryMb: number;
  jobs: number;
  command: string;
  /** Default "sbatch" and "squeue" on PATH. */
  sbatch?: string;
  squeue?: string;
  log?: (line: string) => void;
}

const planFile = (out: string) => path.join(out, "slurm", "plan.json");
export const shardDir = (out: string, k: number, n: number) => path.join(out, "shards", `${k}-of-${n}`);
/** Written by the task until its shard is whole; then renamed to shardDir. */
export const shardTempDir = (out: string, k: number, n: number, job: string) =>
  path.join(out, "shards", `.${k}-of-${n}.${job}.tmp`);
/** The entry point the job scripts run (compiled). */
export const jobEntry = (kit: string) => path.join(kit, "dist", "course", "grade", "slurm-job.js");

const label = (s: Submission) => (s.lab ? `${s.student}/${s.lab}` : s.student);

export function readPlan(out: string): SlurmPlan | null {
  const file = planFile(out);
  if (!fs.existsSync(file)) return null;
  const plan = JSON.parse(fs.readFileSync(file, "utf8")) as SlurmPlan;
  if (plan.version !== PLAN_VERSION)
    throw new Error(`${file} was written by another version of dlkit: grade into a new --out.`);
  return plan;
}

/** Shards 1..N whose folder is not there yet. */
export function missingShards(out: string, n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter(
    (k) => !fs.existsSync(path.join(shardDir(out, k, n), "results.json")),
  );
}

/** `1,2,3,5` → `1-3,5`, as sbatch --array takes it. */
export function arraySpec(shards: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < shards.length; i++) {
    let j = i;
    while (j + 1 < shards.length && shards[j + 1] === shards[j] + 1) j++;
    parts.push(i === j ? `${shards[i]}` : `${shards[i]}-${shards[j]}`);
    i = j;
  }
  return parts.join(",");
}

/** Splits --sbatch-args as a shell would split words ('…' and "…" quote; no expansions). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s"'\\]|\\.)+)|(\s+)/g;
  let word: string | null = null;
  for (const m of text.matchAll(pattern)) {
    if (m[4] !== undefined) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word =
        (word ?? "") + (m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3].replace(/\\(.)/g, "$1")));
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** `--sbatch-args "--time=1:00:00"` as `--sbatch-args=--time=1:00:00`: parseArgs takes a value starting with a dash for an option. */
export function withSbatchArgsJoined(args: string[]): string[] {
  const i = args.indexOf("--sbatch-args");
  if (i < 0 || i + 1 >= args.length) return args;
  return [...args.slice(0, i), `--sbatch-args=${args[i + 1]}`, ...withSbatchArgsJoined(args.slice(i + 2))];
}

/** A word as a POSIX shell reads it back. */
export const shellQuote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** The batch script: `task` grades shard $SLURM_ARRAY_TASK_ID, `merge` joins the shards. */
function jobScript(
  plan: SlurmPlan,
  out: string,
  step: "task" | "merge",
  resources: { memoryMb: number; cpus: number },
): string {
  const argument = step === "task" ? ` "$SLURM_ARRAY_TASK_ID"` : "";
  // --output and --chdir name OUT: given on sbatch's command line, where a path needs no quoting.
  return `#!/bin/bash
#SBATCH --job-name=dlkit-${step === "task" ? "grade" : "merge"}
#SBATCH --cpus-per-task=${resources.cpus}
#SBATCH --mem=${resources.memoryMb}M
# Written by \`dlkit grade --slurm\` (seed ${plan.seed}, ${plan.shards} shard(s)); submitted again by a re-run.
# The kit, the submissions and ${out} are read from the shared filesystem;
# the kernels work in a folder of the node's own $TMPDIR (/tmp when the
# submitting shell's TMPDIR does not exist here), removed when the job ends,
# cancelled or not. Nothing is downloaded.
set -u
if [ -z "\${TMPDIR:-}" ] || [ ! -d "$TMPDIR" ] || [ ! -w "$TMPDIR" ]; then export TMPDIR=/tmp; fi
work="$(mktemp -d "$TMPDIR/dlkit-job-$SLURM_JOB_ID.XXXXXX")" || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 143' TERM
export TMPDIR="$work"
export PATH="/usr/local/bin:/usr/bin:/bin\${PATH:+:$PATH}"
${shellQuote(plan.node)} ${shellQuote(jobEntry(plan.kit))} ${step} ${shellQuote(out)}${argument}
`;
}

interface QueuedJob {
  /** The array's job id for a task of an array, else the job's id. */
  arrayId: string;
  id: string;
  state: string;
}

/** The jobs Slurm still holds as pending or running (squeue leaves out the ended ones). */
export function queuedJobs(squeue = "squeue"): QueuedJob[] {
  const run = spawnSync(squeue, ["-h", "-o", "%F %i %T"], { encoding: "utf8" });
  if (run.error || run.status !== 0) {
    throw new Error(
      `${squeue} failed (${(run.stderr || run.error?.message || `exit code ${run.status}`).trim()}): is this a Slurm login node?`,
    );
  }
  return run.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [arrayId, id, state] = line.trim().split(/\s+/);
      return { arrayId, id, state };
    });
}

function sbatch(command: string, args: string[]): string {
  const run = spawnSync(command, ["--parsable", ...args], { encoding: "utf8" });
  if (run.error) {
    const missing = (run.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing
        ? `${command} is not on PATH: --slurm submits jobs with Slurm's sbatch; run it on the cluster's login node`
        : String(run.error),
    );
  }
  if (run.status !== 0)
    throw new Error(`sbatch ${args.join(" ")} failed: ${run.stderr.trim() || `exit code ${run.status}`}`);
  // --parsable prints "id" or "id;cluster".
  return run.stdout.trim().split(";")[0];
}

/** The plan this run grades by: the recorded one (which it must agree with), or a new one. */
function planFor(options: SlurmOptions, out: string): SlurmPlan {
  const students = (n: number) => Array.from({ length: n }, (_, i) => shard(options.submissions, i + 1, n).map(label));
  const recorded = readPlan(out);
  if (recorded) {
    const problems: string[] = [];
    if (options.seedGiven && options.seed !== recorded.seed)
      problems.push(`it was graded with --seed ${recorded.seed}, not ${options.seed}`);
    if (options.arraySize !== undefined && options.arraySize !== recorded.shards)
      problems.push(`it has ${recorded.shards} shards, not --array-size ${options.arraySize}`);
    if (JSON.stringify(students(recorded.shards)) !== JSON.stringify(recorded.students))
      problems.push("the submissions are not the ones it was planned with");
    if (JSON.stringify(options.gradeArgs) !== JSON.stringify(recorded.gradeArgs)) {
      problems.push(`its shards were graded with \`${recorded.gradeArgs.map(shellQuote).join(" ")}\``);
    }
    if (problems.length) {
      throw new InputError(
        `${out} holds a Slurm grading whose results this run would not match: ${problems.join("; ")}. Grade into a new --out, or repeat that run's options (without --seed and --array-size it keeps its own).`,
      );
    }
    return {
      ...recorded,
      kit: kitRoot(),
      node: process.execPath,
      sbatchArgs: options.sbatchArgs ?? recorded.sbatchArgs,
    };
  }
  const count = options.submissions.length;
  const n = Math.min(count, options.arraySize ?? Math.ceil(count / 10));
  return {
    version: PLAN_VERSION,
    kit: kitRoot(),
    node: process.execPath,
    seed: options.seed,
    shards: n,
    gradeArgs: options.gradeArgs,
    students: students(n),
    sbatchArgs: options.sbatchArgs ?? [],
    command: options.command,
    submissions: [],
  };
}

/**
 * Submits the shards that have no results yet as one job array, then the
 * merge job after it; records both in OUT/slurm/plan.json. Returns the exit
 * code: 0 submitted (or nothing left to do).
 */
export function submitSlurm(options: SlurmOptions): number {
  const log = options.log ?? ((line: string) => console.error(line));
  const out = path.resolve(options.out);
  if (options.submissions.length === 0) throw new InputError("no submissions to grade: nothing to submit to Slurm");
  const plan = planFor(options, out);
  const entry = jobEntry(plan.kit);
  if (!fs.existsSync(entry))
    throw new Error(
      `the kit is not built (${entry} is missing): run \`npm run build\` in ${plan.kit}; the cluster's nodes run the compiled grader.`,
    );
  const forbidden = plan.sbatchArgs.find((a) => /^--?(array|dependency|a|d)(=|$)/.test(a));
  if (forbidden)
    throw new InputError(
      `--sbatch-args cannot set ${forbidden}: dlkit sets the array and the merge job's dependency itself`,
    );

  // A re-run while the last one is still queued would grade its shards twice.
  const ours = new Set(plan.submissions.flatMap((s) => [s.array, s.merge]).filter((id): id is string => Boolean(id)));
  const queued = ours.size ? queuedJobs(options.squeue).filter((j) => ours.has(j.arrayId) || ours.has(j.id)) : [];
  if (queued.length) {
    const ids = [...new Set(queued.map((j) => j.arrayId))];
    throw new Error(
      `the last submission for ${out} is still queued or running (${queued.map((j) => `${j.id} ${j.state}`).join(", ")}): wait for it (squeue -j ${ids.join(",")}) or cancel it (scancel ${ids.join(" ")}) before submitting again.`,
    );
  }
  // Left by killed tasks; no task of ours runs now.
  const shardsDir = path.join(out, "shards");
  if (fs.existsSync(shardsDir)) {
    for (const f of fs.readdirSync(shardsDir))
      if (/^\..*\.tmp$/.test(f)) fs.rmSync(path.join(shardsDir, f), { recursive: true, force: true });
  }

  const missing = missingShards(out, plan.shards);
  if (!missing.length && fs.existsSync(path.join(out, "results.json"))) {
    log(
      `dlkit grade --slurm: all ${plan.shards} shard(s) of ${out} are graded and merged: ${path.join(out, "gradebook.csv")}`,
    );
    return 0;
  }
  fs.mkdirSync(path.join(out, "slurm", "logs"), { recursive: true });
  const perTask = options.jobs * (options.memoryMb + 512) + 512;
  const taskScript = path.join(out, "slurm", "grade.sbatch");
  const mergeScript = path.join(out, "slurm", "merge.sbatch");
  writeFileAtomic(taskScript, jobScript(plan, out, "task", { memoryMb: perTask, cpus: options.jobs }));
  writeFileAtomic(mergeScript, jobScript(plan, out, "merge", { memoryMb: 1024, cpus: 1 }));
  writeFileAtomic(planFile(out), JSON.stringify(plan, null, 1) + "\n");

  const sbatchCommand = options.sbatch ?? "sbatch";
  const where = (log: string) => [`--output=${path.join(out, "slurm", "logs", log)}`, `--chdir=${out}`];
  const array = missing.length
    ? sbatch(sbatchCommand, [
        `--array=${arraySpec(missing)}`,
        ...where("grade-%A_%a.out"),
        ...plan.sbatchArgs,
        taskScript,
      ])
    : null;
  let merge: string;
  try {
    merge = sbatch(sbatchCommand, [
      ...(array ? [`--dependency=afterany:${array}`] : []),
      ...where("merge-%j.out"),
      ...plan.sbatchArgs,
      mergeScript,
    ]);
  } catch (err) {
    if (array) plan.submissions.push({ array, shards: missing, merge: "", at: new Date().toISOString() });
    writeFileAtomic(planFile(out), JSON.stringify(plan, null, 1) + "\n");
    throw new Error(
      `${err instanceof Error ? err.message : err}${array ? ` (job array ${array} was submitted: once it ends, submit again to merge)` : ""}`,
    );
  }
  plan.submissions.push({ array, shards: missing, merge, at: new Date().toISOString() });
  writeFileAtomic(planFile(out), JSON.stringify(plan, null, 1) + "\n");

  const total = options.submissions.length;
  const ids = [array, merge].filter(Boolean).join(",");
  if (array) {
    const again = missing.length < plan.shards ? ` (the other ${plan.shards - missing.length} are graded)` : "";
    log(`dlkit grade --slurm: ${total} submission(s) in ${plan.shards} shard(s), seed ${plan.seed}`);
    log(
      `  job array ${array}: shard(s) ${arraySpec(missing)} of ${plan.shards}${again}, one task each → ${path.join(out, "shards")}/`,
    );
  } else {
    log(`dlkit grade --slurm: all ${plan.shards} shard(s) are graded; only the merge is left`);
  }
  log(
    `  merge job ${merge}${array ? `: runs after the array, whatever its tasks' outcome` : ""} → ${path.join(out, "gradebook.csv")}, results.json, feedback/`,
  );
  log(
    `follow them: squeue -j ${ids}   (details: scontrol show job ${array ?? merge}; logs: ${path.join(out, "slurm", "logs")}/)`,
  );
  log(
    `if a task fails, the merge job names the missing shards and their students: run the same command again to grade only those.`,
  );
  console.log(ids);
  return 0;
}
