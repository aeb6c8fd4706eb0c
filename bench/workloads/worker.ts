/**
 * The kit side of the bench: a long-lived process that runs one workload per
 * request, so tfjs is loaded once (bench/torch/worker.py is its twin).
 * Each stdin line is a request `{"id": "...", "params": {...}}`; each answer
 * is one stdout line, RESULT_MARK then JSON ({"error": ...} on failure).
 *
 *   echo '{"id":"w1-mlp-2-4-2","params":{"hidden":4,"batch":10,"n":200,"steps":20,"lr":0.3}}' |
 *     npx ts-node --transpile-only bench/workloads/worker.ts
 */
import * as readline from "readline";
import * as tf from "@tensorflow/tfjs";
import { useBestBackend } from "../../lib/backend";
import { Params } from "../specs";
import { Probe, RUNS, matmulGflops } from "./index";
import { profileWorkload } from "./profile";

export const RESULT_MARK = "BENCH_RESULT ";

/** The backend in one line, with what limits wasm here: SIMD or not, and its thread count. */
async function describeBackend(): Promise<string> {
  const info = await useBestBackend({ quiet: true });
  if (info.tfName !== "wasm") return info.choice;
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const { getThreadsCount } = await import("@tensorflow/tfjs-backend-wasm");
  const threads = getThreadsCount();
  return `wasm (${simd ? "SIMD" : "no SIMD"}, ${threads} thread${threads === 1 ? "" : "s"})`;
}

/** A request: a workload by id (or "matmul"), its sizes, and whether to profile it rather than time it. */
interface Request {
  id: string;
  params: Params & { sizes?: number[] };
  profile?: boolean;
}

async function handle(request: Request, backend: string): Promise<object> {
  if (request.id === "matmul") {
    return { backend, gflops: matmulGflops(request.params.sizes!, request.params.flops) };
  }
  const run = RUNS[request.id];
  if (!run) throw new Error(`no kit workload "${request.id}"; known: ${Object.keys(RUNS).join(", ")}, matmul`);
  if (request.profile) return { backend, profile: await profileWorkload(() => run(request.params, new Probe())) };
  const before = tf.memory().numTensors;
  const probe = new Probe();
  const done = await run(request.params, probe);
  return {
    backend,
    seconds: probe.seconds,
    cpuSeconds: probe.cpuSeconds,
    ...done,
    peakBytes: probe.peakBytes,
    peakTensors: probe.peakTensors,
    tensorsLeft: tf.memory().numTensors - before,
  };
}

async function main(): Promise<void> {
  const backend = await describeBackend();
  for await (const line of readline.createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    let answer: object;
    try {
      answer = await handle(JSON.parse(line), backend);
    } catch (err) {
      answer = { error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    process.stdout.write(RESULT_MARK + JSON.stringify(answer) + "\n");
  }
}

void main();
