/**
 * tfjs-backend-wasm's threaded build, started in Node. The package ships it
 * (tfjs-backend-wasm-threaded-simd.wasm, with Emscripten glue that knows
 * Node's worker_threads) but never picks it there: its
 * WASM_HAS_MULTITHREAD_SUPPORT flag is false in Node, and its pthread
 * workers would start from `blob:` URLs, which Node's Worker refuses. Three
 * things, all undone once the backend is up, make it start:
 *
 * - the flag is set to true;
 * - while the backend initialises, the two scripts tfjs turns into Blobs
 *   (the pthread worker, and the glue each worker loads) are written to
 *   files instead, and the worker reads the glue from its file;
 * - Emscripten's glue caps the thread pool at half the logical cores it
 *   sees (it assumes two hyper-threads a core), so it is shown 2 × N.
 *
 * The pthread workers are Node worker_threads sharing the backend's memory
 * (a SharedArrayBuffer). Nothing in node_modules is changed.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");

/** The environment variable that sets the number of threads of the wasm backend. */
export const THREADS_ENV = "DLKIT_THREADS";

/** The most threads tfjs-backend-wasm 4.22 can use: its glue starts eight pthread workers. */
export const MAX_WASM_THREADS = 8;

/**
 * The thread count `DLKIT_THREADS` asks for: unset or empty means every
 * core (capped at 8); otherwise a whole number from 1 to 8. Throws a
 * message naming the bad value and what is accepted.
 */
export function parseThreads(value: string | undefined, cores = os.cpus().length): number {
  const v = (value ?? "").trim();
  if (v === "" || v.toLowerCase() === "auto") return Math.max(1, Math.min(cores, MAX_WASM_THREADS));
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > MAX_WASM_THREADS) {
    throw new Error(
      `${THREADS_ENV}=${value} is not a thread count: use a whole number from 1 to ${MAX_WASM_THREADS} ` +
        `(the wasm backend's most), or unset it for every core (${cores} here).`,
    );
  }
  return n;
}

/** Why the threaded build cannot start in this process, or null when it can be tried. */
export function threadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer === "undefined") return "SharedArrayBuffer is not available";
  if (typeof Blob === "undefined" || typeof URL.createObjectURL !== "function")
    return "this Node has no Blob or URL.createObjectURL";
  // A module with a shared memory and an atomic load: what the threaded build needs of the engine.
  const atomics = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0,
    26, 11,
  ]);
  if (!WebAssembly.validate(atomics)) return "this WebAssembly engine has no threads (atomics)";
  const version = (require("@tensorflow/tfjs-backend-wasm/package.json") as { version: string }).version;
  if (version !== "4.22.0")
    return `@tensorflow/tfjs-backend-wasm ${version} is not 4.22.0, whose glue the kit's thread start-up was written for`;
  return null;
}

/** What the worker script says when it loads the glue from a Blob; replaced by loading it from a file. */
const WORKER_LOADS_BLOB = 'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}';

/**
 * The names the glue tfjs hands each worker takes from tfjs's bundle (the
 * bundler's aliases of Node modules, and TypeScript's helpers), defined for
 * the worker, where the glue runs alone.
 */
const GLUE_PRELUDE = [
  'var require$$0 = require("fs"), require$$1 = require("path"), require$$3 = require("perf_hooks"), require$$4 = require("os");',
  "var commonjsGlobal = globalThis;",
  "function __values(o) { return o[Symbol.iterator](); }",
  "function __read(o, n) { var r = [], it = o[Symbol.iterator](), x; while ((n === undefined || n-- > 0) && !(x = it.next()).done) r.push(x.value); return r; }",
  "function __spreadArray(to, from) { return to.concat(Array.prototype.slice.call(from)); }",
  "",
].join("\n");

/**
 * Sets tfjs-backend-wasm up to start its threaded build with `threads`
 * threads at the next `tf.setBackend("wasm")`. Returns the function that
 * puts the globals back, to call once the backend is up (or failed).
 */
export function prepareThreadedStart(threads: number): () => void {
  const wasm = require("@tensorflow/tfjs-backend-wasm") as { setThreadsCount(n: number): void };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-wasm-threads-"));
  const gluePath = path.join(dir, "glue.js");
  const texts = new WeakMap<Blob, string>();
  // The os module itself (what the glue calls), not an import's copy of its properties.
  const nodeOs = require("os") as { cpus: typeof os.cpus };
  const [OriginalBlob, originalCreateObjectURL, originalCpus] = [globalThis.Blob, URL.createObjectURL, nodeOs.cpus];

  // Every Blob made while the backend starts keeps its text, so that the two scripts can be written out.
  globalThis.Blob = class RecordingBlob extends OriginalBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      const text = (parts ?? []).map((p) => (typeof p === "string" ? p : "")).join("");
      texts.set(this, text);
      if (text.startsWith("var WasmBackendModuleThreadedSimd")) fs.writeFileSync(gluePath, GLUE_PRELUDE + text);
    }
  } as typeof Blob;
  URL.createObjectURL = (blob: Blob): string => {
    const text = texts.get(blob);
    if (text === undefined || !text.includes(WORKER_LOADS_BLOB)) return originalCreateObjectURL.call(URL, blob);
    const workerPath = path.join(dir, "worker.js");
    if (!fs.existsSync(workerPath))
      fs.writeFileSync(
        workerPath,
        text.replace(WORKER_LOADS_BLOB, `if(true){importScripts(${JSON.stringify(gluePath)})}`),
      );
    return workerPath;
  };
  const cpu = originalCpus()[0];
  nodeOs.cpus = () => Array.from({ length: 2 * threads }, () => cpu);
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(threads);

  return () => {
    globalThis.Blob = OriginalBlob;
    URL.createObjectURL = originalCreateObjectURL;
    nodeOs.cpus = originalCpus;
    // The workers have read both files by now (they load before the backend is ready).
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

/** After a failed threaded start: the next `tf.setBackend("wasm")` starts the one-thread build. */
export function prepareSingleThreadStart(): void {
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
}

interface EmscriptenWorker {
  unref(): void;
}

/**
 * Lets Node exit while the thread pool waits for work: Emscripten unrefs
 * idle workers but not those running XNNPACK's pool threads.
 */
export function releaseThreadPool(backend: object): void {
  const pthread = (backend as { wasm?: { PThread?: { runningWorkers: EmscriptenWorker[] } } }).wasm?.PThread;
  for (const worker of pthread?.runningWorkers ?? []) worker.unref();
}

/** The number of threads the running wasm backend uses (1 for the one-thread build). */
export function wasmThreadCount(): number {
  const wasm = require("@tensorflow/tfjs-backend-wasm") as { getThreadsCount(): number };
  try {
    return Math.max(1, wasm.getThreadsCount());
  } catch {
    return 1;
  }
}
