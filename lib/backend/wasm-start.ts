/**
 * Starts tfjs-backend-wasm with the threads `DLKIT_THREADS` asks for (every
 * core by default): the threaded build when it starts here, else the
 * one-thread build, remembering why.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import {
  THREADS_ENV,
  parseThreads,
  prepareSingleThreadStart,
  prepareThreadedStart,
  releaseThreadPool,
  threadsUnavailable,
  wasmThreadCount,
} from "./wasm-threads";

/** Why the backend runs on one thread although more were asked for; null when it runs as asked. */
let oneThreadReason: string | null = null;
let asked = 1;

async function setWasm(): Promise<string | null> {
  try {
    if (await tf.setBackend("wasm")) {
      await tf.ready();
      return null;
    }
    return "wasm did not initialise";
  } catch (err) {
    return `wasm did not initialise (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** Starts the threaded build; returns why it did not start, or null. */
async function startThreaded(threads: number): Promise<string | null> {
  let restore: () => void;
  try {
    restore = prepareThreadedStart(threads);
  } catch (err) {
    return `its worker scripts could not be written (${err instanceof Error ? err.message : String(err)})`;
  }
  try {
    return await setWasm();
  } finally {
    restore();
  }
}

/** Selects the wasm backend; returns why it cannot be used, or null. Throws on a bad DLKIT_THREADS. */
export async function startWasm(): Promise<string | null> {
  asked = parseThreads(process.env[THREADS_ENV]);
  oneThreadReason = null;
  if (tf.findBackend("wasm")) return setWasm(); // already started: its thread count is fixed for the process
  const unavailable = asked > 1 ? threadsUnavailable() : null;
  if (asked > 1 && !unavailable) {
    const problem = await startThreaded(asked);
    if (!problem) {
      releaseThreadPool(tf.backend());
      return null;
    }
    oneThreadReason = `the threaded build did not start: ${problem}`;
  } else if (unavailable) {
    oneThreadReason = `no threads: ${unavailable}`;
  }
  prepareSingleThreadStart();
  return setWasm();
}

/** "SIMD, 2 threads", and why one thread when more were asked: for the backend's summary line. */
export function wasmStatus(): string {
  let simd = "SIMD";
  try {
    simd = tf.env().get("WASM_HAS_SIMD_SUPPORT") ? "SIMD" : "no SIMD";
  } catch {
    // not evaluated yet: only before the backend started
  }
  const threads = wasmThreadCount();
  const count = `${threads} thread${threads === 1 ? "" : "s"}`;
  if (oneThreadReason) return `${simd}, ${count}: ${oneThreadReason}`;
  if (threads < asked) return `${simd}, ${count} (${asked} asked for by ${THREADS_ENV})`;
  return `${simd}, ${count}`;
}
