/**
 * The kit's Jupyter kernel: tslab's TypeScript compiler and executor behind a
 * message loop that answers the way Jupyter clients expect. Where tslab alone
 * falls short (see DESIGN.md, "Kernel facts") this file makes the difference:
 *
 * - failures are sent as `error` messages (ename, evalue, traceback with the
 *   TypeScript diagnostic and its cell line), not only as stderr text;
 * - `stop_on_error` is honoured: after an error the requests sent before it
 *   are aborted (not everything for 200 ms), and none when the client asked
 *   to go on;
 * - shorthand properties naming an earlier cell's variable work;
 * - what a cell declared before it threw stays declared, as in Python;
 * - a cell's last expression comes back as `execute_result`;
 * - `execute_input` carries the execution count.
 *
 * Started by the kernel spec as `node kernel.js --config-path CONNECTION_FILE`.
 */
import * as util from "util";
import { createConverter, Converter } from "tslab/dist/converter";
import { ConsoleInterface, ConverterSet, createExecutor, Executor } from "tslab/dist/executor";
import * as jupyter from "tslab/dist/jupyter";
import { expectedBackend } from "../lib/backend/candidates";
import { MIME_BUNDLE } from "../lib/display";
import { KERNEL_DISPLAY_NAME } from "./kernelspec";
import { describeFailure, Diagnostic, Failure } from "./failure";
import { Declarations } from "./declarations";
import { expandShorthandProperties } from "./shorthand";

type Message = Parameters<jupyter.ZmqServer["handleExecute"]>[1];
type DisplayData = Parameters<typeof jupyter.lastWriteDisplayData>[0];

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

class KitServer extends jupyter.ZmqServer {
  private count = 0;
  private readonly queue = new CellQueue();
  private report = new CellReport();

  constructor(
    handler: jupyter.JupyterHandlerImpl,
    configPath: string,
    private readonly executor: Executor,
    private readonly declarations: Declarations,
  ) {
    super(handler, configPath);
  }

  /** The console the executor reports through: forwards to the running cell's report. */
  readonly console: ConsoleInterface = {
    log: (...args: unknown[]) => this.report.log(...args),
    error: (...args: unknown[]) => this.report.error(...args),
  };

  private publish(parent: Message, msgType: string, content: object): void {
    const message = parent.createReply();
    message.header.msg_type = msgType;
    message.content = content;
    message.signAndSend(this.connInfo.key, this.iopub);
  }

  private reply(sock: unknown, parent: Message, msgType: string, content: object): void {
    const message = parent.createReply();
    message.header.msg_type = msgType;
    message.content = content;
    message.signAndSend(this.connInfo.key, sock);
  }

  handleKernelInfo(sock: unknown, msg: Message): void {
    const info = this.handler.handleKernel();
    this.reply(sock, msg, "kernel_info_reply", {
      ...info,
      status: "ok",
      implementation: "dlkit-tslab",
      banner: `${KERNEL_DISPLAY_NAME}: tslab on Node.js ${process.version}; tfjs backend: ${expectedBackend()}`,
    });
  }

  handleCommInfoRequest(sock: unknown, msg: Message): void {
    this.reply(sock, msg, "comm_info_reply", { status: "ok", comms: {} });
  }

  async handleExecute(sock: unknown, msg: Message): Promise<void> {
    const request = msg.content as ExecuteRequest;
    const stamped = Date.parse(msg.header.date);
    const content = await this.queue.run(
      Number.isNaN(stamped) ? Date.now() : stamped,
      () => this.execute(msg, request),
      () => ({ status: "aborted", execution_count: null }),
    );
    this.reply(sock, msg, "execute_reply", content);
  }

  private async execute(msg: Message, request: ExecuteRequest): Promise<object> {
    const silent = request.silent === true;
    if (!silent && request.store_history !== false) this.count++;
    const executionCount = this.count;
    if (!silent) this.publish(msg, "execute_input", { code: request.code, execution_count: executionCount });

    const stream = (name: "stdout" | "stderr") => (chunk: string | Uint8Array): boolean => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      this.publish(msg, "stream", { name, text });
      return true;
    };
    // Output written after the cell ends (timers, promises) still belongs to it, as in IPython.
    process.stdout.write = stream("stdout") as typeof process.stdout.write;
    process.stderr.write = stream("stderr") as typeof process.stderr.write;
    Object.assign(jupyter, {
      lastWriteDisplayData: (data: DisplayData, update: boolean) =>
        this.publish(msg, update ? "update_display_data" : "display_data", data),
    });

    const report = (this.report = new CellReport());
    const cell = expandShorthandProperties(request.code);
    const ok = await this.executor.execute(cell.code);
    this.declarations.settle(report.diagnostics.length === 0);
    if (ok) {
      if (report.result && !silent) {
        const data = await mimeBundle(report.result.value);
        this.publish(msg, "execute_result", { execution_count: executionCount, data, metadata: {} });
      }
      return { status: "ok", execution_count: executionCount, user_expressions: {}, payload: [] };
    }

    for (const d of report.diagnostics) if (!d.file) d.column = cell.originalColumn(d.line, d.column);
    const error = describeFailure(report.failure(), request.code);
    this.publish(msg, "error", error);
    if (request.stop_on_error !== false) this.queue.abortSentUntilNow();
    return { status: "error", execution_count: executionCount, ...error };
  }
}

function lazyConverters(declarations: Declarations): ConverterSet {
  let node: Converter | null = null;
  let browser: Converter | null = null;
  return {
    get node() {
      return (node ??= declarations.wrap(createConverter({ isJS: false, isBrowser: false })));
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
  const converters = lazyConverters(declarations);
  // Compiling the first cell is the slow part of start-up; warm it now.
  void converters.node;
  let server: KitServer | null = null;
  const executor = createExecutor(process.cwd(), converters, {
    log: (...args: unknown[]) => server?.console.log(...args),
    error: (...args: unknown[]) => server?.console.error(...args),
  });
  server = new KitServer(new jupyter.JupyterHandlerImpl(executor, false), configPath, executor, declarations);
  process.on("SIGINT", () => executor.interrupt());
  // A failure outside any cell (a timer, a stray promise) is reported to whichever cell runs now.
  process.on("uncaughtException", (err) => console.error("Uncaught exception:", err));
  process.on("unhandledRejection", (reason) => console.error("Unhandled promise rejection:", reason));
  void server.init();
}

if (require.main === module) main();
