/**
 * grade: for each submission, restore the instructor's cells → insert the
 * hidden tests → execute in the sandbox → compare its records with the
 * solution's → score → feedback. Whatever a submission does, it ends as one
 * row with a status and a message, and the run goes on with the others.
 * Inputs are only read.
 *
 * Scores are decided here, never in the student's kernel: the hidden tests
 * record what the student's code computes on inputs drawn from this run's
 * seed, the solution runs on the same seed in a kernel of its own (once per
 * lab and seed, cached in OUT/.solution-records), and the two sets of
 * records are compared in this process.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { COURSE_LABS } from "../labs";
import type { CourseLab } from "../lab";
import { GRADING_SEED_VARIABLE } from "../../lib/check/record";
import { findKernelSpec, KERNEL_NAME, kitRoot } from "../../jupyter/kernelspec";
import {
  listNotebooks,
  Notebook,
  NotebookError,
  readNotebook,
  writeFileAtomic,
  writeNotebook,
} from "../../jupyter/notebook";
import { gradeId, isTracked } from "../nbgrader/cells";
import { releaseNotebook } from "../release/pipeline";
import { labOf } from "../release/stamp-lab";
import { sandboxUnavailable, sandboxWrap, SANDBOX_WORK } from "../sandbox";
import { executeNotebook, Limits, NotebookRun } from "./execute";
import { writeFeedback } from "./feedback";
import { Status, StudentResult } from "./result";
import { InsertHiddenTests } from "./hidden-tests";
import { restoreCells } from "./restore";
import { CellRecords, recordsOf } from "./records";
import { findShortcuts } from "./shortcuts";
import { maxScore, scoreTests, TestResult } from "./score";
import { Submission } from "./submissions";
import { findRedefinitions } from "./tamper";

interface Lab {
  name: string;
  solution: Notebook;
  released: Notebook;
  hidden: InsertHiddenTests;
  max: number;
  ids: Set<string>;
  /** The instructor's side: how its tests are scored (default: case by case). */
  course?: CourseLab;
  /** Names this version of the solution, for the cache of its records. */
  version: string;
}

export function loadLabs(solutionsDir: string): Map<string, Lab> {
  const labs = new Map<string, Lab>();
  for (const file of listNotebooks(solutionsDir)) {
    const name = path.basename(file, ".ipynb");
    const solution = readNotebook(file);
    const released = releaseNotebook(solution, name, path.basename(file));
    const ids = new Set(released.cells.filter(isTracked).map((c) => gradeId(c)!));
    const version = createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 16);
    const hidden = new InsertHiddenTests(solution, path.basename(file));
    labs.set(name, {
      name,
      solution,
      released,
      hidden,
      max: maxScore(released),
      ids,
      course: COURSE_LABS.get(name),
      version,
    });
  }
  return labs;
}

export interface GradeOptions {
  labs: Map<string, Lab>;
  out: string;
  /** Draws the hidden tests' inputs; from FIRST_GRADING_SEED up, so that no public record answers them. */
  seed: number;
  limits: Limits;
  jobs: number;
  /** Default /usr/bin/bwrap. */
  bwrap?: string;
  /**
   * Where bubblewrap cannot run, grade in a bare temporary folder with the
   * grader's rights instead of refusing: only for notebooks one trusts, since
   * their code could then change the kit or read the solutions.
   */
  allowUnsandboxed?: boolean;
  /** Said once, e.g. that there is no sandbox. */
  onNotice?: (message: string) => void;
  onStart?: (s: Submission) => void;
  onCell?: (s: Submission, position: number, total: number) => void;
  onDone?: (r: StudentResult) => void;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The lab a submission is for: given, stamped in the notebook at release, or the only one. */
function labFor(s: Submission, nb: Notebook, labs: Map<string, Lab>): string | undefined {
  if (s.lab) return s.lab;
  const stamped = labOf(nb);
  if (stamped && labs.has(stamped)) return stamped;
  return labs.size === 1 ? [...labs.keys()][0] : undefined;
}

/** A message when the notebook is plainly another lab's, else null. */
function otherLab(nb: Notebook, lab: Lab): string | null {
  const stamped = labOf(nb);
  if (stamped && stamped !== lab.name)
    return `this is the notebook of lab '${stamped}', not '${lab.name}': hand in ${lab.name}.ipynb`;
  const known = nb.cells.filter((c) => lab.ids.has(gradeId(c) ?? "")).length;
  if (lab.ids.size && !known)
    return `none of lab '${lab.name}''s cells are in this notebook: was another notebook handed in?`;
  return null;
}

/** A fresh folder for one kernel; node_modules beside it so that "dlkit" resolves from it. */
function makeWorkDir(kit: string, folder: string | null): { base: string; work: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-grade-"));
  const work = path.join(base, "work");
  fs.mkdirSync(work);
  fs.symlinkSync(path.join(kit, "node_modules"), path.join(base, "node_modules"));
  if (folder) {
    // The student's data files, copied: the kernel never writes where the submission lives.
    fs.cpSync(folder, work, {
      recursive: true,
      filter: (src) => !fs.lstatSync(src).isSymbolicLink() && !src.endsWith(".ipynb"),
    });
  }
  return { base, work };
}

/** Tests whose cell ran without error in the student's kernel, yet whose records earned less than full marks. */
const disagreeing = (tests: TestResult[]) => tests.filter((t) => t.ownChecksPassed && t.points < t.max);

function statusOf(run: NotebookRun, tampering: string[], tests: TestResult[]): Status {
  if (run.stop) return run.stop.kind === "total timeout" ? "timeout" : run.stop.kind;
  if (run.timeouts.length) return "timeout";
  if ([...run.cells.values()].some((c) => c.flooded)) return "output-limit";
  if (tampering.length) return "tampered";
  return disagreeing(tests).length ? "records-differ" : "graded";
}

/** The kit's compiled library and public records: a solution's records depend on them too. */
function kitFingerprint(kit: string): string {
  const hash = createHash("sha256");
  for (const dir of [path.join(kit, "dist", "lib"), path.join(kit, "lib", "check", "records")]) {
    if (!fs.existsSync(dir)) continue;
    for (const f of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
      const file = path.join(dir, f);
      if (/\.(js|json|wasm)$/.test(f) && fs.statSync(file).isFile()) hash.update(f).update(fs.readFileSync(file));
    }
  }
  return hash.digest("hex").slice(0, 16);
}

const toJson = (records: CellRecords) =>
  Object.fromEntries([...records].map(([id, byName]) => [id, Object.fromEntries(byName)]));
const fromJson = (json: Record<string, Record<string, never>>): CellRecords =>
  new Map(Object.entries(json).map(([id, byName]) => [id, new Map(Object.entries(byName))]));

function summary(tests: TestResult[]): string {
  const passed = tests.filter((t) => t.status === "passed").length;
  const partial = tests.filter((t) => t.status === "partial").length;
  return `${passed} of ${tests.length} tests passed` + (partial ? `, ${partial} partly` : "");
}

export class Grader {
  private readonly kit = kitRoot();
  private readonly sandbox: boolean;
  private readonly seen = new Set<string>();
  private readonly solutionRecords = new Map<string, Promise<CellRecords>>();
  private fingerprint: string | undefined;

  constructor(private readonly options: GradeOptions) {
    const why = sandboxUnavailable(options.bwrap);
    this.sandbox = why === null;
    if (why && !options.allowUnsandboxed) {
      throw new Error(
        `no sandbox: ${why}. Student code could change the kit or read the solutions without it: install bubblewrap, or pass --allow-unsandboxed to grade notebooks you trust.`,
      );
    }
    if (why)
      options.onNotice?.(
        `no sandbox: ${why}. Grading runs each kernel in a temporary folder only, with the grader's rights.`,
      );
  }

  /** Grades all, `jobs` at a time; results in the order given. */
  async gradeAll(submissions: Submission[]): Promise<StudentResult[]> {
    const results: StudentResult[] = new Array(submissions.length);
    let next = 0;
    const worker = async () => {
      while (next < submissions.length) {
        const i = next++;
        this.options.onStart?.(submissions[i]);
        results[i] = await this.gradeOne(submissions[i]);
        // A duplicate's feedback would replace the graded copy's.
        if (results[i].status !== "duplicate") writeFeedback(this.options.out, results[i]);
        this.options.onDone?.(results[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.jobs) }, worker));
    return results;
  }

  async gradeOne(s: Submission): Promise<StudentResult> {
    const started = Date.now();
    const row = (
      lab: string,
      max: number,
      status: Status,
      message: string,
      extra: Partial<StudentResult> = {},
    ): StudentResult => ({
      student: s.student,
      lab,
      score: 0,
      max,
      status,
      message,
      seconds: round((Date.now() - started) / 1000),
      seed: this.options.seed,
      file: s.file,
      changes: [],
      tests: [],
      ...extra,
    });
    const { labs } = this.options;
    if (s.lab && !labs.has(s.lab))
      return row(s.lab, 0, "error", `no solution for lab '${s.lab}' (known: ${[...labs.keys()].join(", ") || "none"})`);
    // Until the notebook says otherwise: the lab asked for, or the only one.
    const named = labs.get(s.lab ?? "") ?? (labs.size === 1 ? [...labs.values()][0] : undefined);
    if (!s.file)
      return row(named?.name ?? "?", named?.max ?? 0, "missing", `no notebook for lab '${s.lab}' in ${s.folder}`);

    let nb: Notebook;
    try {
      nb = readNotebook(s.file);
    } catch (err) {
      const message = err instanceof NotebookError ? err.message : String(err);
      return row(named?.name ?? "?", named?.max ?? 0, "malformed", message);
    }
    const labName = labFor(s, nb, labs);
    const lab = labName ? labs.get(labName) : undefined;
    if (!lab)
      return row(
        labOf(nb) ?? "?",
        0,
        "wrong-lab",
        `cannot tell which lab this is (metadata says '${labOf(nb) ?? "nothing"}'): pass --lab`,
      );
    const key = `${s.student}\u0000${lab.name}`;
    if (this.seen.has(key))
      return row(
        lab.name,
        lab.max,
        "duplicate",
        `${s.student} handed in lab '${lab.name}' twice; this copy (${s.file}) was not graded`,
      );
    this.seen.add(key);
    const wrong = otherLab(nb, lab);
    if (wrong) return row(lab.name, lab.max, "wrong-lab", wrong);

    try {
      return await this.run(s, nb, lab, started);
    } catch (err) {
      return row(lab.name, lab.max, "error", `grading failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The solution's records on this run's seed: computed once per lab, kept on disk per solution version and seed. */
  private recordsOfSolution(lab: Lab): Promise<CellRecords> {
    let records = this.solutionRecords.get(lab.name);
    if (!records) {
      records = this.recordSolution(lab);
      this.solutionRecords.set(lab.name, records);
    }
    return records;
  }

  private async recordSolution(lab: Lab): Promise<CellRecords> {
    const { seed, out } = this.options;
    this.fingerprint ??= kitFingerprint(this.kit);
    const cache = path.join(out, ".solution-records", `${lab.name}-${lab.version}-${this.fingerprint}-${seed}.json`);
    if (fs.existsSync(cache)) return fromJson(JSON.parse(fs.readFileSync(cache, "utf8")));
    const { notebook } = restoreCells(lab.solution, lab.released);
    const run = await this.execute(lab.hidden.apply(notebook), null);
    const records = recordsOf(run.notebook);
    const fix = `fix solutions/${lab.name}.ipynb (its records are what submissions are compared with)`;
    if (run.stop)
      throw new Error(
        `the solution of lab '${lab.name}' did not run to the end with seed ${seed}: ${run.stop.message}; ${fix}`,
      );
    for (const [id, byName] of records) {
      if (!byName.size)
        throw new Error(
          `test '${id}' of lab '${lab.name}' records nothing in the solution: give it a hidden \`check.record(...)\`; ${fix}`,
        );
      for (const [name, record] of byName) {
        const threw = record?.cases.find((c) => "error" in c) as { error: string } | undefined;
        if (!record || threw)
          throw new Error(
            `the solution's record '${name}' in test '${id}' of lab '${lab.name}' ${record ? `threw with seed ${seed}: ${threw!.error}` : "was shown twice"}; ${fix}`,
          );
      }
    }
    // Written whole or not at all: a killed run leaves no half file that a later run would trust.
    writeFileAtomic(cache, JSON.stringify(toJson(records)));
    return records;
  }

  /** Runs a graded notebook in a fresh sandboxed folder (with `folder`'s data files, if any). */
  private async execute(
    graded: Notebook,
    folder: string | null,
    onCell?: (position: number, total: number) => void,
  ): Promise<NotebookRun> {
    const { base, work } = makeWorkDir(this.kit, folder);
    try {
      const spec = findKernelSpec(KERNEL_NAME).spec;
      const home = this.sandbox ? SANDBOX_WORK : work;
      const env: Record<string, string> = {
        ...(spec.env ?? {}),
        PATH: "/usr/local/bin:/usr/bin:/bin",
        HOME: home,
        TMPDIR: home,
        LANG: "C.UTF-8",
        NODE_OPTIONS: `--max-old-space-size=${this.options.limits.memoryMb}`,
        [GRADING_SEED_VARIABLE]: String(this.options.seed),
        // Parallel submissions share the cores: one wasm thread each (lib/backend/wasm-threads.ts).
        ...(this.options.jobs > 1 ? { DLKIT_THREADS: "1" } : {}),
      };
      return await executeNotebook(graded, {
        spec,
        cwd: work,
        env,
        wrap: this.sandbox
          ? sandboxWrap({ kitRoot: this.kit, workDir: work, env, bwrap: this.options.bwrap })
          : undefined,
        limits: this.options.limits,
        onCell,
      });
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  }

  private async run(s: Submission, nb: Notebook, lab: Lab, started: number): Promise<StudentResult> {
    const solution = await this.recordsOfSolution(lab);
    const { notebook: restored, changes } = restoreCells(nb, lab.released);
    const graded = lab.hidden.apply(restored);
    const shortcuts = findShortcuts(graded, lab.course?.shortcuts);
    const tampering = [...findRedefinitions(graded), ...shortcuts.map((f) => f.message)];
    const run = await this.execute(graded, s.folder, (position, total) => this.options.onCell?.(s, position, total));
    const tests = scoreTests(run, recordsOf(run.notebook), solution, lab.course, shortcuts);
    const status = statusOf(run, tampering, tests);
    const differing = disagreeing(tests).map((t) => t.id);
    const notes = [summary(tests), run.stop?.message, ...changes.map((c) => c.message), ...tampering];
    if (differing.length) {
      notes.push(
        `${differing.join(", ")}: the notebook's own checks passed, but what the code computed on the grader's inputs differs from the solution's`,
      );
    }
    if (status === "output-limit" && !run.stop) notes.push("some output was dropped (a cell printed too much)");
    if (run.timeouts.length && !run.stop)
      notes.push(`${run.timeouts.length} cell(s) stopped at the ${this.options.limits.cellTimeoutSeconds} s limit`);
    writeNotebook(
      path.join(this.options.out, "autograded", s.student, `${lab.name}.ipynb`),
      run.notebook,
      s.file ? [s.file] : [],
    );
    return {
      student: s.student,
      lab: lab.name,
      score: round(tests.reduce((sum, t) => sum + t.points, 0)),
      max: lab.max,
      status,
      message: notes.filter(Boolean).join("; "),
      seconds: round((Date.now() - started) / 1000),
      seed: this.options.seed,
      file: s.file,
      changes: changes.map((c) => c.message),
      tests,
    };
  }
}
