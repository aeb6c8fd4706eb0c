/**
 * dlkit grade --slurm on a real one-node Slurm that the test starts: the
 * fixture class as a job array, merged by a dependent job into the gradebook
 * a local grading gives; a task cancelled midway leaves no shard, merge names
 * its students, and a re-run grades that shard only.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../cli/cli";
import { readResults, StudentResult, writeReports, mergeResults } from "../../../course/grade";
import {
  arraySpec,
  jobEntry,
  queuedJobs,
  readPlan,
  shardDir,
  SlurmPlan,
  splitWords,
} from "../../../course/grade/slurm";
import { gradeCommand } from "../../../course/grade/command";
import { gradeShard } from "../../../course/grade/slurm-job";
import { kitRoot } from "../../../jupyter/kernelspec";
import { SlurmCluster, slurmUnavailable, startSlurm } from "./slurm-cluster";

const FIXTURES = path.resolve(__dirname, "../../fixtures/grading");
const SEED = 1_234_567;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-slurm-test-"));
const CLASS = path.join(tmp, "class");
// Generous limits: the machine is shared, and a cell cut short would make two gradings differ.
const options = [
  "--solutions",
  path.join(FIXTURES, "solutions"),
  "--jobs",
  "1",
  "--timeout",
  "60",
  "--total-timeout",
  "300",
  "--memory",
  "768",
  "--seed",
  String(SEED),
];
const slurmGrade = (out: string) => main(["grade", CLASS, "--out", out, "--slurm", "--array-size", "3", ...options]);

let cluster: SlurmCluster;
const savedConf = process.env.SLURM_CONF;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const planOf = (out: string) => readPlan(out) as SlurmPlan;
const lastSubmission = (out: string) => planOf(out).submissions.at(-1)!;

/** Waits until Slurm holds none of these jobs (pending, running or completing). */
async function ended(ids: (string | null)[], minutes = 15): Promise<void> {
  const ours = new Set(ids.filter(Boolean));
  const deadline = Date.now() + minutes * 60_000;
  while (queuedJobs().some((j) => ours.has(j.arrayId) || ours.has(j.id))) {
    if (Date.now() > deadline)
      throw new Error(`jobs ${[...ours].join(",")} still queued after ${minutes} min:\n${cluster.run("squeue")}`);
    await sleep(2000);
  }
}

const state = (id: string) => cluster.jobs(id).map((j) => j.get("JobState"));
const rowsOf = (out: string) => fs.readFileSync(path.join(out, "gradebook.csv"), "utf8");
/** What a grader keeps of a result; the seconds it took differ from run to run. */
const kept = (results: StudentResult[]) =>
  results.map(({ seconds: _, tests, ...rest }) => ({ ...rest, tests: tests.map(({ seconds: __, ...test }) => test) }));
/** The node-local work folders the array's tasks left (the job scripts remove theirs, cancelled or not). */
const leftOnNode = (array: string) =>
  cluster
    .jobs(array)
    .flatMap((j) => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`dlkit-job-${j.get("JobId")}.`)));
const logs = (out: string) => fs.readdirSync(path.join(out, "slurm", "logs")).sort();

beforeAll(async () => {
  const missing = slurmUnavailable();
  if (missing) throw new Error(`cannot start the test's Slurm: ${missing}`);
  if (!fs.existsSync(jobEntry(kitRoot())))
    throw new Error(`${jobEntry(kitRoot())} is missing: the nodes run the compiled grader (npm run build)`);
  // Twelve students: the fixture class's kinds, some twice under other names.
  fs.mkdirSync(CLASS);
  const copies: Record<string, string> = {
    ada: "ada",
    "ann-good": "ada",
    "bob-wrong": "bob-wrong",
    "ben-wrong": "bob-wrong",
    "cy-untouched": "cy-untouched",
    "dee-edits-tests": "dee-edits-tests",
    "eve-exits": "eve-exits",
    "hal-vandal": "hal-vandal",
    "ivy-patches": "ivy-patches",
    "kim-other-lab": "kim-other-lab",
    "lee-malformed": "lee-malformed",
    "mia-malformed": "lee-malformed",
  };
  for (const [name, from] of Object.entries(copies))
    fs.copyFileSync(path.join(FIXTURES, "submissions", `${from}.ipynb`), path.join(CLASS, `${name}.ipynb`));
  cluster = await startSlurm();
  process.env.SLURM_CONF = cluster.conf;
  // The same class on this machine, for comparison.
  expect(await main(["grade", CLASS, "--out", path.join(tmp, "local"), ...options])).toBe(1);
}, 900_000);

afterAll(() => {
  cluster?.stop();
  if (savedConf === undefined) delete process.env.SLURM_CONF;
  else process.env.SLURM_CONF = savedConf;
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("dlkit grade --slurm on a one-node Slurm", () => {
  const whole = path.join(tmp, "whole");

  it("grades the class as a 3-task array whose merge job writes the gradebook a local grading gives, row for row", async () => {
    expect(await slurmGrade(whole)).toBe(0);
    const { array, merge, shards } = lastSubmission(whole);
    expect(shards).toEqual([1, 2, 3]);
    await ended([array, merge]);
    expect(state(array!)).toEqual(["COMPLETED", "COMPLETED", "COMPLETED"]);
    expect(state(merge)).toEqual(["COMPLETED"]);
    expect(leftOnNode(array!)).toEqual([]);
    expect(rowsOf(whole)).toBe(rowsOf(path.join(tmp, "local")));
    expect(rowsOf(whole).trim().split("\n")).toHaveLength(13);
    expect(kept(readResults(whole))).toEqual(kept(readResults(path.join(tmp, "local"))));
    for (const r of readResults(whole).filter((r) => r.file && r.status !== "malformed" && r.status !== "wrong-lab")) {
      expect(fs.existsSync(path.join(whole, "feedback", r.student, "basic.html"))).toBe(true);
      expect(fs.existsSync(path.join(whole, "autograded", r.student, "basic.ipynb"))).toBe(true);
    }
    // Each shard in its own folder, every one of its students graded with the one seed; no temporary folder left.
    expect(fs.readdirSync(path.join(whole, "shards")).sort()).toEqual(["1-of-3", "2-of-3", "3-of-3"]);
    const plan = planOf(whole);
    for (let k = 1; k <= 3; k++) {
      const results = readResults(shardDir(whole, k, 3));
      expect(results.map((r) => r.student).sort()).toEqual([...plan.students[k - 1]].sort());
      expect(new Set(results.map((r) => r.seed))).toEqual(new Set([SEED]));
    }
    expect(logs(whole)).toEqual([
      `grade-${array}_1.out`,
      `grade-${array}_2.out`,
      `grade-${array}_3.out`,
      `merge-${merge}.out`,
    ]);
  }, 900_000);

  it("submits nothing when every shard is graded and merged, and grades no shard twice", async () => {
    const before = rowsOf(whole);
    expect(await slurmGrade(whole)).toBe(0);
    expect(planOf(whole).submissions).toHaveLength(1);
    // A task that starts for a graded shard (a second submission, a requeue) leaves it alone.
    const stamp = fs.statSync(path.join(shardDir(whole, 2, 3), "results.json")).mtimeMs;
    expect(await gradeShard(whole, 2, "test")).toBe(0);
    expect(fs.statSync(path.join(shardDir(whole, 2, 3), "results.json")).mtimeMs).toBe(stamp);
    expect(rowsOf(whole)).toBe(before);
  });

  it("refuses to mix into a Slurm grading another seed, another array size or other submissions", async () => {
    const again = (...extra: string[]) => gradeCommand([CLASS, "--out", whole, "--slurm", ...options, ...extra]);
    await expect(gradeCommand([CLASS, "--out", whole, "--slurm", ...options.slice(0, -1), "2000003"])).rejects.toThrow(
      /graded with --seed 1234567, not 2000003/,
    );
    await expect(again("--array-size", "4")).rejects.toThrow(/it has 3 shards, not --array-size 4/);
    await expect(gradeCommand([path.join(CLASS, "ada.ipynb"), "--out", whole, "--slurm", ...options])).rejects.toThrow(
      /submissions are not the ones it was planned with/,
    );
    await expect(again("--sbatch-args", "--array=1-2")).rejects.toThrow(/cannot set --array=1-2/);
    expect(planOf(whole).submissions).toHaveLength(1);
  });

  it("after a task is cancelled midway, merges nothing and names the shard's students; a re-run grades that shard only, to the same gradebook", async () => {
    const out = path.join(tmp, "cancelled run");
    expect(await slurmGrade(out)).toBe(0);
    const first = lastSubmission(out);
    // Midway: shard 2 has graded a student and has others left.
    const deadline = Date.now() + 10 * 60_000;
    const temp = () =>
      fs.existsSync(path.join(out, "shards")) &&
      fs.readdirSync(path.join(out, "shards")).find((f) => f.startsWith(".2-of-3."));
    const feedback = () => (temp() ? path.join(out, "shards", temp() as string, "feedback") : "");
    while (!(feedback() && fs.existsSync(feedback()) && fs.readdirSync(feedback()).length >= 1)) {
      expect(fs.existsSync(shardDir(out, 2, 3)), "shard 2 finished before it could be cancelled").toBe(false);
      if (Date.now() > deadline) throw new Error(`shard 2 did not start grading:\n${cluster.run("squeue")}`);
      await sleep(500);
    }
    cluster.run("scancel", `${first.array}_2`);
    await ended([first.array, first.merge]);
    expect(state(first.array!)).toEqual(["COMPLETED", "CANCELLED", "COMPLETED"]);
    expect(state(first.merge)).toEqual(["FAILED"]);
    expect(leftOnNode(first.array!)).toEqual([]);
    expect(fs.existsSync(shardDir(out, 2, 3))).toBe(false);
    expect(fs.existsSync(path.join(out, "gradebook.csv"))).toBe(false);
    const said = fs.readFileSync(path.join(out, "slurm", "logs", `merge-${first.merge}.out`), "utf8");
    expect(said).toContain(`1 of 3 shard(s) have no results`);
    expect(said).toContain(`shard 2: ${planOf(out).students[1].join(", ")}`);
    expect(said).toContain("submit again to grade only those: npx dlkit grade");

    expect(await slurmGrade(out)).toBe(0);
    const second = lastSubmission(out);
    expect(second.shards).toEqual([2]);
    await ended([second.array, second.merge]);
    expect(state(second.array!)).toEqual(["COMPLETED"]);
    expect(state(second.merge)).toEqual(["COMPLETED"]);
    expect(rowsOf(out)).toBe(rowsOf(path.join(tmp, "local")));
    expect(kept(readResults(out))).toEqual(kept(readResults(path.join(tmp, "local"))));
    // The cancelled task's half shard is gone; only shard 2 was graded again.
    expect(fs.readdirSync(path.join(out, "shards")).sort()).toEqual(["1-of-3", "2-of-3", "3-of-3"]);
    expect(logs(out).filter((f) => f.startsWith(`grade-${second.array}_`))).toEqual([`grade-${second.array}_2.out`]);
  }, 1_200_000);
});

describe("the pieces of a Slurm grading", () => {
  it("writes sbatch's array of the shards left and splits --sbatch-args as a shell would", () => {
    expect(arraySpec([1, 2, 3, 5, 7, 8])).toBe("1-3,5,7-8");
    expect(arraySpec([2])).toBe("2");
    expect(splitWords(`--time=1:00:00  --partition "short queue" -J 'a b' --x=\\"y\\"`)).toEqual([
      "--time=1:00:00",
      "--partition",
      "short queue",
      "-J",
      "a b",
      '--x="y"',
    ]);
  });

  it("refuses to merge shards graded with different seeds, naming them", () => {
    const row = (student: string, seed: number): StudentResult => ({
      student,
      lab: "basic",
      score: 6,
      max: 6,
      status: "graded",
      message: "",
      seconds: 1,
      seed,
      file: null,
      changes: [],
      tests: [],
    });
    const dir = fs.mkdtempSync(path.join(tmp, "seeds-"));
    writeReports(path.join(dir, "a"), [row("ada", 2_000_001)]);
    writeReports(path.join(dir, "b"), [row("bob", 2_000_002)]);
    expect(() => mergeResults([path.join(dir, "a"), path.join(dir, "b")], path.join(dir, "all"))).toThrow(
      `seed 2000001 in ${path.join(dir, "a")}; seed 2000002 in ${path.join(dir, "b")}`,
    );
    expect(fs.existsSync(path.join(dir, "all"))).toBe(false);
    expect(fs.readdirSync(path.join(dir, "a")).sort()).toEqual(["gradebook.csv", "results.json"]);
  });
});
