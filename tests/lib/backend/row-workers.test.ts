/**
 * The worker threads that split the kit's largest products by rows
 * (lib/backend/row-workers.ts), on a shared memory of their own: the rows a
 * worker computes are the rows one thread computes, a worker that traps is
 * reported instead of leaving the caller waiting for ever, and workers that
 * cannot run the kernel leave every row to the calling thread, saying so.
 */
import { describe, expect, it, vi } from "vitest";
import { runOnThreads } from "../../../lib/backend/row-workers";
import { simdKernel } from "../../../lib/backend/simd";

const [m, k, n] = [16, 40, 24];

/** A shared memory holding a [m, k], b [k, n] packed into panels, and room for two results. */
function layout(): { memory: WebAssembly.Memory; a: number; packed: number; c: number; alone: number } {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 16, shared: true });
  const floats = new Float32Array(memory.buffer);
  const [a, b, packed, c, alone] = [0, m * k, m * k + k * n, m * k + 2 * k * n, m * k + 2 * k * n + m * n].map(
    (at) => 4 * at,
  );
  for (let i = 0; i < m * k + k * n; i++) floats[i] = Math.cos(0.3 * i);
  simdKernel(memory, "matmul-blocked", "packColumns")(b, packed, k, n);
  return { memory, a, packed, c, alone };
}

describe("row workers", () => {
  it("compute on worker threads the rows one thread computes, bit for bit", () => {
    const { memory, a, packed, c, alone } = layout();
    const rows = simdKernel(memory, "matmul-blocked", "multiplyRows");
    rows(a, packed, alone, 0, m, k, n, 16);
    runOnThreads(memory, rows, "matmul-blocked", "multiplyRows", [
      [a, packed, c, 0, 4, k, n, 16],
      [a, packed, c, 4, 12, k, n, 16],
      [a, packed, c, 12, 16, k, n, 16],
    ]);
    const floats = new Float32Array(memory.buffer);
    const want = floats.slice(alone / 4, alone / 4 + m * n);
    const got = floats.slice(c / 4, c / 4 + m * n);
    expect(want.some((v) => v !== 0)).toBe(true);
    expect(got.findIndex((v, i) => !Object.is(v, want[i]))).toBe(-1);
  });

  it("that cannot load the kernel leave every row to this thread, with a warning saying so", () => {
    const { memory, a, packed, c, alone } = layout();
    const rows = simdKernel(memory, "matmul-blocked", "multiplyRows");
    rows(a, packed, alone, 0, m, k, n, 16);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const calls = [
        [a, packed, c, 0, 8, k, n, 16],
        [a, packed, c, 8, 16, k, n, 16],
      ];
      runOnThreads(memory, rows, "matmul-blocked", "noSuchExport", calls);
      runOnThreads(memory, rows, "matmul-blocked", "noSuchExport", calls);
      expect(warn.mock.calls).toEqual([
        ["dlkit: a worker thread could not load the kernel noSuchExport; large products run on the main thread only"],
      ]);
    } finally {
      warn.mockRestore();
    }
    const floats = new Float32Array(memory.buffer);
    const want = floats.slice(alone / 4, alone / 4 + m * n);
    expect(floats.slice(c / 4, c / 4 + m * n).findIndex((v, i) => !Object.is(v, want[i]))).toBe(-1);
  });

  it("report a worker whose call traps, and keep working after it", () => {
    const { memory, a, packed, c } = layout();
    const rows = simdKernel(memory, "matmul-blocked", "multiplyRows");
    const pastTheEnd = memory.buffer.byteLength;
    expect(() =>
      runOnThreads(memory, rows, "matmul-blocked", "multiplyRows", [
        [a, packed, c, 0, 8, k, n, 16],
        [a, packed, pastTheEnd, 8, 16, k, n, 16],
      ]),
    ).toThrow("dlkit: a worker thread of multiplyRows failed (a memory offset out of bounds)");
    expect(() =>
      runOnThreads(memory, rows, "matmul-blocked", "multiplyRows", [
        [a, packed, c, 0, 8, k, n, 16],
        [a, packed, c, 8, 16, k, n, 16],
      ]),
    ).not.toThrow();
  });
});
