/**
 * A cell's stdout and stderr, batched and capped. One message per write
 * made `for (...) console.log(...)` send millions of messages and stall the
 * kernel; like IPython, writes are gathered and sent about every 0.2 s
 * (order between stdout and stderr kept). Past a per-cell cap the text is
 * dropped and counted, and one line at the end says how much and how to
 * raise the cap, so that a flood ends in seconds and the next cell runs.
 */
export type StreamName = "stdout" | "stderr";

/** The cap when DLKIT_MAX_CELL_OUTPUT_MB is not set. */
const DEFAULT_CELL_OUTPUT_BYTES = 5 * 1024 * 1024;
const CELL_OUTPUT_ENV = "DLKIT_MAX_CELL_OUTPUT_MB";
const FLUSH_EVERY_MS = 200;

/** The cap for the next cell: read at each cell's start, so a cell may raise it with `process.env.DLKIT_MAX_CELL_OUTPUT_MB = "50"`. */
function cellOutputCap(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env[CELL_OUTPUT_ENV]);
  return Number.isFinite(mb) && mb > 0 ? Math.round(mb * 1024 * 1024) : DEFAULT_CELL_OUTPUT_BYTES;
}

/**
 * tfjs's cpu backend greets every Node.js user with this (tfjs-node cannot
 * install on many students' machines); the kit's `useBestBackend()` says
 * which backend runs, once, better.
 */
const TFJS_NODE_BANNER = /\n?=+\nHi, looks like you are running TensorFlow\.js in Node\.js\.[^\n]*\n=+\n?/;

/** Recognises the line `finish` writes, in a cell's stderr: the grader reads it as "output dropped". */
export const KERNEL_CAP_NOTE = /^\[output capped at [\d.]+ \w+ for this cell/m;

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

export class CellStreams {
  private pending: Array<{ name: StreamName; text: string }> = [];
  private timer: NodeJS.Timeout | null = null;
  private bytes = 0;
  private dropped = 0;
  private droppedReported = 0;

  constructor(
    private readonly send: (name: StreamName, text: string) => void,
    private readonly capBytes = cellOutputCap(),
  ) {}

  write(name: StreamName, text: string): void {
    if (text.includes("TensorFlow.js in Node.js")) text = text.replace(TFJS_NODE_BANNER, "");
    if (!text) return;
    const room = this.capBytes - this.bytes;
    const size = Buffer.byteLength(text);
    if (size > room) {
      this.dropped += size - Math.max(room, 0);
      if (room <= 0) return;
      text = Buffer.from(text)
        .subarray(0, room)
        .toString("utf8")
        .replace(/\uFFFD$/, "");
    }
    this.bytes += Math.min(size, Math.max(room, 0));
    const last = this.pending[this.pending.length - 1];
    if (last && last.name === name) last.text += text;
    else this.pending.push({ name, text });
    this.timer ??= setTimeout(() => this.flush(), FLUSH_EVERY_MS).unref();
  }

  /** Sends what is gathered now (before any other output of the cell, so that order holds). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pending = this.pending;
    this.pending = [];
    for (const { name, text } of pending) this.send(name, text);
  }

  /** Flushes, and says how much was dropped since it last said so. */
  finish(): void {
    this.flush();
    if (this.dropped > this.droppedReported) {
      this.droppedReported = this.dropped;
      this.send(
        "stderr",
        `\n[output capped at ${megabytes(this.capBytes)} for this cell: ${megabytes(this.dropped)} more were dropped. ` +
          `To see more, print less (every 100th step), or raise the cap: process.env.${CELL_OUTPUT_ENV} = "50" in a cell before this one.]\n`,
      );
    }
  }
}
