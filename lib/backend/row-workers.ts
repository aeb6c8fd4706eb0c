/**
 * Worker threads for the kit's largest products, which split C by rows.
 *
 * XNNPACK's thread pool takes only XNNPACK's work, so a kernel of the kit's
 * needs threads of its own: Node worker_threads, each with an instance of
 * the kernel's module on the threaded backend's memory (shared), woken
 * through `Atomics` on a small shared buffer of its own. A call hands each
 * worker a range of rows, runs the first range itself, then sleeps until
 * every worker has answered: 25–65 µs a round trip here
 * (bench/handoff.ts), so only products of milliseconds are split (see
 * wasm-matmul.ts). Waiting workers sleep and do not keep Node from exiting.
 *
 * Only for products too large for the kernels that stay on one thread:
 * in training, XNNPACK's threads spin between products and a worker of the
 * kit's would compete with them for the cores (README, "The kit's own
 * kernels stay on one thread, but for large products").
 */
import { Worker } from "worker_threads";
import { compiledSimdModule, sharedMemory } from "./simd";

/** The control words of one worker: started, job number, answered job number, failure flag, then the job's arguments. */
const STARTED = 0;
const JOB = 1;
const ANSWERED = 2;
const FAILED = 3;
const ARGUMENTS = 4;
/** How long a new worker may take to start before its rows run here instead (a loaded machine starts threads slowly). */
const START_MILLISECONDS = 10_000;

/**
 * The worker: says it started (or could not load the kernel), waits for a
 * job number, calls the export with the arguments, answers with the job
 * number. A trap (a bad offset) is reported through the failure flag rather
 * than leaving the caller waiting.
 */
const WORKER_SCRIPT = `
const { workerData } = require("worker_threads");
const { module, memory, name, control, count } = workerData;
const words = new Int32Array(control);
let kernel;
try {
  kernel = new WebAssembly.Instance(module, { env: { memory } }).exports[name];
} catch {}
const loaded = typeof kernel === "function";
Atomics.store(words, ${STARTED}, loaded ? 1 : -1);
Atomics.notify(words, ${STARTED});
for (let seen = 0; loaded; ) {
  Atomics.wait(words, ${JOB}, seen);
  seen = Atomics.load(words, ${JOB});
  try {
    kernel(...words.subarray(${ARGUMENTS}, ${ARGUMENTS} + count));
    Atomics.store(words, ${FAILED}, 0);
  } catch (error) {
    Atomics.store(words, ${FAILED}, 1);
  }
  Atomics.store(words, ${ANSWERED}, seen);
  Atomics.notify(words, ${ANSWERED});
}
`;

/** The workers of one kernel export on one memory; made on first use. */
class RowWorkers {
  private readonly workers: Int32Array[] = [];
  /** Why the workers cannot be used (they did not start), after which every call runs here. */
  private unusable: string | null = null;
  private job = 0;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly name: string,
    private readonly count: number,
  ) {}

  /**
   * `n` started workers' control words, starting those missing and waiting
   * for them; null (and a warning, once) when one does not start: jobs go
   * only to workers known to be waiting for them, so a late one never
   * writes to memory its caller has moved on from.
   */
  private started(n: number): Int32Array[] | null {
    while (!this.unusable && this.workers.length < n) {
      const control = new SharedArrayBuffer(4 * (ARGUMENTS + this.count));
      const words = new Int32Array(control);
      let worker: Worker | null = null;
      try {
        worker = new Worker(WORKER_SCRIPT, {
          eval: true,
          workerData: { module: this.module, memory: this.memory, name: this.name, control, count: this.count },
        });
        worker.unref();
        // An error event without a listener would be thrown in this thread; failures are reported through the words.
        worker.on("error", () => undefined);
        Atomics.wait(words, STARTED, 0, START_MILLISECONDS);
      } catch (error) {
        this.unusable = `a worker thread could not be made (${error instanceof Error ? error.message : String(error)})`;
      }
      const state = Atomics.load(words, STARTED);
      if (state === 1) {
        this.workers.push(words);
        continue;
      }
      void worker?.terminate();
      this.unusable ??=
        state === 0
          ? `a worker thread did not start within ${START_MILLISECONDS / 1000} s`
          : `a worker thread could not load the kernel ${this.name}`;
      console.warn(`dlkit: ${this.unusable}; large products run on the main thread only`);
    }
    return this.unusable ? null : this.workers.slice(0, n);
  }

  /** Calls the export once per range, the first here and the rest on workers, and returns when all are done. */
  run(kernel: (...args: number[]) => void, calls: number[][]): void {
    const workers = this.started(calls.length - 1);
    if (!workers) {
      for (const args of calls) kernel(...args);
      return;
    }
    const job = ++this.job;
    workers.forEach((words, i) => {
      words.set(calls[i + 1], ARGUMENTS);
      Atomics.store(words, JOB, job);
      Atomics.notify(words, JOB);
    });
    let failure: unknown = null;
    try {
      kernel(...calls[0]);
    } catch (error) {
      failure = error;
    }
    for (const words of workers) {
      while (Atomics.load(words, ANSWERED) !== job) Atomics.wait(words, ANSWERED, job - 1);
      if (Atomics.load(words, FAILED) && !failure) {
        failure = new Error(`dlkit: a worker thread of ${this.name} failed (a memory offset out of bounds)`);
      }
    }
    if (failure) throw failure;
  }
}

const pools = new WeakMap<WebAssembly.Memory, Map<string, RowWorkers>>();

/**
 * Runs `module`'s export `name` once for each argument list in `calls`,
 * side by side on `calls.length` threads (this one and workers), on the
 * shared `memory` (one after another here when it is not shared). The
 * calls must write to disjoint parts of the memory.
 */
export function runOnThreads(
  memory: WebAssembly.Memory,
  kernel: (...args: number[]) => void,
  module: string,
  name: string,
  calls: number[][],
): void {
  if (calls.length === 1 || !sharedMemory(memory)) {
    for (const args of calls) kernel(...args);
    return;
  }
  const [compiled, variant] = compiledSimdModule(memory, module);
  let byName = pools.get(memory);
  if (!byName) pools.set(memory, (byName = new Map()));
  const key = `${variant}:${name}`;
  let pool = byName.get(key);
  if (!pool) byName.set(key, (pool = new RowWorkers(compiled, memory, name, calls[0].length)));
  pool.run(kernel, calls);
}
