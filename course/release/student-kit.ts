/**
 * `dlkit release --student-kit DIR`: the folder a course publishes as its
 * students' repository. It holds the released labs, the `dlkit` package
 * (library and kernel, built, no reference and no hidden test) as a tarball
 * in vendor/, the data no npm package ships (Fashion-MNIST), and a
 * package.json, lock file, environment.yml and README so that
 * `npm ci && npx dlkit install` then `jupyter lab labs/` is all a student types.
 *
 * The kit is assembled in a folder beside DIR and searched for every line of
 * the solutions' answers (leaks.ts) before it replaces DIR: a leak stops the
 * release and DIR stays as it was. DIR must be empty, absent, or a kit an
 * earlier release wrote (its .git is kept).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { COURSE_LABS } from "../labs";
import { recordLab } from "../record-checks";
import type { LabRecords } from "../../lib/check/records";
import { findFashionMnist } from "../../lib/data/fashionMnist";
import { InputError } from "../../cli/errors";
import { listNotebooks, Notebook, readNotebook, serializeNotebook } from "../../jupyter/notebook";
import { describeLeak, filesUnder, findLeaks, Leak, solutionLines } from "./leaks";
import { releaseNotebook } from "./pipeline";
import {
  fashionMnistReadme,
  KIT_GITIGNORE,
  KIT_MARKER,
  kitManifest,
  kitReadme,
  markerText,
  notebookTitle,
} from "./student-kit-files";
import { packPackage, readManifest, runQuiet, stagePackage } from "./student-package";

/** What a previous kit's folder may hold that release keeps: the students' repository's history. */
const KEPT = [".git"];

/** Throws an InputError unless `dir` is absent, empty (but for .git), or a student kit. */
export function assertReplaceable(dir: string): void {
  if (!fs.existsSync(dir)) return;
  if (!fs.statSync(dir).isDirectory())
    throw new InputError(`${dir} is a file: the student kit is a folder; name a new or empty folder`);
  const entries = fs.readdirSync(dir).filter((e) => !KEPT.includes(e));
  if (entries.length === 0 || entries.includes(KIT_MARKER)) return;
  throw new InputError(
    `${dir} is not empty and is not a student kit (it has no ${KIT_MARKER}): release writes the kit only into a new or empty folder, ` +
      `or over a kit it wrote before. Name another folder, or empty this one yourself.`,
  );
}

export interface StudentKitOptions {
  /** The kit's folder. */
  dir: string;
  /** The instructor's kit (solutions/, dist/, lib/). */
  root: string;
  log?: (line: string) => void;
  /** Search the kit for the answers before writing it (default true). */
  checkLeaks?: boolean;
}

export interface StudentKit {
  dir: string;
  labs: string[];
  /** File name in vendor/. */
  tarball: string;
  tarballBytes: number;
}

interface ReleasedLab {
  name: string;
  solution: Notebook;
  lab: Notebook;
}

const FASHION_MNIST_FILES = [
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
];

/** Copies Fashion-MNIST's IDX files (gzipped when the source is) into `target`, with where they come from. */
function copyFashionMnist(target: string): void {
  const source = findFashionMnist({ cwd: target });
  fs.mkdirSync(target, { recursive: true });
  for (const name of FASHION_MNIST_FILES) {
    const file = [`${name}.gz`, name].find((f) => fs.existsSync(path.join(source, f)))!;
    fs.copyFileSync(path.join(source, file), path.join(target, file));
  }
  const debianCopyright = "/usr/share/doc/dataset-fashion-mnist/copyright";
  if (source.startsWith("/usr/share/datasets/") && fs.existsSync(debianCopyright))
    fs.copyFileSync(debianCopyright, path.join(target, "copyright"));
  fs.writeFileSync(path.join(target, "README.md"), fashionMnistReadme(source));
}

/** Empties `dir` (but for KEPT) and moves `from`'s entries into it. */
function replaceFolder(dir: string, from: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const e of fs.readdirSync(dir))
    if (!KEPT.includes(e)) fs.rmSync(path.join(dir, e), { recursive: true, force: true });
  for (const e of fs.readdirSync(from)) fs.renameSync(path.join(from, e), path.join(dir, e));
}

export class LeakError extends Error {
  constructor(
    readonly leaks: Leak[],
    root: string,
  ) {
    const shown = leaks.slice(0, 20).map((l) => `  ${describeLeak(l, root)}`);
    super(
      `the student kit would hold ${leaks.length} line(s) of the solutions' answers; nothing was written:\n${shown.join("\n")}` +
        (leaks.length > shown.length ? `\n  … and ${leaks.length - shown.length} more` : "") +
        "\nMove that code out of what the students' library reaches (course/ holds the instructor's references).",
    );
  }
}

export async function writeStudentKit(options: StudentKitOptions): Promise<StudentKit> {
  const { root } = options;
  const log = options.log ?? (() => {});
  const dir = path.resolve(options.dir);
  assertReplaceable(dir);
  const solutions = listNotebooks(path.join(root, "solutions"));
  if (!solutions.length)
    throw new InputError(
      `no notebooks in ${path.join(root, "solutions")}: the student kit is released from the solutions`,
    );

  const labs: ReleasedLab[] = solutions.map((file) => {
    const name = path.basename(file, ".ipynb");
    const solution = readNotebook(file);
    return { name, solution, lab: releaseNotebook(readNotebook(file), name, path.basename(file)) };
  });
  const records: LabRecords[] = [];
  for (const { name } of labs) {
    const course = COURSE_LABS.get(name);
    if (!course) continue;
    records.push(await recordLab(course));
    log(`recorded ${name}'s public checks`);
  }

  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const work = fs.mkdtempSync(path.join(path.dirname(dir), `.${path.basename(dir)}.release-`));
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-student-package-"));
  try {
    const manifest = readManifest(root);
    stagePackage(root, stage, records);
    const tarball = await packPackage(stage, path.join(work, "vendor"));
    log(`packed vendor/${tarball}`);

    for (const lab of labs) {
      fs.mkdirSync(path.join(work, "labs"), { recursive: true });
      fs.writeFileSync(path.join(work, "labs", `${lab.name}.ipynb`), serializeNotebook(lab.lab));
    }
    copyFashionMnist(path.join(work, "data", "fashion-mnist"));
    fs.copyFileSync(path.join(root, "environment.yml"), path.join(work, "environment.yml"));
    fs.writeFileSync(path.join(work, ".gitignore"), KIT_GITIGNORE);
    fs.writeFileSync(path.join(work, KIT_MARKER), markerText(manifest.version));
    fs.writeFileSync(
      path.join(work, "package.json"),
      kitManifest(manifest.version, tarball, manifest.allowScripts ?? {}),
    );
    const kitLabs = labs.map((l) => ({
      name: l.name,
      title: notebookTitle(
        l.lab.cells.filter((c) => c.cell_type === "markdown").map((c) => c.source),
        l.name,
      ),
    }));
    fs.writeFileSync(path.join(work, "README.md"), kitReadme({ version: manifest.version, labs: kitLabs, tarball }));
    // The lock needs the registry's metadata for the dependencies; npm's cache serves it offline once they were installed here.
    await runQuiet(
      "npm",
      ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"],
      work,
    );
    log("locked the dependencies (package-lock.json)");

    if (options.checkLeaks !== false) {
      const lines = labs.flatMap((l) => solutionLines(l.solution, l.lab, `${l.name}.ipynb`));
      const inTarball = (file: string) => path.join(dir, "vendor", `${tarball}!`, path.relative(stage, file));
      const leaks = findLeaks([...filesUnder(work), ...filesUnder(stage)], lines).map((l) =>
        l.file.startsWith(stage + path.sep)
          ? { ...l, file: inTarball(l.file) }
          : { ...l, file: path.join(dir, path.relative(work, l.file)) },
      );
      if (leaks.length) throw new LeakError(leaks, path.dirname(dir));
      log(`searched the kit for ${lines.length} lines of the solutions' answers: none found`);
    }
    replaceFolder(dir, work);
    return {
      dir,
      labs: labs.map((l) => l.name),
      tarball,
      tarballBytes: fs.statSync(path.join(dir, "vendor", tarball)).size,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
