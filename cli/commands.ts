/**
 * The commands every copy of the kit has, the students' included: `install`,
 * `run` and `doctor`, and the dispatcher both command lines share
 * (`cli.ts`, the instructor's, adds release, grade and merge;
 * `student-cli.ts` has only these). Nothing here imports the course tooling,
 * so the student kit can ship this file.
 */
import * as path from "path";
import { parseArgs } from "util";
import { doctorCommand } from "./doctor";
import {
  installKernelSpec,
  InstallTarget,
  KERNEL_DISPLAY_NAME,
  KERNEL_NAME,
  uninstallKernelSpec,
} from "../jupyter/kernelspec";
import { NotebookError, Output, readNotebook, writeNotebook } from "../jupyter/notebook";
import { ProgressLine } from "../runner/progress";
import { runNotebook } from "../runner/runner";
import { InputError, UsageError } from "./errors";

export type Command = (args: string[]) => number | Promise<number>;

export const STUDENT_USAGE = `usage:
  dlkit install [--user | --sys-prefix | --prefix DIR] [--backend node|wasm|cpu|auto] [--uninstall]
  dlkit run NOTEBOOK [--out FILE] [--timeout SECONDS] [--allow-errors] [--kernel NAME] [--print]
  dlkit doctor                 what the kit uses, what is missing, and how to install it`;

export function installCommand(args: string[]): number {
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
  const target: InstallTarget =
    values.prefix !== undefined
      ? { kind: "prefix", prefix: values.prefix }
      : values["sys-prefix"]
        ? { kind: "sys-prefix" }
        : { kind: "user" };
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

export async function runCommand(args: string[]): Promise<number> {
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
  if (timeout !== undefined && !(timeout > 0))
    throw new UsageError(`--timeout takes a number of seconds above 0, not '${values.timeout}'`);
  const out = values.out ?? input.replace(/(\.ipynb)?$/, ".executed.ipynb");
  if (path.resolve(out) === path.resolve(input))
    throw new UsageError(`--out ${out} is the input notebook: the runner never writes over its input`);

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
        progress.show(
          () =>
            `${path.basename(input)}: cell ${e.cell}/${e.total} running ${((Date.now() - cellStarted) / 1000).toFixed(1)}s · ${progress.elapsed()} in all`,
        );
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
  console.error(
    `${path.basename(input)}: ran ${ran} of ${result.cells.length} code cells in ${result.seconds.toFixed(1)}s; executed copy: ${out}`,
  );
  if (result.failed) {
    const { error } = result.failed;
    console.error(
      `stopped at cell ${result.failed.index + 1} (${result.failed.status}): ${error ? `${error.ename}: ${error.evalue}` : ""}`,
    );
    if (error?.traceback.length) console.error(error.traceback.join("\n"));
    return 1;
  }
  return 0;
}

/** What the student kit's command line offers. */
export const STUDENT_COMMANDS: Record<string, Command> = {
  install: installCommand,
  run: runCommand,
  doctor: (args) => doctorCommand(args, { students: true }),
};

export interface CommandLine {
  commands: Record<string, Command>;
  usage: string;
  /** The answer to a command this command line lacks; the usage follows it. */
  unknown?: (name: string) => string;
}

/** Runs `argv` on one of `cli`'s commands; returns the exit code (2: the command line is wrong). */
export async function dispatch(cli: CommandLine, argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : Object.hasOwn(cli.commands, name) ? cli.commands[name] : undefined;
  if (!command) {
    if (name === undefined || name === "--help") {
      console.error(cli.usage);
      return name === "--help" ? 0 : 2;
    }
    console.error(`${cli.unknown?.(name) ?? `dlkit: unknown command '${name}'`}\n${cli.usage}`);
    return 2;
  }
  try {
    return await command(args);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`dlkit ${name}: ${(err as Error).message}\n${cli.usage}`);
      return 2;
    }
    if (err instanceof NotebookError || err instanceof InputError) {
      console.error(`dlkit ${name}: ${err.message}`);
      return 2;
    }
    console.error(`dlkit ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
