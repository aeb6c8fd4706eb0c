/** Notebooks made on the fly for kernel tests, in a folder inside the kit so that packages resolve. */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Cell, Notebook, serializeNotebook } from "../jupyter/notebook";
import { KERNEL_DISPLAY_NAME, KERNEL_NAME } from "../jupyter/kernelspec";

export const KIT_ROOT = path.resolve(__dirname, "..");
export const CLI = path.join(KIT_ROOT, "dist", "cli", "cli.js");

/** A fresh folder under out/ (git ignores it); cells there can import the kit's packages. */
export function scratchDir(name: string): string {
  const base = path.join(KIT_ROOT, "out", "test-scratch");
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, `${name}-`));
}

export function codeCell(source: string): Cell {
  return { cell_type: "code", source, metadata: {}, outputs: [], execution_count: null };
}

export function markdownCell(source: string): Cell {
  return { cell_type: "markdown", source, metadata: {} };
}

export function notebook(cells: Cell[], kernelName = KERNEL_NAME): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: kernelName, display_name: KERNEL_DISPLAY_NAME, language: "typescript" } },
    cells: cells.map((c, i) => ({ ...c, id: `cell-${i}` })),
  };
}

export function writeScratchNotebook(dir: string, name: string, nb: Notebook): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, serializeNotebook(nb));
  return file;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command without blocking the test worker: a worker blocked for a
 * minute (spawnSync under load) misses vitest's own heartbeat and fails the run.
 */
export function runCommand(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: options.env ?? process.env,
      cwd: options.cwd ?? KIT_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
