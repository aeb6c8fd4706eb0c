/**
 * A Jupyter kernel client: starts a kernel from its spec, speaks the
 * messaging protocol to it over ZeroMQ, executes code with a time limit
 * (interrupt first, then kill) and shuts it down. Headless, like nbclient.
 */
import { ChildProcess, spawn } from "child_process";
import { randomBytes, randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zmq from "zeromq";
import type { KernelSpec } from "../jupyter/kernelspec";
import type { LanguageInfo, Output } from "../jupyter/notebook";
import { DEFAULT_MAX_OUTPUT_BYTES, OutputCollector } from "./outputs";
import { Message, Session } from "../jupyter/protocol";

export interface StartOptions {
  spec: KernelSpec;
  /** The kernel's working folder (relative imports in cells resolve from it). */
  cwd: string;
  /** Added to the spec's environment. */
  env?: Record<string, string>;
  /**
   * Wraps the kernel's command line, e.g. in a sandbox. Gets the command and
   * the folder holding the connection file and sockets, which the wrapped
   * kernel must be able to reach.
   */
  wrap?: (argv: string[], runtimeDir: string) => string[];
  /** How long the kernel may take to answer its first request. Default 60 s. */
  startTimeoutMs?: number;
}

export type CellStatus = "ok" | "error" | "aborted" | "timeout" | "died";

export interface ExecutionResult {
  status: CellStatus;
  executionCount: number | null;
  outputs: Output[];
  /** Set when status is "error" (from the kernel's reply) or "timeout". */
  error?: { ename: string; evalue: string; traceback: string[] };
  seconds: number;
  /** True when the kernel had to be killed (the cell ignored the interrupt, or the kernel died). */
  killed: boolean;
}

export interface ExecuteOptions {
  /** Interrupt the cell after this long, kill the kernel if it does not stop. Default: no limit. */
  timeoutMs?: number;
  /** How long an interrupted cell gets to stop before the kernel is killed. Default 5 s. */
  interruptGraceMs?: number;
  /** Default true, as in Jupyter. */
  stopOnError?: boolean;
  maxOutputBytes?: number;
  /** Called with each output message as it arrives (for live progress). */
  onMessage?: (msg: Message) => void;
}

/** kernel_info_reply's content (messaging protocol 5.3); empty until the kernel has answered. */
export interface KernelInfoReply {
  status?: "ok" | "error";
  protocol_version?: string;
  implementation?: string;
  implementation_version?: string;
  language_info?: LanguageInfo;
  banner?: string;
  help_links?: { text: string; url: string }[];
}

/**
 * The contents of the replies and IOPub messages `execute` reads, each field
 * optional: what a kernel leaves out must not break the run.
 */
interface ExecuteReply {
  status?: "ok" | "error" | "aborted";
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: unknown[];
}

interface StatusContent {
  execution_state?: "busy" | "idle" | "starting";
}

interface ExecuteInputContent {
  code?: string;
  execution_count?: number | null;
}

interface Waiter {
  onReply(msg: Message): void;
  onIopub(msg: Message): void;
}

const STDERR_TAIL_BYTES = 8 * 1024;

export class KernelClient {
  private readonly waiters = new Map<string, Waiter>();
  private exitListeners: Array<() => void> = [];
  private stderrTail = "";
  exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  kernelInfo: KernelInfoReply = {};

  private constructor(
    private readonly process: ChildProcess,
    private readonly session: Session,
    private readonly shell: zmq.Dealer,
    private readonly control: zmq.Dealer,
    private readonly iopub: zmq.Subscriber,
    private readonly runtimeDir: string,
  ) {
    process.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
    });
    process.stdout?.on("data", () => undefined);
    process.on("exit", (code, signal) => {
      this.exited = { code, signal };
      for (const listener of this.exitListeners) listener();
    });
    void this.listen(shell, (msg) => this.waiters.get(String(msg.parent_header.msg_id))?.onReply(msg));
    void this.listen(control, (msg) => this.waiters.get(String(msg.parent_header.msg_id))?.onReply(msg));
    void this.listen(iopub, (msg) => this.waiters.get(String(msg.parent_header.msg_id))?.onIopub(msg));
  }

  /** Starts a kernel and waits until it answers on both shell and IOPub. */
  static async start(options: StartOptions): Promise<KernelClient> {
    const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-kernel-"));
    const key = randomBytes(32).toString("hex");
    // IPC sockets in a private folder: no ports to race for, and they still
    // work for a kernel whose network is cut off by a sandbox.
    const connection = {
      transport: "ipc",
      ip: path.join(runtimeDir, "k"),
      shell_port: 1,
      iopub_port: 2,
      stdin_port: 3,
      control_port: 4,
      hb_port: 5,
      key,
      signature_scheme: "hmac-sha256",
      kernel_name: "",
    };
    const connectionFile = path.join(runtimeDir, "connection.json");
    fs.writeFileSync(connectionFile, JSON.stringify(connection), { mode: 0o600 });
    const address = (port: number) => `ipc://${connection.ip}:${port}`;

    const argv = options.spec.argv.map((a) => a.replace("{connection_file}", connectionFile));
    const command = options.wrap ? options.wrap(argv, runtimeDir) : argv;
    const child = spawn(command[0], command.slice(1), {
      cwd: options.cwd,
      env: { ...process.env, ...options.spec.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so that interrupt and kill reach everything it started.
      detached: true,
    });
    const failedToSpawn = new Promise<Error>((resolve) => child.on("error", resolve));

    const session = new Session(key);
    const shell = new zmq.Dealer({ routingId: randomUUID(), linger: 0 });
    const control = new zmq.Dealer({ routingId: randomUUID(), linger: 0 });
    const iopub = new zmq.Subscriber({ linger: 0 });
    iopub.subscribe();
    shell.connect(address(connection.shell_port));
    control.connect(address(connection.control_port));
    iopub.connect(address(connection.iopub_port));

    const client = new KernelClient(child, session, shell, control, iopub, runtimeDir);
    const spawnError = await Promise.race([failedToSpawn, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
    if (spawnError) {
      await client.close();
      throw new Error(`could not start the kernel (${command[0]}): ${spawnError.message}`);
    }
    try {
      await client.waitUntilReady(options.startTimeoutMs ?? 60_000);
    } catch (err) {
      await client.shutdown();
      throw err;
    }
    return client;
  }

  private async listen(socket: zmq.Dealer | zmq.Subscriber, deliver: (msg: Message) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        try {
          deliver(this.session.parse(frames as Buffer[]));
        } catch {
          // A message we cannot read is not ours to act on.
        }
      }
    } catch {
      // The socket was closed.
    }
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** What the kernel wrote to its own stderr lately (start-up failures show here). */
  get stderr(): string {
    return this.stderrTail;
  }

  private describeExit(): string {
    const how = this.exited?.signal ? `was killed by ${this.exited.signal}` : `exited with code ${this.exited?.code}`;
    const tail = this.stderrTail.trim();
    // The first line is the same however much stderr arrived before the exit:
    // gradebooks show that line, and a re-run must give the same row.
    return tail ? `the kernel ${how}\nits last words:\n${tail}` : `the kernel ${how}`;
  }

  private onExit(listener: () => void): () => void {
    this.exitListeners.push(listener);
    return () => (this.exitListeners = this.exitListeners.filter((l) => l !== listener));
  }

  private async send(socket: zmq.Dealer, msgType: string, content: object, waiter: Waiter): Promise<string> {
    const { msgId, frames } = this.session.request(msgType, content);
    this.waiters.set(msgId, waiter);
    await socket.send(frames);
    return msgId;
  }

  /**
   * Sends kernel_info requests until one is answered on shell and its status
   * reaches us on IOPub: a subscriber that joined late would miss a cell's outputs.
   */
  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`the kernel stopped before it was ready: ${this.describeExit()}`);
      let replied = false;
      let heard = false;
      const done = new Promise<void>((resolve) => {
        void this.send(
          this.shell,
          "kernel_info_request",
          {},
          {
            onReply: (msg) => {
              this.kernelInfo = msg.content as KernelInfoReply;
              replied = true;
              if (heard) resolve();
            },
            onIopub: () => {
              heard = true;
              if (replied) resolve();
            },
          },
        );
      });
      await Promise.race([done, new Promise((r) => setTimeout(r, 500))]);
      if (replied && heard) return;
    }
    throw new Error(
      `the kernel did not answer within ${Math.round(timeoutMs / 1000)} s of starting` +
        (this.stderrTail.trim() ? `; it said:\n${this.stderrTail.trim()}` : "."),
    );
  }

  /** Executes code and collects its outputs; never throws for what the code does. */
  async execute(code: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    const started = Date.now();
    const collector = new OutputCollector(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
    if (this.exited) {
      return {
        status: "died",
        executionCount: null,
        outputs: [],
        seconds: 0,
        killed: true,
        error: { ename: "KernelDied", evalue: this.describeExit(), traceback: [] },
      };
    }
    let reply: Message | null = null;
    let idle = false;
    let executionCount: number | null = null;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const check = () => reply && idle && finish();

    const msgId = await this.send(
      this.shell,
      "execute_request",
      {
        code,
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: options.stopOnError ?? true,
      },
      {
        onReply: (msg) => {
          reply = msg;
          check();
        },
        onIopub: (msg) => {
          if (msg.header.msg_type === "status") {
            idle = (msg.content as StatusContent).execution_state === "idle";
            check();
          } else if (msg.header.msg_type === "execute_input") {
            executionCount = (msg.content as ExecuteInputContent).execution_count ?? executionCount;
          } else if (collector.add(msg)) {
            options.onMessage?.(msg);
          }
        },
      },
    );

    const died = new Promise<"died">((resolve) => {
      const off = this.onExit(() => resolve("died"));
      void finished.then(off);
    });
    const timeoutMs = options.timeoutMs;
    const timer = timeoutMs
      ? new Promise<"timeout">((r) => setTimeout(() => r("timeout"), timeoutMs).unref())
      : new Promise<never>(() => undefined);
    const outcome = await Promise.race([finished.then(() => "done" as const), died, timer]);

    let killed = false;
    if (outcome === "timeout") {
      this.interrupt();
      const grace = new Promise<"grace">((r) => setTimeout(() => r("grace"), options.interruptGraceMs ?? 5000).unref());
      if ((await Promise.race([finished.then(() => "done" as const), died, grace])) !== "done") {
        await this.kill();
        killed = true;
      }
    }
    this.waiters.delete(msgId);
    const seconds = (Date.now() - started) / 1000;
    const outputs = collector.finish();

    if (outcome === "timeout") {
      const limit = `${Math.round(timeoutMs! / 1000)} s`;
      const evalue = killed
        ? `the cell ran longer than ${limit} and ignored the interrupt, so the kernel was stopped`
        : `the cell ran longer than ${limit} and was interrupted`;
      return {
        status: "timeout",
        executionCount,
        outputs,
        seconds,
        killed,
        error: {
          ename: "Timeout",
          evalue,
          traceback: [`Timeout: ${evalue}. Look for a loop that never ends, or make the work smaller.`],
        },
      };
    }
    if (outcome === "died" || !reply) {
      return {
        status: "died",
        executionCount,
        outputs,
        seconds,
        killed: true,
        error: { ename: "KernelDied", evalue: this.describeExit(), traceback: [] },
      };
    }
    const content = (reply as Message).content as ExecuteReply;
    executionCount = content.execution_count ?? executionCount;
    if (content.status === "ok") return { status: "ok", executionCount, outputs, seconds, killed };
    if (content.status === "error") {
      const error = {
        ename: String(content.ename ?? "Error"),
        evalue: String(content.evalue ?? ""),
        traceback: (content.traceback ?? []).map(String),
      };
      return { status: "error", executionCount, outputs, seconds, killed, error };
    }
    return { status: "aborted", executionCount, outputs, seconds, killed };
  }

  /** Interrupts the running cell (the kernel spec's interrupt mode is "signal"). */
  interrupt(): void {
    this.signal("SIGINT");
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.exited || this.process.pid === undefined) return;
    try {
      process.kill(-this.process.pid, sig);
    } catch {
      // Already gone.
    }
  }

  /** Kills the kernel and everything it started, and waits for it to go. */
  async kill(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise<void>((resolve) => this.onExit(resolve));
      this.signal("SIGKILL");
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    }
    await this.close();
  }

  /** Asks the kernel to shut down; kills it if it has not gone within a few seconds. */
  async shutdown(graceMs = 3000): Promise<void> {
    if (!this.exited) {
      const gone = new Promise<void>((resolve) => this.onExit(resolve));
      await this.send(
        this.control,
        "shutdown_request",
        { restart: false },
        { onReply: () => undefined, onIopub: () => undefined },
      );
      await Promise.race([gone, new Promise((r) => setTimeout(r, graceMs))]);
    }
    await this.kill();
  }

  private async close(): Promise<void> {
    for (const socket of [this.shell, this.control, this.iopub]) {
      if (!socket.closed) socket.close();
    }
    fs.rmSync(this.runtimeDir, { recursive: true, force: true });
  }
}
