/**
 * bench/peak.ts: the loop it times does the multiply-adds it counts (its
 * result is the recurrence a = a·m + c run n times on every accumulator,
 * so none is dead code the engine could drop), and the measurement runs on
 * the threads asked for. No speed is asserted: the machine is shared.
 */
import { setFlagsFromString } from "v8";
import { describe, expect, it } from "vitest";
import { MultiplyAdd, assemblePeakLoop, clockGhz, measureSimdPeak } from "../../bench/peak";

async function peakLoop(chains: number, form: MultiplyAdd): Promise<(n: number) => number> {
  setFlagsFromString("--experimental-wasm-relaxed-simd");
  const bytes = await assemblePeakLoop(chains, form);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.run as (n: number) => number;
}

/**
 * Lane 0 of the sum of the accumulators after n steps, in float32 as the
 * loop rounds it: after the multiply and after the add, or once when fused
 * (a·m is exact in float64, so rounding a·m + c from float64 emulates it).
 */
function expected(chains: number, n: number, fused = false): number {
  const f = Math.fround;
  let sum = 0;
  for (let i = 0; i < chains; i++) {
    let a = f(1 + i / 100);
    for (let k = 0; k < n; k++) a = fused ? f(a * f(0.9999) + f(0.0001)) : f(f(a * f(0.9999)) + f(0.0001));
    sum = i === 0 ? a : f(sum + a);
  }
  return sum;
}

describe("the wasm SIMD peak loop", () => {
  it("computes a·m + c on every accumulator, n times, with a multiply then an add", async () => {
    const run = await peakLoop(10, "mul+add");
    for (const n of [1, 7, 1000]) expect(run(n)).toBe(expected(10, n));
  });

  it("computes the same with relaxed SIMD's fused multiply-add, rounded once", async () => {
    const run = await peakLoop(12, "fma");
    for (const n of [1, 7, 1000]) {
      expect(Math.abs(run(n) - expected(12, n, true))).toBeLessThanOrEqual(1e-6 * expected(12, n, true));
    }
    // Relaxed SIMD may round twice where the CPU has no FMA; x86 since 2013 and ARM64 all have it.
    expect(run(1000), "rounded once, so not as a multiply then an add").not.toBe(expected(12, 1000));
  });

  it("measures both forms on the threads asked for, and the clock follows from the fused one", async () => {
    const peak = await measureSimdPeak(2, 1);
    expect(peak.threads).toBe(2);
    expect(peak["mul+add"]).toBeGreaterThan(0);
    expect(peak.fma).toBeGreaterThan(0);
    expect(clockGhz(peak)).toBeCloseTo(peak.fma! / 2 / 16, 10);
  }, 60_000);
});
