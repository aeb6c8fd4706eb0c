/**
 * The kit's Jupyter kernel: tslab's TypeScript compiler and executor behind a
 * message loop that answers the way Jupyter clients expect. Where tslab alone
 * falls short, this file makes the difference:
 *
 * - failures are sent as `error` messages (ename, evalue, traceback with the
 *   TypeScript diagnostic and its cell line), not only as stderr text;
 * - `stop_on_error` is honoured: after an error the requests sent before it
 *   are aborted (not everything for 200 ms), and none when the client asked
 *   to go on;
 * - shorthand properties naming an earlier cell's variable work;
 * - what a cell declared before it threw stays declared, as in Python;
 * - a cell's last expression comes back as `execute_result`;
 * - `execute_input` carries the execution count;
 * - stdout and stderr are batched and capped per cell (cell-streams.ts), and
 *   every message goes through one send queue per socket (send-queue.ts);
 * - an error thrown outside any cell (a timer, an unawaited promise) is
 *   reported to the running or next cell instead of ending the process
 *   (stray-errors.ts);
 * - the kernel exits when the process that started it is gone (parent-watch.ts);
 * - history_request is answered from the session's cells (history.ts).
 *
 * Started by the kernel spec as `node kernel.js --config-path CONNECTION_FILE`.
 */
import * as fs from "fs";
import * as util from "util";
import { createConverter, Converter } from "tslab/dist/converter";
import { ConsoleInterface, ConverterSet, createExecutor, Executor } from "tslab/dist/executor";
import * as jupyter from "tslab/dist/jupyter";
import { expectedBackend } from "../lib/backend/candidates";
import { MIME_BUNDLE } from "../lib/display";
import { KERNEL_DISPLAY_NAME } from "../jupyter/kernelspec";
import { describeFailure, Diagnostic, ErrorContent, Failure } from "./failure";
import { Declarations } from "./declarations";
import { expandShorthandProperties } from "./shorthand";
import { CellStreams } from "./cell-streams";
import { drained, Sendable } from "./send-queue";
import { ServerMessage } from "./wire";
import { catchStrayErrors, StrayKind } from "./stray-errors";
import { watchParent } from "./parent-watch";
import { History, HistoryRequest } from "./history";
import { formatQuickInfo, inspectAt } from "./inspect";
import { CellScripts, cellTraceback } from "./traceback";

type Message = ServerMessage;
type DisplayData = Parameters<typeof jupyter.lastWriteDisplayData>[0];
type IsCompleteRequest = Parameters<jupyter.JupyterHandlerImpl["handleIsComplete"]>[0];
type CompleteRequest = Parameters<jupyter.JupyterHandlerImpl["handleComplete"]>[0];

interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  stop_on_error?: boolean;
}

/** What tslab's executor reported while running one cell. */
class CellReport implements ConsoleInterface {
  diagnostics: Diagnostic[] = [];
  exception: { value: unknown } | null = null;
  result: { value: unknown } | null = null;

  /** tslab logs a cell's last expression value here. */
  log(value?: unknown): void {
    this.result = { value };
  }

  /** tslab reports a diagnostic as ("%s%d:%d - %s", file, line, col, text), an exception as (error). */
  error(first?: unknown, ...rest: unknown[]): void {
    if (first === "%s%d:%d - %s" && rest.length === 4) {
      const [file, line, column, message] = rest as [string, number, number, string];
      this.diagnostics.push({ file: file.trim() || null, line, column, message });
    } else {
      this.exception = { value: first };
    }
  }

  failure(): Failure {
    if (this.diagnostics.length) return { kind: "compile", diagnostics: this.diagnostics };
    return { kind: "exception", value: this.exception ? this.exception.value : new Error("the cell failed") };
  }
}

/**
 * Runs cells one at a time. After a failure, requests the client sent before
 * it learnt of the failure are aborted, as Jupyter's stop_on_error means:
 * judged by the time the client stamped on each request, since a request
 * sent earlier may still be in transit when the failing cell ends.
 */
class CellQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private abortSentBefore = -Infinity;

  run<T>(sentAt: number, job: () => Promise<T>, aborted: () => T): Promise<T> {
    const next = this.tail.then(() => (sentAt < this.abortSentBefore ? aborted() : job()));
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Aborts every request sent before now. */
  abortSentUntilNow(): void {
    this.abortSentBefore = Date.now();
  }
}

/** A text/plain rendering as the Node.js REPL would show it; tensors print their values. */
function plainText(value: unknown): string {
  const tensorLike = value as { dataSync?: unknown; shape?: unknown; toString(): string } | null;
  if (tensorLike && typeof tensorLike.dataSync === "function" && Array.isArray(tensorLike.shape)) {
    return tensorLike.toString();
  }
  return util.inspect(value);
}

async function mimeBundle(value: unknown): Promise<Record<string, unknown>> {
  const rich = (value as { [MIME_BUNDLE]?: () => unknown } | null)?.[MIME_BUNDLE];
  if (typeof rich === "function") {
    return (await rich.call(value)) as Record<string, unknown>;
  }
  return { "text/plain": plainText(value) };
}

/** The cell running now, or the last one (output written after a cell ends still belongs to it, as in IPython). */
interface CellChannel {
  msg: Message;
  executionCount: number;
  streams: CellStreams;
  running: boolean;
}

class KitServer extends jupyter.ZmqServer {
  private count = 0;
  private readonly queue = new CellQueue();
  private report = new CellReport();
  private cell: CellChannel | null = null;
  /** Errors thrown outside any cell while none ran: shown in the next cell. */
  private strays: ErrorContent[] = [];
  private readonly history = new History();

  constructor(
    handler: jupyter.JupyterHandlerImpl,
    configPath: string,
    private readonly executor: Executor,
    private readonly declarations: Declarations,
    private readonly scripts: CellScripts,
  ) {
    super(handler, configPath);
  }

  /** Stack frames as the student's cells and lines, library frames folded. */
  private readonly frames = (stack: string) => cellTraceback(stack, this.scripts);

  /** The console the executor reports through: forwards to the running cell's report. */
  readonly console: ConsoleInterface = {
    log: (...args: unknown[]) => this.report.log(...args),
    error: (...args: unknown[]) => this.report.error(...args),
  };

  private get key(): string {
    return this.connInfo.key;
  }

  /** A message answering `parent`, signed and queued on `socket`. */
  private send(socket: Sendable, parent: Message, msgType: string, content: object): void {
    const message = parent.createReply();
    message.header.msg_type = msgType;
    message.content = content;
    message.signAndSend(this.key, socket);
  }

  /** An output of a cell; the cell's gathered stdout/stderr go first, so that order holds. */
  private publish(parent: Message, msgType: string, content: object): void {
    if (this.cell?.msg === parent) this.cell.streams.flush();
    this.send(this.iopub, parent, msgType, content);
  }

  /** Busy or idle around a request (tslab's publishStatus takes only its own message class); no cell streams to flush. */
  private status(state: "busy" | "idle", parent: Message): void {
    this.send(this.iopub, parent, "status", { execution_state: state });
  }

  private reply(sock: unknown, parent: Message, msgType: string, content: object): void {
    this.send(sock as Sendable, parent, msgType, content);
  }

  /** tslab's dispatch, with the kit's wire messages (queued sends) and the requests tslab does not answer. */
  async handleShellMessage(sock: unknown, ...frames: Buffer[]): Promise<void> {
    let msg: Message;
    try {
      msg = ServerMessage.fromFrames(this.key, frames);
    } catch {
      return; // Not a message for us (bad signature or framing): Jupyter's kernels ignore it too.
    }
    this.status("busy", msg);
    let shutdown = false;
    try {
      switch (msg.header.msg_type) {
        case "kernel_info_request":
          this.kernelInfo(sock, msg);
          break;
        case "execute_request":
          await this.executeRequest(sock, msg);
          break;
        case "is_complete_request":
          this.reply(sock, msg, "is_complete_reply", this.handler.handleIsComplete(msg.content as IsCompleteRequest));
          break;
        case "inspect_request":
          this.reply(sock, msg, "inspect_reply", this.inspect(msg.content as { code: string; cursor_pos: number }));
          break;
        case "complete_request":
          this.reply(sock, msg, "complete_reply", this.handler.handleComplete(msg.content as CompleteRequest));
          break;
        case "comm_info_request":
          this.reply(sock, msg, "comm_info_reply", { status: "ok", comms: {} });
          break;
        case "history_request":
          this.reply(sock, msg, "history_reply", this.history.answer(msg.content as HistoryRequest));
          break;
        case "shutdown_request":
          this.reply(sock, msg, "shutdown_reply", {
            status: "ok",
            restart: Boolean((msg.content as { restart?: unknown }).restart),
          });
          shutdown = true;
          break;
        default:
          // Unknown requests get no reply, as in tslab; the status still goes busy and idle.
          break;
      }
    } finally {
      this.status("idle", msg);
    }
    if (shutdown) await this.exit(0);
  }

  /** Closes the sockets once what is queued has been sent, and ends the process (a student's timer must not keep it alive). */
  async exit(code: number): Promise<never> {
    this.cell?.streams.finish();
    const sockets = [this.iopub, this.shell, this.control] as unknown as Sendable[];
    await Promise.race([Promise.all(sockets.map(drained)), new Promise((r) => setTimeout(r, 1000).unref())]);
    try {
      this.close();
    } catch {
      // Already closed.
    }
    process.exit(code);
  }

  /** Shift+Tab: the signature and the TSDoc of the name at the cursor. */
  private inspect(request: { code: string; cursor_pos: number }): object {
    const found = inspectAt(this.executor, request.code, request.cursor_pos);
    if (!found) return { status: "ok", found: false, data: {}, metadata: {} };
    return {
      status: "ok",
      found: true,
      data: { "text/plain": formatQuickInfo(found.info, found.signature) },
      metadata: {},
    };
  }

  private kernelInfo(sock: unknown, msg: Message): void {
    const info = this.handler.handleKernel();
    this.reply(sock, msg, "kernel_info_reply", {
      ...info,
      status: "ok",
      implementation: "dlkit-tslab",
      banner: `${KERNEL_DISPLAY_NAME}: tslab on Node.js ${process.version}; tfjs backend: ${expectedBackend()}`,
    });
  }

  private async executeRequest(sock: unknown, msg: Message): Promise<void> {
    const request = msg.content as ExecuteRequest;
    const stamped = Date.parse(msg.header.date);
    const content = await this.queue.run(
      Number.isNaN(stamped) ? Date.now() : stamped,
      () => this.execute(msg, request),
      () => ({ status: "aborted", execution_count: null }),
    );
    this.reply(sock, msg, "execute_reply", content);
  }

  /** An error thrown outside any cell: shown in the running cell, or kept for the next one. */
  reportStray(value: unknown, kind: StrayKind): void {
    const error = describeFailure({ kind: "exception", value }, "", this.frames);
    const how =
      kind === "rejection" ? "a promise nobody awaited was rejected" : "an error was thrown in a timer or callback";
    const cell = this.cell;
    if (cell?.running) {
      error.traceback = [
        `Outside this cell's own code, ${how} while it ran (the kernel keeps running):`,
        ...error.traceback,
      ];
      this.publish(cell.msg, "error", error);
    } else {
      const after = cell ? ` after cell [${cell.executionCount}] had finished` : "";
      error.traceback = [
        `Outside any cell, ${how}${after} (the kernel kept running, with its variables):`,
        ...error.traceback,
      ];
      this.strays.push(error);
    }
  }

  private async execute(msg: Message, request: ExecuteRequest): Promise<object> {
    const silent = request.silent === true;
    if (!silent && request.store_history !== false) {
      this.count++;
      this.history.record(this.count, request.code);
    }
    const executionCount = this.count;
    if (!silent) this.publish(msg, "execute_input", { code: request.code, execution_count: executionCount });

    // The previous cell's late output is sent, and its dropped count said, before this cell's.
    this.cell?.streams.finish();
    const streams = new CellStreams((name, text) => this.publish(msg, "stream", { name, text }));
    const cell: CellChannel = { msg, executionCount, streams, running: true };
    this.cell = cell;
    for (const stray of this.strays.splice(0)) this.publish(msg, "error", stray);

    const write =
      (name: "stdout" | "stderr") =>
      (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        streams.write(name, typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
        const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
        if (callback) process.nextTick(callback);
        return true;
      };
    process.stdout.write = write("stdout") as typeof process.stdout.write;
    process.stderr.write = write("stderr") as typeof process.stderr.write;
    Object.assign(jupyter, {
      lastWriteDisplayData: (data: DisplayData, update: boolean) =>
        this.publish(msg, update ? "update_display_data" : "display_data", data),
    });

    try {
      return await this.run(msg, request, executionCount);
    } finally {
      cell.running = false;
      streams.finish();
    }
  }

  private async run(msg: Message, request: ExecuteRequest, executionCount: number): Promise<object> {
    const silent = request.silent === true;
    const report = (this.report = new CellReport());
    const cell = expandShorthandProperties(request.code);
    this.scripts.expect(executionCount, request.code, cell.code, cell.originalColumn);
    const ok = await this.executor.execute(cell.code);
    this.declarations.settle(report.diagnostics.length === 0);
    if (ok) {
      if (report.result && !silent) {
        const data = await mimeBundle(report.result.value);
        this.publish(msg, "execute_result", { execution_count: executionCount, data, metadata: {} });
        if (typeof data["text/plain"] === "string") this.history.recordOutput(executionCount, data["text/plain"]);
      }
      return { status: "ok", execution_count: executionCount, user_expressions: {}, payload: [] };
    }

    for (const d of report.diagnostics) if (!d.file) d.column = cell.originalColumn(d.line, d.column);
    const error = describeFailure(report.failure(), request.code, this.frames);
    this.publish(msg, "error", error);
    if (request.stop_on_error !== false) this.queue.abortSentUntilNow();
    return { status: "error", execution_count: executionCount, ...error };
  }
}

function lazyConverters(declarations: Declarations, scripts: CellScripts): ConverterSet {
  let node: Converter | null = null;
  let browser: Converter | null = null;
  return {
    get node() {
      return (node ??= scripts.wrap(declarations.wrap(createConverter({ isJS: false, isBrowser: false }))));
    },
    get browser() {
      return (browser ??= createConverter({ isJS: false, isBrowser: true }));
    },
    close() {
      node?.close();
      browser?.close();
    },
  };
}

function connectionFile(argv: string[]): string {
  const flag = argv.indexOf("--config-path");
  const path = flag >= 0 ? argv[flag + 1] : argv[0];
  if (!path) {
    console.error("usage: kernel.js --config-path CONNECTION_FILE (Jupyter passes it; see kernel.json)");
    process.exit(2);
  }
  return path;
}

function main(): void {
  const configPath = connectionFile(process.argv.slice(2));
  const declarations = new Declarations();
  const scripts = new CellScripts();
  const converters = lazyConverters(declarations, scripts);
  // The student's frames sit under tfjs's; V8's default of 10 frames cut them off.
  Error.stackTraceLimit = 100;
  // Compiling the first cell is the slow part of start-up; warm it now.
  void converters.node;
  let server: KitServer | null = null;
  const executor = createExecutor(process.cwd(), converters, {
    log: (...args: unknown[]) => server?.console.log(...args),
    error: (...args: unknown[]) => server?.console.error(...args),
  });
  server = new KitServer(new jupyter.JupyterHandlerImpl(executor, false), configPath, executor, declarations, scripts);
  const kit = server;
  process.on("SIGINT", () => executor.interrupt());
  catchStrayErrors((error, kind) => kit.reportStray(error, kind));
  watchParent((reason) => {
    fs.writeSync(2, `dlkit kernel: exiting, ${reason}.\n`);
    void kit.exit(0);
  });
  void server.init();
}

if (require.main === module) main();
