/**
 * The sandbox, proved from inside a graded notebook: the probe lab's tests
 * each pass only if one isolation property holds for student code.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { collectSubmissions, Grader, loadLabs } from "../../../course/grade";
import { sandboxUnavailable } from "../../../course/sandbox";

const FIXTURES = path.resolve(__dirname, "../../fixtures/grading");
const out = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-sandbox-test-"));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));
const limits = { cellTimeoutSeconds: 30, totalTimeoutSeconds: 120, memoryMb: 2048 };

describe("grading sandbox", () => {
  it("runs here: bubblewrap and user namespaces work", () => {
    expect(sandboxUnavailable()).toBeNull();
  });

  it("lets student code write only its work folder, reach no network, and see no solutions or other students", async () => {
    const labs = loadLabs(path.join(FIXTURES, "probe/solutions"));
    const notices: string[] = [];
    const [result] = await new Grader({
      labs,
      out,
      seed: 1_000_001,
      jobs: 1,
      limits,
      onNotice: (m) => notices.push(m),
    }).gradeAll(collectSubmissions([path.join(FIXTURES, "probe/submissions/pat.ipynb")], [...labs.keys()]));
    expect(notices).toEqual([]);
    expect(result.tests.map((t) => `${t.id}: ${t.status} ${t.message}`.trim())).toEqual([
      "kit_read_only: passed",
      "work_dir_writable: passed",
      "only_work_dir_writable: passed",
      "no_network: passed",
      "solutions_hidden: passed",
      "students_hidden: passed",
      "imports_resolve: passed",
    ]);
  });

  it("refuses to grade without bubblewrap unless told the notebooks are trusted", () => {
    const labs = loadLabs(path.join(FIXTURES, "solutions"));
    expect(() => new Grader({ labs, out, seed: 1_000_001, jobs: 1, limits, bwrap: "/nonexistent/bwrap" })).toThrow(
      "no sandbox: /nonexistent/bwrap is not installed (Debian: apt-get install bubblewrap). Student code could change the kit or read the solutions without it: install bubblewrap, or pass --allow-unsandboxed to grade notebooks you trust.",
    );
  });

  it("with --allow-unsandboxed, says once that bubblewrap cannot run, and grades in a bare temporary folder", async () => {
    const labs = loadLabs(path.join(FIXTURES, "solutions"));
    const notices: string[] = [];
    const grader = new Grader({
      labs,
      out,
      seed: 1_000_001,
      jobs: 2,
      limits,
      bwrap: "/nonexistent/bwrap",
      allowUnsandboxed: true,
      onNotice: (m) => notices.push(m),
    });
    const results = await grader.gradeAll(
      collectSubmissions(
        ["ada", "bob-wrong"].map((s) => path.join(FIXTURES, `submissions/${s}.ipynb`)),
        [...labs.keys()],
      ),
    );
    expect(notices).toEqual([
      "no sandbox: /nonexistent/bwrap is not installed (Debian: apt-get install bubblewrap). Grading runs each kernel in a temporary folder only, with the grader's rights.",
    ]);
    expect(results.map((r) => [r.student, r.score, r.status])).toEqual([
      ["ada", 6, "graded"],
      ["bob-wrong", 0.75, "records-differ"],
    ]);
  });
});
