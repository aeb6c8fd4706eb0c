/**
 * `dlkit doctor`: what this machine has of what the kit uses, and the command
 * that installs what is missing. `--tests` exits 1 unless everything the
 * test suite needs is here.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expectedBackend } from "../lib/backend/candidates";
import { findFashionMnist } from "../lib/data/fashionMnist";
import { kitRoot } from "../jupyter/kernelspec";

interface Requirement {
  what: string;
  /** Who needs it. */
  for: "everyone" | "tests";
  ok: () => boolean;
  fix: string;
}

const PYTHON = "/usr/bin/python3";
const pythonHas = (module: string) => () => spawnSync(PYTHON, ["-c", `import ${module}`]).status === 0;
const exists = (file: string) => () => fs.existsSync(file);
const DEBIAN_LIST = ".ci/debian-packages.txt";
const aptFix = (pkg: string) =>
  `apt-get install ${pkg}   (all of them: apt-get install $(grep -v '^#' ${DEBIAN_LIST}))`;

function requirements(root: string): Requirement[] {
  return [
    {
      what: "Node.js 20 or newer",
      for: "everyone",
      ok: () => Number(process.versions.node.split(".")[0]) >= 20,
      fix: "install Node.js 20+ (conda: the kit's environment.yml has it)",
    },
    {
      what: "the kit built (dist/)",
      for: "everyone",
      ok: exists(path.join(root, "dist", "server", "kernel.js")),
      fix: "npm run build",
    },
    {
      what: "Debian's Jupyter (nbconvert, nbclient)",
      for: "tests",
      ok: pythonHas("nbclient, nbconvert"),
      fix: aptFix("jupyter-nbconvert python3-nbclient"),
    },
    {
      what: "jupyter_kernel_test",
      for: "tests",
      ok: pythonHas("jupyter_kernel_test"),
      fix: aptFix("python3-jupyter-kernel-test"),
    },
    { what: "the classic Notebook server", for: "tests", ok: pythonHas("notebook"), fix: aptFix("python3-notebook") },
    {
      what: "PyTorch (reference values, benchmarks)",
      for: "tests",
      ok: pythonHas("torch"),
      fix: aptFix("python3-torch"),
    },
    { what: "Chromium (browser tests)", for: "tests", ok: exists("/usr/bin/chromium"), fix: aptFix("chromium") },
    { what: "bubblewrap (grading sandbox)", for: "tests", ok: exists("/usr/bin/bwrap"), fix: aptFix("bubblewrap") },
    {
      what: "Slurm and munge (grading as a job array)",
      for: "tests",
      ok: () => ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged"].every((f) => fs.existsSync(f)),
      fix: aptFix("slurm-wlm munge"),
    },
    {
      what: "Fashion-MNIST (TP4a's data)",
      for: "everyone",
      ok: () => {
        try {
          return Boolean(findFashionMnist());
        } catch {
          return false;
        }
      },
      fix:
        "the student kit ships it in data/fashion-mnist (run the labs from the kit's folder); elsewhere " +
        aptFix("dataset-fashion-mnist") +
        ", or set FASHION_MNIST_DIR",
    },
  ];
}

/**
 * `students`: the student kit's doctor, which lists only what a student's
 * machine needs (the test suite's tools are the instructor's business).
 */
export function doctorCommand(args: string[], options: { students?: boolean } = {}): number {
  const forTests = args.includes("--tests");
  if (forTests && options.students) {
    console.error(
      "dlkit doctor: --tests checks the tools of the course's test suite, which the student kit does not have",
    );
    return 2;
  }
  const root = kitRoot();
  let missing = 0;
  for (const r of requirements(root)) {
    if (options.students && r.for !== "everyone") continue;
    const ok = r.ok();
    if (!ok && (r.for === "everyone" || forTests)) missing++;
    if (!forTests || !ok) console.log(`${ok ? "✔" : "✘"} ${r.what}${ok ? "" : ` — missing; fix: ${r.fix}`}`);
  }
  if (!forTests) console.log(`tfjs backend: ${expectedBackend()}`);
  if (missing && forTests)
    console.log(`The test suite needs the ${missing} missing item(s) above (.ci/run installs them all).`);
  return missing ? 1 : 0;
}
