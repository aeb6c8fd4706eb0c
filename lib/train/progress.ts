import { display, inNotebook, Shown } from "../display";
import { EpochLog } from "./history";

/**
 * How `train.ProgressBar` shows progress: "notebook" (one output updated in
 * place), "tty" (one redrawn terminal line), "lines" (a line per epoch, for
 * logs), "none", or "auto" (picks one of the first three).
 */
export type ProgressMode = "auto" | "notebook" | "tty" | "lines" | "none";

/** Options of `train.ProgressBar`. */
export interface ProgressOptions {
  /** Default "auto": notebook in a notebook, tty when stdout is a terminal, else lines. */
  mode?: ProgressMode;
  /** Where tty and lines modes write. Default process.stdout. */
  stream?: { write(text: string): unknown; isTTY?: boolean };
}

/** Fewer redraws than batches: output faster than the eye is wasted work. */
const REDRAW_MS = { notebook: 250, tty: 100 };
const BAR_WIDTH = 20;

/**
 * The training progress bar: epoch, batch i/n, running loss and metrics,
 * elapsed time and time left. In a notebook it is one output updated in
 * place (text and HTML); in a terminal one line redrawn with \r; in a log
 * file or CI (stdout not a TTY) one line per epoch.
 *
 *   epoch 3/10 ███████░░░░░░░░░░░░░ 12/40  loss 0.4321  accuracy 0.9120  0:05 elapsed, 0:12 left
 */
export class ProgressBar {
  readonly mode: Exclude<ProgressMode, "auto">;
  private readonly stream: { write(text: string): unknown; isTTY?: boolean };
  private readonly start = Date.now();
  private lastDraw = 0;
  private shown: Shown | null = null;
  private readonly done: string[] = [];

  constructor(
    private readonly epochs: number,
    private readonly batches: number,
    options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stdout;
    const mode = options.mode ?? "auto";
    this.mode = mode !== "auto" ? mode : inNotebook() ? "notebook" : this.stream.isTTY ? "tty" : "lines";
  }

  /** After batch `batch` (1-based) of `epoch` (1-based), with the running means so far. */
  batch(epoch: number, batch: number, values: Record<string, number>): void {
    if (this.mode !== "notebook" && this.mode !== "tty") return;
    const now = Date.now();
    if (batch < this.batches && now - this.lastDraw < REDRAW_MS[this.mode]) return;
    this.lastDraw = now;
    const line = this.line(epoch, batch, values);
    if (this.mode === "tty") this.stream.write(`\r${line}\x1b[K`);
    else this.show(line, ((epoch - 1) * this.batches + batch) / (this.epochs * this.batches));
  }

  /** Writes the epoch's final line. */
  epochEnd(log: EpochLog): void {
    const line = `${this.line(log.epoch, this.batches, log.values)}  (${log.seconds.toFixed(1)} s)`;
    if (this.mode === "none") return;
    if (this.mode === "notebook") {
      this.done.push(line);
      this.show(null, log.epoch / this.epochs);
    } else {
      this.stream.write(this.mode === "tty" ? `\r${line}\x1b[K\n` : `${line}\n`);
    }
  }

  /** A last line, e.g. that early stopping ended the run. */
  note(text: string): void {
    if (this.mode === "none") return;
    if (this.mode === "notebook") {
      this.done.push(text);
      this.show(null, 1);
    } else this.stream.write(`${text}\n`);
  }

  private line(epoch: number, batch: number, values: Record<string, number>): string {
    const filled = Math.round((BAR_WIDTH * batch) / this.batches);
    const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
    const shown = Object.entries(values)
      .map(([k, v]) => `  ${k} ${v.toFixed(4)}`)
      .join("");
    const elapsed = (Date.now() - this.start) / 1000;
    const fraction = ((epoch - 1) * this.batches + batch) / (this.epochs * this.batches);
    const left = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : 0;
    const width = String(this.batches).length;
    return `epoch ${String(epoch).padStart(String(this.epochs).length)}/${this.epochs} ${bar} ${String(batch).padStart(width)}/${this.batches}${shown}  ${clock(elapsed)} elapsed, ${clock(left)} left`;
  }

  /** Finished epochs, then the live line, as one in-place notebook output. */
  private show(live: string | null, fraction: number): void {
    const lines = live === null ? this.done : [...this.done, live];
    const html =
      `<div><progress value="${fraction.toFixed(4)}" max="1" style="width:24em"></progress>` +
      `<pre style="margin:0">${lines.map(escapeHtml).join("\n")}</pre></div>`;
    const bundle = { "text/plain": lines.join("\n"), "text/html": html };
    if (this.shown) this.shown.update(bundle);
    else this.shown = display(bundle);
  }
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
