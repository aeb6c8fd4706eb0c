/**
 * Talks to a bench worker (the kit's or PyTorch's): one JSON request line
 * in, one RESULT_MARK line out. Other output (warnings) is passed through
 * to stderr so it is seen but not parsed.
 */
import { ChildProcess, spawn } from "child_process";
import * as readline from "readline";

const RESULT_MARK = "BENCH_RESULT ";

export type WorkerAnswer = Record<string, unknown> & { error?: string };

export class WorkerClient {
  private readonly child: ChildProcess;
  private readonly waiting: Array<(answer: WorkerAnswer) => void> = [];
  private exited: string | null = null;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    cwd: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.child = spawn(command, args, { cwd, env, stdio: ["pipe", "pipe", "inherit"] });
    readline.createInterface({ input: this.child.stdout! }).on("line", (line) => {
      if (!line.startsWith(RESULT_MARK)) return void process.stderr.write(`[${name}] ${line}\n`);
      this.waiting.shift()?.(JSON.parse(line.slice(RESULT_MARK.length)) as WorkerAnswer);
    });
    this.child.on("exit", (code, signal) => {
      this.exited = `${name} worker exited (${signal ?? `code ${code}`})`;
      for (const resolve of this.waiting.splice(0)) resolve({ error: this.exited });
    });
  }

  request(body: object): Promise<WorkerAnswer> {
    if (this.exited) return Promise.resolve({ error: this.exited });
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin!.write(JSON.stringify(body) + "\n");
    });
  }

  close(): void {
    this.child.stdin!.end();
  }
}
