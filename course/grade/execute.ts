/**
 * Runs a graded notebook on a real kernel: every code cell, errors or not
 * (each test scores on its own), within a per-cell and a total time limit
 * and a memory limit, and kills the kernel afterwards.
 */
import * as fs from "fs";
import { CellStatus, ExecutionResult, KernelClient, StartOptions } from "../../runner/client";
import type { KernelSpec } from "../../jupyter/kernelspec";
import type { Notebook } from "../../jupyter/notebook";
import { KERNEL_CAP_NOTE } from "../../server/cell-streams";
import { CLIENT_CAP_NOTE, DEFAULT_MAX_OUTPUT_BYTES } from "../../runner/outputs";

export interface Limits {
  cellTimeoutSeconds: number;
  totalTimeoutSeconds: number;
  memoryMb: number;
  maxOutputBytes?: number;
}

/** Why a run ended early; the cells after it did not run. */
export interface Stop {
  kind: "timeout" | "total timeout" | "crashed" | "memory" | "output-limit";
  /** Index in notebook.cells. */
  index: number;
  message: string;
}

export interface CellRun {
  status: CellStatus | "not run";
  seconds: number;
  error?: ExecutionResult["error"];
  /** Output beyond the limit was dropped. */
  flooded: boolean;
}

export interface NotebookRun {
  /** The notebook with this run's outputs. */
  notebook: Notebook;
  /** By index in notebook.cells; code cells only. */
  cells: Map<number, CellRun>;
  stop: Stop | null;
  /** Cells interrupted at the per-cell limit (the run went on). */
  timeouts: number[];
}

export interface ExecuteOptions {
  spec: KernelSpec;
  cwd: string;
  env: Record<string, string>;
  wrap?: StartOptions["wrap"];
  limits: Limits;
  onCell?: (position: number, total: number) => void;
}

/** Resident memory of every process in the kernel's process group, in MB (Linux). */
function groupRssMb(pgid: number): number {
  let kb = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name, which may hold spaces: state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const rss = fs.readFileSync(`/proc/${entry}/status`, "utf8").match(/^VmRSS:\s+(\d+)/m);
      if (rss) kb += Number(rss[1]);
    } catch {
      // The process ended while we looked.
    }
  }
  return kb / 1024;
}

/** A cell printing this many times the kept output is stopped: reading a gigabyte would only waste the time limit. */
const FLOOD_STOP_FACTOR = 4;

export async function executeNotebook(input: Notebook, options: ExecuteOptions): Promise<NotebookRun> {
  const notebook = structuredClone(input);
  const { limits } = options;
  const toRun = notebook.cells.flatMap((c, i) => (c.cell_type === "code" && c.source.trim() !== "" ? [i] : []));
  const cells = new Map<number, CellRun>(toRun.map((i) => [i, { status: "not run", seconds: 0, flooded: false }]));
  const timeouts: number[] = [];
  let stop: Stop | null = null;
  const deadline = Date.now() + limits.totalTimeoutSeconds * 1000;

  const kernel = await KernelClient.start({
    spec: options.spec,
    cwd: options.cwd,
    env: options.env,
    wrap: options.wrap,
  });
  let overMemory: number | null = null;
  const watchdog = setInterval(() => {
    if (kernel.pid === undefined || kernel.exited) return;
    const mb = groupRssMb(kernel.pid);
    if (mb > limits.memoryMb && overMemory === null) {
      overMemory = mb;
      void kernel.kill();
    }
  }, 250);
  try {
    for (const [n, index] of toRun.entries()) {
      const cell = notebook.cells[index];
      if (cell.cell_type !== "code") continue;
      options.onCell?.(n + 1, toRun.length);
      const left = deadline - Date.now();
      const total = left < limits.cellTimeoutSeconds * 1000;
      const keep = limits.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
      let printed = 0;
      let flooding = false;
      const run = await kernel.execute(cell.source, {
        timeoutMs: Math.max(1, Math.min(left, limits.cellTimeoutSeconds * 1000)),
        stopOnError: false,
        maxOutputBytes: keep,
        onMessage: (msg) => {
          printed += JSON.stringify(msg.content).length;
          if (printed > FLOOD_STOP_FACTOR * keep && !flooding) {
            flooding = true;
            void kernel.kill();
          }
        },
      });
      cell.outputs = run.outputs;
      cell.execution_count = run.executionCount;
      const flooded = run.outputs.some(
        (o) =>
          o.output_type === "stream" &&
          o.name === "stderr" &&
          (CLIENT_CAP_NOTE.test(o.text) || KERNEL_CAP_NOTE.test(o.text)),
      );
      cells.set(index, { status: run.status, seconds: run.seconds, error: run.error, flooded: flooded || flooding });
      if (run.error && run.status !== "error") cell.outputs.push({ output_type: "error", ...run.error });
      if (overMemory !== null) {
        const message = `the kernel used ${Math.round(overMemory)} MB, over the ${limits.memoryMb} MB limit, and was stopped`;
        stop = { kind: "memory", index, message };
        cells.set(index, {
          status: "died",
          seconds: run.seconds,
          flooded,
          error: { ename: "MemoryLimit", evalue: message, traceback: [] },
        });
      } else if (flooding) {
        const mb = Math.round((FLOOD_STOP_FACTOR * keep) / 1024 / 1024);
        stop = {
          kind: "output-limit",
          index,
          message: `a cell printed more than ${mb} MB, so the kernel was stopped; print a summary instead`,
        };
      } else if (run.status === "died") {
        const heap = /heap out of memory/i.test(run.error?.evalue ?? "");
        stop = heap
          ? { kind: "memory", index, message: `the kernel ran out of its ${limits.memoryMb} MB of memory` }
          : {
              kind: "crashed",
              index,
              message: `the kernel stopped (${run.error?.evalue.split("\n")[0] ?? "no reason given"}); process.exit() or a crash ends a notebook`,
            };
      } else if (run.status === "timeout" && total) {
        stop = {
          kind: "total timeout",
          index,
          message: `the notebook ran longer than its ${limits.totalTimeoutSeconds} s in all`,
        };
      } else if (run.status === "timeout") {
        timeouts.push(index);
        if (run.killed)
          stop = {
            kind: "timeout",
            index,
            message: `a cell ran longer than ${limits.cellTimeoutSeconds} s and ignored the interrupt`,
          };
      }
      if (stop) break;
    }
  } finally {
    clearInterval(watchdog);
    await kernel.kill();
  }
  return { notebook, cells, stop, timeouts };
}
