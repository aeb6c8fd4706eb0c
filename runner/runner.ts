/**
 * Executes a notebook headlessly on a real kernel, cell by cell, and records
 * the outputs into a copy of it, as nbclient does. The input is not changed.
 */
import * as path from "path";
import { CellStatus, ExecutionResult, KernelClient, KernelInfoReply, StartOptions } from "./client";
import { findKernelSpec, KERNEL_NAME } from "../jupyter/kernelspec";
import { Cell, CodeCell, Notebook, NotebookError, notebookLanguage } from "../jupyter/notebook";

export interface RunOptions {
  /** The folder cells run in (relative imports resolve from it). */
  cwd: string;
  /** Kernel spec name; default: the notebook's own, else the kit's. */
  kernelName?: string;
  /** Per-cell limit in seconds (interrupt, then kill). Default: none. */
  cellTimeoutSeconds?: number;
  /** Run the cells after a failing one too. Default false. */
  allowErrors?: boolean;
  maxOutputBytes?: number;
  env?: Record<string, string>;
  wrap?: StartOptions["wrap"];
  onProgress?: (event: ProgressEvent) => void;
}

export interface ProgressEvent {
  /** 1-based position among the code cells that run. */
  cell: number;
  total: number;
  phase: "start" | "end";
  status?: CellStatus;
  seconds?: number;
}

export interface CellResult {
  /** Index in notebook.cells. */
  index: number;
  status: CellStatus | "not run";
  seconds: number;
  error?: ExecutionResult["error"];
}

export interface RunResult {
  notebook: Notebook;
  cells: CellResult[];
  /** The first cell that failed and stopped the run, if any. */
  failed: CellResult | null;
  seconds: number;
  kernelInfo: KernelInfoReply;
}

const TYPESCRIPT_LANGUAGES = new Set(["typescript", "javascript"]);

/** The kernel a notebook asks for, after checking it is a TypeScript notebook. */
export function kernelNameFor(nb: Notebook, name: string, override?: string): string {
  if (override) return override;
  const language = notebookLanguage(nb);
  const kernel = nb.metadata?.kernelspec?.name;
  if (language && !TYPESCRIPT_LANGUAGES.has(language)) {
    throw new NotebookError(
      `${name} is a ${language} notebook (kernel '${kernel ?? "unknown"}'); the kit runs TypeScript notebooks. ` +
        `Pass --kernel ${KERNEL_NAME} to run it on the kit's kernel anyway.`,
    );
  }
  return typeof kernel === "string" && kernel ? kernel : KERNEL_NAME;
}

const shouldRun = (cell: Cell): cell is CodeCell => cell.cell_type === "code" && cell.source.trim() !== "";

/** Runs every code cell; stops at the first failure unless allowErrors. */
export async function runNotebook(input: Notebook, name: string, options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const notebook: Notebook = structuredClone(input);
  const kernelName = kernelNameFor(notebook, name, options.kernelName);
  const found = findKernelSpec(kernelName);
  const kernel = await KernelClient.start({
    spec: found.spec,
    cwd: path.resolve(options.cwd),
    env: options.env,
    wrap: options.wrap,
  });

  const toRun = notebook.cells
    .map((c, i) => ({ cell: c, index: i }))
    .filter((e): e is { cell: CodeCell; index: number } => shouldRun(e.cell));
  // This copy tells of this run only: no output of an earlier run stays behind.
  for (const cell of notebook.cells) {
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }
  const results: CellResult[] = [];
  let failed: CellResult | null = null;
  try {
    for (const [n, { cell, index }] of toRun.entries()) {
      if (failed && !options.allowErrors) {
        results.push({ index, status: "not run", seconds: 0 });
        continue;
      }
      options.onProgress?.({ cell: n + 1, total: toRun.length, phase: "start" });
      const run = await kernel.execute(cell.source, {
        timeoutMs: options.cellTimeoutSeconds ? options.cellTimeoutSeconds * 1000 : undefined,
        stopOnError: !options.allowErrors,
        maxOutputBytes: options.maxOutputBytes,
      });
      cell.outputs = run.outputs;
      cell.execution_count = run.executionCount;
      if (run.status === "timeout" || run.status === "died") {
        // The kernel sent no error output for these: the notebook must still say what happened.
        cell.outputs.push({ output_type: "error", ...run.error! });
      }
      const result: CellResult = { index, status: run.status, seconds: run.seconds, error: run.error };
      results.push(result);
      options.onProgress?.({
        cell: n + 1,
        total: toRun.length,
        phase: "end",
        status: run.status,
        seconds: run.seconds,
      });
      if (run.status !== "ok" && !failed) failed = result;
      if (run.killed || run.status === "died") {
        for (const rest of toRun.slice(n + 1)) results.push({ index: rest.index, status: "not run", seconds: 0 });
        break;
      }
    }
  } finally {
    await kernel.shutdown();
  }
  const languageInfo = kernel.kernelInfo.language_info;
  if (languageInfo) notebook.metadata.language_info = languageInfo;
  return { notebook, cells: results, failed, seconds: (Date.now() - started) / 1000, kernelInfo: kernel.kernelInfo };
}
