/**
 * Grades the fixture class on real kernels in the real sandbox: every
 * failure mode ends as its expected gradebook row, shards merge into the
 * whole class, and nothing given to the grader changes.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../cli/cli";
import { collectSubmissions, Grader, loadLabs, readResults, StudentResult } from "../../../course/grade";
import { kitRoot } from "../../../jupyter/kernelspec";

const FIXTURES = path.resolve(__dirname, "../../fixtures/grading");
const SUBMISSIONS = path.join(FIXTURES, "submissions");
const SOLUTIONS = path.join(FIXTURES, "solutions");
const out = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-grade-test-"));

function checksums(...dirs: string[]): Record<string, string> {
  const sums: Record<string, string> = {};
  for (const dir of dirs) {
    for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
      const p = path.join(dir, f);
      if (fs.statSync(p).isFile()) sums[p] = createHash("sha256").update(fs.readFileSync(p)).digest("hex");
    }
  }
  return sums;
}

const KIT_FILES = [path.join(kitRoot(), "package.json"), path.join(kitRoot(), "dist/lib/index.js")];
const before = { inputs: checksums(FIXTURES), kit: KIT_FILES.map((f) => fs.readFileSync(f, "utf8")) };
let merged: StudentResult[];
const row = (student: string) => merged.find((r) => r.student === student)!;
const SEED = 1234567;
const common = [
  "--solutions",
  SOLUTIONS,
  "--jobs",
  "2",
  "--timeout",
  "15",
  "--total-timeout",
  "120",
  "--memory",
  "768",
  "--seed",
  String(SEED),
];
const limits = { cellTimeoutSeconds: 30, totalTimeoutSeconds: 120, memoryMb: 2048 };

beforeAll(async () => {
  // The class in two shards, as a cluster's job array would grade it, then merged.
  expect(await main(["grade", SUBMISSIONS, ...common, "--shard", "1/2", "--out", path.join(out, "shard1")])).toBe(1);
  expect(await main(["grade", SUBMISSIONS, ...common, "--shard", "2/2", "--out", path.join(out, "shard2")])).toBe(1);
  expect(
    await main(["merge", path.join(out, "shard1"), path.join(out, "shard2"), "--out", path.join(out, "all")]),
  ).toBe(0);
  merged = readResults(path.join(out, "all"));
}, 600_000);

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe("dlkit grade on the fixture class", () => {
  it("gives each submission its expected gradebook row", () => {
    const rows = fs
      .readFileSync(path.join(out, "all/gradebook.csv"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(",").slice(0, 5).join(","));
    expect(rows).toEqual([
      "student,lab,score,max,status",
      "ada,basic,6,6,graded",
      "bob-wrong,basic,0.75,6,records-differ",
      "cy-untouched,basic,0,6,graded",
      "dee-edits-tests,basic,3,6,records-differ",
      "eve-exits,basic,2,6,crashed",
      "fay-loops,basic,3,6,timeout",
      "gus-floods,basic,6,6,output-limit",
      "hal-vandal,basic,6,6,graded",
      "ivy-patches,basic,3,6,tampered",
      "jon-hog,basic,2,6,memory",
      "kim-other-lab,basic,0,6,wrong-lab",
      "lee-malformed,basic,0,6,malformed",
    ]);
  });

  it("explains each row in words a grader can act on", () => {
    expect(row("cy-untouched").tests.map((t) => t.message)).toEqual([
      "0 of 3 cases right: 'double' threw: not implemented: double (replace this line with your code)",
      "0 of 4 cases right: 'mean' threw: not implemented: mean (replace this line with your code)",
      "0 of 1 case right: 'zero' threw: not implemented: double (replace this line with your code)",
    ]);
    // bob's double(x) = x + 2 passes the public double(2) === 4, and is caught on the grader's inputs.
    expect(row("bob-wrong").tests.map((t) => t.message)).toEqual([
      "0 of 3 cases right: 'double' differs from the solution's on case 1 of 3",
      "Error: mean([1,2,3]) should be 2; 1 of 4 cases right: 'mean' differs from the solution's on case 1 of 4",
      "Error: double(0) should be 0; 0 of 1 case right: 'zero' differs from the solution's on case 1 of 1",
    ]);
    expect(row("bob-wrong").message).toContain(
      "test_double: the notebook's own checks passed, but what the code computed on the grader's inputs differs",
    );
    expect(row("dee-edits-tests").message).toMatch(
      /'test_double' was edited: restored.*from code to markdown.*claimed 100 points.*'test_zero' was deleted: put back/,
    );
    expect(row("eve-exits").message).toContain("exited with code 3");
    expect(row("fay-loops").message).toContain("stopped at the 15 s limit");
    // The kernel caps a cell's output and goes on: the flood costs its output, not the other tests.
    expect(row("gus-floods").message).toContain("some output was dropped (a cell printed too much)");
    expect(row("ivy-patches").message).toContain("redefines 'assertThat'");
    expect(row("jon-hog").message).toMatch(/over the 768 MB limit|out of its 768 MB/);
    expect(row("kim-other-lab").message).toContain("lab 'other', not 'basic'");
    expect(row("lee-malformed").message).toContain("not valid JSON");
  });

  it("writes feedback with the failing checks' hints, never the hidden tests' code", () => {
    const html = fs.readFileSync(path.join(out, "all/feedback/bob-wrong/basic.html"), "utf8");
    expect(html).toContain("&#39;double&#39; differs from the solution&#39;s");
    expect(html).toContain("0.75 / 6");
    expect(html).not.toContain("check.record(");
    expect(fs.existsSync(path.join(out, "all/autograded/ada/basic.ipynb"))).toBe(true);
  });

  it("modifies no input and lets no student change the kit", () => {
    expect(checksums(FIXTURES)).toEqual(before.inputs);
    expect(KIT_FILES.map((f) => fs.readFileSync(f, "utf8"))).toEqual(before.kit);
  });

  it("keeps the seed in results.json and computes the solution's records once per lab and seed", () => {
    expect(merged.every((r) => r.seed === SEED)).toBe(true);
    for (const shard of ["shard1", "shard2"]) {
      expect(fs.readdirSync(path.join(out, shard, ".solution-records"))).toEqual([
        expect.stringMatching(new RegExp(`^basic-[0-9a-f]+-[0-9a-f]+-${SEED}\\.json$`)),
      ]);
    }
  });

  it("gives the same scores when the same notebooks are graded again with the same seed", async () => {
    const labs = loadLabs(SOLUTIONS);
    const again = await new Grader({ labs, out: path.join(out, "again"), seed: SEED, jobs: 1, limits }).gradeAll(
      collectSubmissions(
        [path.join(SUBMISSIONS, "ada.ipynb"), path.join(SUBMISSIONS, "bob-wrong.ipynb")],
        [...labs.keys()],
      ),
    );
    const scores = (r: StudentResult) => [
      r.student,
      r.score,
      r.status,
      r.tests.map((t) => [t.id, t.points, t.status, t.message]),
    ];
    expect(again.map(scores)).toEqual([row("ada"), row("bob-wrong")].map(scores));
  });

  it("gives a correct notebook full marks under another seed, and a wrong one no more", async () => {
    const labs = loadLabs(SOLUTIONS);
    const other = await new Grader({
      labs,
      out: path.join(out, "other-seed"),
      seed: 2_000_003,
      jobs: 2,
      limits,
    }).gradeAll(
      collectSubmissions(
        [path.join(SUBMISSIONS, "ada.ipynb"), path.join(SUBMISSIONS, "bob-wrong.ipynb")],
        [...labs.keys()],
      ),
    );
    expect(other.map((r) => [r.student, r.score, r.seed])).toEqual([
      ["ada", 6, 2_000_003],
      ["bob-wrong", 0.75, 2_000_003],
    ]);
  });
});
