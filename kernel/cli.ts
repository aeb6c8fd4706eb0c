#!/usr/bin/env node
/**
 * dlkit: the kit's command line.
 *
 *   dlkit install [--user | --sys-prefix | --prefix DIR] [--backend B] [--uninstall]
 *   dlkit run NOTEBOOK [--out FILE] [--timeout S] [--allow-errors] [--kernel NAME] [--print]
 *   dlkit release [SOLUTION.ipynb ...] [--labs DIR] [--check]
 *   dlkit grade SUBMISSIONS... [--lab X] [--jobs N] [--shard k/N] [--out DIR] [...]
 *   dlkit merge DIR... --out DIR
 */
import * as path from "path";
import { parseArgs } from "util";
import { doctorCommand } from "./doctor";
import { installKernelSpec, InstallTarget, KERNEL_DISPLAY_NAME, KERNEL_NAME, kitRoot, uninstallKernelSpec } from "./kernelspec";
import { NotebookError, Output, readNotebook, writeNotebook } from "./notebook";
import { ProgressLine } from "./progress";
import { GRADE_USAGE, gradeCommand, mergeCommand } from "./grade/command";
import { checkReleases, listNotebooks, releaseTargets, writeReleases } from "./release";
import { runNotebook } from "./runner";
import { COURSE_LABS } from "../course/labs";
import { compareRecords, recordLab, writeRecords } from "../course/record-checks";

/** A mistake in how the command was called: exit 2 with the message. */
export class UsageError extends Error {}

const USAGE = `usage:
  dlkit install [--user | --sys-prefix | --prefix DIR] [--backend node|wasm|cpu|auto] [--uninstall]
  dlkit run NOTEBOOK [--out FILE] [--timeout SECONDS] [--allow-errors] [--kernel NAME] [--print]
  dlkit release [SOLUTION.ipynb ...] [--labs DIR] [--check]
${GRADE_USAGE}`;

function installCommand(args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      user: { type: "boolean" },
      "sys-prefix": { type: "boolean" },
      prefix: { type: "string" },
      backend: { type: "string" },
      uninstall: { type: "boolean" },
    },
  });
  const chosen = [values.user, values["sys-prefix"], values.prefix !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new UsageError("choose one of --user, --sys-prefix and --prefix");
  const target: InstallTarget = values.prefix !== undefined
    ? { kind: "prefix", prefix: values.prefix }
    : values["sys-prefix"] ? { kind: "sys-prefix" } : { kind: "user" };
  if (values.uninstall) {
    const removed = uninstallKernelSpec(target);
    console.log(removed ? `removed the kernel spec ${removed}` : `no '${KERNEL_NAME}' kernel spec to remove there`);
    return 0;
  }
  const dir = installKernelSpec(target, { backend: values.backend });
  console.log(`installed "${KERNEL_DISPLAY_NAME}" (${KERNEL_NAME}) in ${dir}`);
  return 0;
}

/** The text a person would read in an output. */
function outputText(o: Output): string {
  switch (o.output_type) {
    case "stream":
      return o.text;
    case "error":
      return o.traceback.join("\n") + "\n";
    default: {
      const mimes = Object.keys(o.data).filter((m) => m !== "text/plain");
      const plain = typeof o.data["text/plain"] === "string" ? (o.data["text/plain"] as string) : "";
      return mimes.length ? `[${mimes.join(", ")}] ${plain}\n` : plain + "\n";
    }
  }
}

async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      timeout: { type: "string" },
      "allow-errors": { type: "boolean" },
      kernel: { type: "string" },
      print: { type: "boolean" },
    },
  });
  if (positionals.length !== 1) throw new UsageError("run takes one notebook");
  const input = positionals[0];
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) throw new UsageError(`--timeout takes a number of seconds above 0, not '${values.timeout}'`);
  const out = values.out ?? input.replace(/(\.ipynb)?$/, ".executed.ipynb");
  if (path.resolve(out) === path.resolve(input)) throw new UsageError(`--out ${out} is the input notebook: the runner never writes over its input`);

  const notebook = readNotebook(input);
  const progress = new ProgressLine();
  let cellStarted = Date.now();
  const result = await runNotebook(notebook, path.basename(input), {
    cwd: path.dirname(path.resolve(input)),
    kernelName: values.kernel,
    cellTimeoutSeconds: timeout,
    allowErrors: values["allow-errors"],
    onProgress: (e) => {
      if (e.phase === "start") {
        cellStarted = Date.now();
        progress.show(() => `${path.basename(input)}: cell ${e.cell}/${e.total} running ${((Date.now() - cellStarted) / 1000).toFixed(1)}s · ${progress.elapsed()} in all`);
      } else if (e.status !== "ok") {
        progress.log(`${path.basename(input)}: cell ${e.cell}/${e.total} ${e.status} after ${e.seconds!.toFixed(1)}s`);
      }
    },
  });
  progress.done();
  writeNotebook(out, result.notebook, [input]);

  if (values.print) {
    for (const cell of result.notebook.cells) {
      if (cell.cell_type !== "code" || cell.outputs.length === 0) continue;
      process.stdout.write(`[${cell.execution_count ?? " "}] ${cell.outputs.map(outputText).join("")}`);
    }
  }
  const ran = result.cells.filter((c) => c.status !== "not run").length;
  console.error(`${path.basename(input)}: ran ${ran} of ${result.cells.length} code cells in ${result.seconds.toFixed(1)}s; executed copy: ${out}`);
  if (result.failed) {
    const { error } = result.failed;
    console.error(`stopped at cell ${result.failed.index + 1} (${result.failed.status}): ${error ? `${error.ename}: ${error.evalue}` : ""}`);
    if (error?.traceback.length) console.error(error.traceback.join("\n"));
    return 1;
  }
  return 0;
}

/** Writes labs from solutions (default: every solutions/*.ipynb) and their checks' records; --check only compares. */
async function releaseCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { labs: { type: "string" }, check: { type: "boolean" } },
  });
  const all = positionals.length === 0;
  const solutions = all ? listNotebooks("solutions") : positionals;
  if (all && solutions.length === 0) {
    console.error("dlkit release: no notebooks in solutions/: nothing to release (run it from the kit's folder, or name the solutions).");
  }
  const targets = releaseTargets(solutions, values.labs);
  const courseLabs = targets.flatMap((t) => COURSE_LABS.get(t.lab) ?? []);
  if (values.check) {
    const problems = checkReleases(targets, all ? values.labs ?? "labs" : undefined);
    for (const lab of courseLabs) problems.push(...compareRecords(kitRoot(), await recordLab(lab)));
    for (const p of problems) console.error(p);
    if (problems.length) {
      console.error(`dlkit release --check: ${problems.length} file(s) out of date: run \`npm run release\` and commit labs/ and lib/check/records/.`);
      return 1;
    }
    console.error(`dlkit release --check: ${targets.length} lab(s) and ${courseLabs.length} record file(s) up to date`);
    return 0;
  }
  writeReleases(targets);
  for (const t of targets) console.error(`released ${t.solution} → ${path.relative(process.cwd(), t.output)}`);
  for (const lab of courseLabs) {
    const file = writeRecords(kitRoot(), await recordLab(lab));
    console.error(`recorded ${lab.name}'s public checks → ${path.relative(process.cwd(), file)}`);
  }
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => number | Promise<number>> = {
  doctor: doctorCommand,
  install: installCommand,
  run: runCommand,
  release: releaseCommand,
  grade: gradeCommand,
  merge: mergeCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    console.error(name && name !== "--help" ? `dlkit: unknown command '${name}'\n${USAGE}` : USAGE);
    return name === "--help" ? 0 : 2;
  }
  try {
    return await command(args);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`dlkit ${name}: ${(err as Error).message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof NotebookError) {
      console.error(`dlkit ${name}: ${err.message}`);
      return 2;
    }
    console.error(`dlkit ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
