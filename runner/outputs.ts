/**
 * Collects a cell's IOPub messages into nbformat outputs, the way nbclient
 * does: streams of the same name merge, display updates replace their
 * display, clear_output clears (at once, or at the next output when asked to
 * wait). Output beyond a size limit is dropped and said so, so that a cell
 * printing a gigabyte cannot take the runner down with it.
 */
import type { Message } from "../jupyter/protocol";
import type { MimeBundle, Output } from "../jupyter/notebook";

/** Recognises the note `finish` writes when it dropped output. */
export const CLIENT_CAP_NOTE = /^\[dlkit: [\d.]+ MB of output dropped/m;

export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** The contents of IOPub's output messages (messaging protocol 5.3), read defensively: a kernel may leave fields out. */
interface StreamContent {
  name?: string;
  text?: string;
}

interface DisplayDataContent {
  data?: MimeBundle;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
}

interface ExecuteResultContent {
  execution_count?: number | null;
  data?: MimeBundle;
  metadata?: Record<string, unknown>;
}

interface ErrorContent {
  ename?: string;
  evalue?: string;
  traceback?: unknown[];
}

interface ClearOutputContent {
  wait?: boolean;
}

export class OutputCollector {
  readonly outputs: Output[] = [];
  /** Bytes of output dropped past the limit. */
  droppedBytes = 0;
  private bytes = 0;
  private clearOnNext = false;
  /** display_id → the outputs showing it, so that updates reach them. */
  private readonly displays = new Map<string, Output[]>();

  constructor(private readonly maxBytes = DEFAULT_MAX_OUTPUT_BYTES) {}

  /** Takes one IOPub message; returns false for messages that are not outputs. */
  add(msg: Message): boolean {
    switch (msg.header.msg_type) {
      case "stream": {
        const c = msg.content as StreamContent;
        this.stream(c.name === "stderr" ? "stderr" : "stdout", String(c.text ?? ""));
        return true;
      }
      case "display_data": {
        const c = msg.content as DisplayDataContent;
        this.push(
          { output_type: "display_data", data: c.data ?? {}, metadata: c.metadata ?? {} },
          c.transient?.display_id,
        );
        return true;
      }
      case "update_display_data": {
        const c = msg.content as DisplayDataContent;
        this.update(c.transient?.display_id, c.data ?? {}, c.metadata ?? {});
        return true;
      }
      case "execute_result": {
        const c = msg.content as ExecuteResultContent;
        this.push({
          output_type: "execute_result",
          execution_count: c.execution_count ?? null,
          data: c.data ?? {},
          metadata: c.metadata ?? {},
        });
        return true;
      }
      case "error": {
        const c = msg.content as ErrorContent;
        this.push({
          output_type: "error",
          ename: String(c.ename),
          evalue: String(c.evalue),
          traceback: (c.traceback ?? []).map(String),
        });
        return true;
      }
      case "clear_output":
        if ((msg.content as ClearOutputContent).wait) this.clearOnNext = true;
        else this.clear();
        return true;
      default:
        return false;
    }
  }

  private clear(): void {
    this.outputs.length = 0;
    this.clearOnNext = false;
  }

  /** Charges the output's size; false once over the limit. */
  private admit(size: number): boolean {
    if (this.bytes + size > this.maxBytes) {
      this.droppedBytes += size;
      return false;
    }
    this.bytes += size;
    return true;
  }

  private stream(name: "stdout" | "stderr", text: string): void {
    if (this.clearOnNext) this.clear();
    if (!this.admit(Buffer.byteLength(text))) return;
    const last = this.outputs[this.outputs.length - 1];
    if (last && last.output_type === "stream" && last.name === name) last.text += text;
    else this.outputs.push({ output_type: "stream", name, text });
  }

  private push(output: Output, displayId?: string): void {
    if (this.clearOnNext) this.clear();
    if (!this.admit(JSON.stringify(output).length)) return;
    this.outputs.push(output);
    if (displayId) this.displays.set(displayId, [...(this.displays.get(displayId) ?? []), output]);
  }

  private update(displayId: string | undefined, data: MimeBundle, metadata: Record<string, unknown>): void {
    for (const output of (displayId && this.displays.get(displayId)) || []) {
      if (output.output_type === "display_data" || output.output_type === "execute_result") {
        output.data = data;
        output.metadata = metadata;
      }
    }
  }

  /** The outputs, with a closing note (CLIENT_CAP_NOTE recognises it) when some were dropped. */
  finish(): Output[] {
    if (this.droppedBytes > 0) {
      const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
      this.outputs.push({
        output_type: "stream",
        name: "stderr",
        text: `[dlkit: ${mb(this.droppedBytes)} MB of output dropped: a cell may show at most ${mb(this.maxBytes)} MB. Print less, e.g. a summary.]\n`,
      });
    }
    return this.outputs;
  }
}
