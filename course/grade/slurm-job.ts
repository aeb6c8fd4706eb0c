/**
 * What the Slurm jobs of `dlkit grade --slurm` run on the nodes (the job
 * scripts call the compiled file):
 *
 *   node dist/course/grade/slurm-job.js task OUT K   grades shard K into OUT/shards/K-of-N
 *   node dist/course/grade/slurm-job.js merge OUT    joins the shards into OUT/gradebook.csv, ...
 */
import * as fs from "fs";
import * as path from "path";
import { gradeCommand } from "./command";
import { mergeResults, readResults } from "./report";
import { missingShards, readPlan, SlurmPlan, shardDir, shardTempDir } from "./slurm";

function planOf(out: string): SlurmPlan {
  const plan = readPlan(out);
  if (!plan)
    throw new Error(`${out} has no slurm/plan.json: submit with \`dlkit grade SUBMISSIONS --out ${out} --slurm\``);
  return plan;
}

/**
 * Grades shard k into a folder of its own job, then renames it to the shard's
 * folder: a task killed on the way (time limit, node failure, scancel) leaves
 * no shard folder, only a temporary one that merge ignores and the next
 * submission removes. Exit code 0 when the shard is whole (students with
 * failures included: they have their rows).
 */
export async function gradeShard(
  out: string,
  k: number,
  job = process.env.SLURM_JOB_ID ?? String(process.pid),
): Promise<number> {
  const plan = planOf(out);
  if (!(Number.isInteger(k) && k >= 1 && k <= plan.shards))
    throw new Error(`shard ${k} is not one of 1..${plan.shards}`);
  const final = shardDir(out, k, plan.shards);
  if (fs.existsSync(final)) {
    console.error(`dlkit: shard ${k} of ${plan.shards} is already graded (${final}): nothing to do`);
    return 0;
  }
  const temp = shardTempDir(out, k, plan.shards, job);
  // A requeued job keeps its id: start again from nothing.
  fs.rmSync(temp, { recursive: true, force: true });
  console.error(
    `dlkit: shard ${k} of ${plan.shards} on ${process.env.SLURMD_NODENAME ?? "this node"} (job ${job}): ${plan.students[k - 1].join(", ") || "no students"}`,
  );
  const code = await gradeCommand([
    ...plan.gradeArgs,
    "--shard",
    `${k}/${plan.shards}`,
    "--seed",
    String(plan.seed),
    "--out",
    temp,
  ]);
  if (code > 1 || !fs.existsSync(path.join(temp, "results.json"))) {
    console.error(`dlkit: shard ${k} was not graded (exit code ${code}); ${temp} is left for a look`);
    return 2;
  }
  try {
    fs.renameSync(temp, final);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") throw err;
    // Another task graded it first: its results stand, these go.
    fs.rmSync(temp, { recursive: true, force: true });
    console.error(`dlkit: shard ${k} was graded meanwhile by another job; this copy is dropped`);
    return 0;
  }
  console.error(`dlkit: shard ${k} of ${plan.shards} → ${final}`);
  return 0;
}

/**
 * Joins every shard into OUT, or, when some are missing, writes nothing and
 * names them with their students (exit code 1).
 */
function mergeShards(out: string): number {
  const plan = planOf(out);
  const missing = missingShards(out, plan.shards);
  if (missing.length) {
    console.error(
      `dlkit merge: ${missing.length} of ${plan.shards} shard(s) have no results (their task failed, was cancelled or did not run); nothing is merged:`,
    );
    for (const k of missing) console.error(`  shard ${k}: ${plan.students[k - 1].join(", ")}`);
    console.error(`submit again to grade only those: ${plan.command}`);
    return 1;
  }
  const dirs = Array.from({ length: plan.shards }, (_, i) => shardDir(out, i + 1, plan.shards));
  for (const [i, dir] of dirs.entries()) {
    const graded = readResults(dir).map((r) => `${r.student}\u0000${r.seed}`);
    const expected = plan.students[i].map((s) => `${s.split("/")[0]}\u0000${plan.seed}`);
    if (JSON.stringify([...graded].sort()) !== JSON.stringify([...expected].sort())) {
      console.error(
        `dlkit merge: ${dir} does not hold the students of shard ${i + 1} graded with seed ${plan.seed}: was it written by another grading? Remove it and submit again.`,
      );
      return 1;
    }
  }
  const results = mergeResults(dirs, out);
  console.error(
    `dlkit merge: ${results.length} result(s) from ${plan.shards} shard(s), seed ${plan.seed} → ${path.join(out, "gradebook.csv")}, results.json, feedback/`,
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [step, out, k] = argv;
  if (step === "task" && out && k) return gradeShard(path.resolve(out), Number(k));
  if (step === "merge" && out) return mergeShards(path.resolve(out));
  console.error("usage: slurm-job.js task OUT K | merge OUT   (run by the job scripts of `dlkit grade --slurm`)");
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`dlkit: ${err instanceof Error ? err.message : err}`);
      process.exit(2);
    },
  );
}
