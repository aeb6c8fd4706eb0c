/**
 * The wasm SIMD peak of this machine, measured rather than read off
 * /proc/cpuinfo (a virtual machine reports its base clock there, and turbo
 * beats it). A loop of independent f32x4 multiply-adds, `a = a·m + c` on
 * `chains` accumulators at once, runs on 1..N worker threads together: with
 * enough chains to hide the latency of each multiply-add, the loop is bound
 * by how many vector multiply-adds the core issues a cycle, which is the
 * ceiling of any product kernel written in wasm SIMD. Both forms are
 * measured: a multiply then an add (what XNNPACK's wasm kernels use) and
 * relaxed SIMD's fused `f32x4.relaxed_madd` (the kit's `.fma` kernels).
 *
 *   npx ts-node --transpile-only bench/peak.ts 2   # the peak on 1 and 2 threads
 */
import { Worker } from "worker_threads";
import { setFlagsFromString } from "v8";
import { assembleWat } from "../lib/backend/simd/assemble";

export type MultiplyAdd = "mul+add" | "fma";

/** GFLOP/s by form of multiply-add (null: the engine lacks it), for `threads` threads running at once. */
export interface SimdPeak extends Record<MultiplyAdd, number | null> {
  threads: number;
}

/**
 * The accumulator counts tried: the fastest wins. Latency × issue width sets
 * how many hide the latency (12 for a 3-cycle multiply then a 3-cycle add at
 * two of each a cycle); more than the 16 vector registers V8 allocates spill.
 */
const CHAINS = [8, 10, 12];
const ITERATIONS = 20_000_000;

/** FLOPs a cycle of 128-bit SIMD with two fused multiply-add units: what the fused peak divides by for the clock. */
export const WASM_SIMD_FLOPS_PER_CYCLE = 2 * 4 * 2;

/** The loop's text: `run(n)` does n iterations of `chains` multiply-adds on 4 lanes. */
export function peakWat(chains: number, form: MultiplyAdd): string {
  const acc = Array.from({ length: chains }, (_, i) => `$a${i}`);
  const step = (a: string) =>
    form === "fma"
      ? `(local.set ${a} (f32x4.relaxed_madd (local.get ${a}) (local.get $m) (local.get $c)))`
      : `(local.set ${a} (f32x4.add (f32x4.mul (local.get ${a}) (local.get $m)) (local.get $c)))`;
  // The result depends on every accumulator, so no chain is dead code.
  const sum = acc.slice(1).reduce((s, a) => `(f32x4.add ${s} (local.get ${a}))`, `(local.get ${acc[0]})`);
  return `(module
  (func (export "run") (param $n i32) (result f32)
    (local $m v128) (local $c v128) ${acc.map((a) => `(local ${a} v128)`).join(" ")}
    (local.set $m (f32x4.splat (f32.const 0.9999)))
    (local.set $c (f32x4.splat (f32.const 0.0001)))
    ${acc.map((a, i) => `(local.set ${a} (f32x4.splat (f32.const ${1 + i / 100})))`).join("\n    ")}
    (loop $next
      ${acc.map(step).join("\n      ")}
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (f32x4.extract_lane 0 ${sum})))`;
}

/** The loop, assembled. */
export function assemblePeakLoop(chains: number, form: MultiplyAdd): Promise<Uint8Array> {
  return assembleWat("peak.wat", peakWat(chains, form));
}

/** Each thread compiles the loop, waits for the common start, runs it and reports its seconds. */
const WORKER = `
const { parentPort, workerData } = require("worker_threads");
const { bytes, start, iterations } = workerData;
const run = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.run;
run(iterations / 100);
const go = new Int32Array(start);
Atomics.add(go, 1, 1);
Atomics.notify(go, 1);
Atomics.wait(go, 0, 0);
const t = performance.now();
run(iterations);
parentPort.postMessage((performance.now() - t) / 1000);
`;

/** GFLOP/s of `threads` threads running the loop at once: all their FLOPs over the slowest one's time. */
async function measure(bytes: Uint8Array, chains: number, threads: number): Promise<number> {
  const start = new SharedArrayBuffer(8);
  const go = new Int32Array(start);
  const workers = Array.from(
    { length: threads },
    () => new Worker(WORKER, { eval: true, workerData: { bytes, start, iterations: ITERATIONS } }),
  );
  try {
    const seconds = workers.map(
      (w) =>
        new Promise<number>((resolve, reject) => {
          w.once("message", resolve);
          w.once("error", reject);
        }),
    );
    while (Atomics.load(go, 1) < threads) await new Promise((r) => setTimeout(r, 5));
    Atomics.store(go, 0, 1);
    Atomics.notify(go, 0);
    const slowest = Math.max(...(await Promise.all(seconds)));
    return (threads * ITERATIONS * chains * 4 * 2) / slowest / 1e9;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * The peak on `threads` threads: the best of `reps` runs over the chain
 * counts, for each form. Null for "fma" when the engine has no relaxed SIMD.
 */
export async function measureSimdPeak(threads: number, reps = 3): Promise<SimdPeak> {
  setFlagsFromString("--experimental-wasm-relaxed-simd");
  const peak: SimdPeak = { threads, "mul+add": null, fma: null };
  for (const form of ["mul+add", "fma"] as const) {
    for (const chains of CHAINS) {
      const bytes = await assemblePeakLoop(chains, form);
      if (!WebAssembly.validate(bytes)) break;
      for (let r = 0; r < reps; r++) peak[form] = Math.max(peak[form] ?? 0, await measure(bytes, chains, threads));
    }
  }
  return peak;
}

/**
 * The clock the fused peak implies (two 128-bit FMA units a core), or
 * undefined without relaxed SIMD: separate multiplies and adds reach 16
 * FLOPs a cycle on some cores and 8 on others, so they do not tell.
 */
export function clockGhz(peak: SimdPeak): number | undefined {
  return peak.fma === null ? undefined : peak.fma / peak.threads / WASM_SIMD_FLOPS_PER_CYCLE;
}

if (require.main === module) {
  const most = Number(process.argv[2] ?? 1);
  void (async () => {
    for (let threads = 1; threads <= most; threads++) {
      const peak = await measureSimdPeak(threads);
      const show = (g: number | null) => (g === null ? "—" : `${g.toFixed(1)} GFLOP/s`);
      const clock = clockGhz(peak);
      console.log(
        `${threads} thread${threads === 1 ? "" : "s"}: mul+add ${show(peak["mul+add"])}, fma ${show(peak.fma)}` +
          (clock ? `, ${clock.toFixed(2)} GHz a core` : ""),
      );
    }
  })();
}
