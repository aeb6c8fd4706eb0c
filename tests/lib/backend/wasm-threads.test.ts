/**
 * The wasm backend on several threads (lib/backend/wasm-threads.ts): a
 * student who sets DLKIT_THREADS gets the threaded build, the same numbers
 * as on one thread, a clear error for a bad value, and no tensors left
 * behind. The threaded start changes globals while the backend starts, so
 * each case runs in a fresh Node process.
 */
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { describe, expect, it } from "vitest";
import { parseThreads } from "../../../lib/backend/wasm-threads";

const root = path.resolve(__dirname, "..", "..", "..");

/**
 * Runs in a child: a product on XNNPACK, one too large for cache on the
 * kit's blocked kernel (its rows split across threads), the kit's aᵀ·b and
 * batched kernels, a convolution and its gradients, a softmax.
 */
const PROBE = `
import * as tf from "@tensorflow/tfjs";
import { useBestBackend } from "./lib/backend";
(async () => {
  const info = await useBestBackend({ quiet: true });
  const before = tf.memory().numTensors;
  const values = tf.tidy(() => {
    const r = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed);
    const x = r([8, 12, 12, 3], 1), w = r([3, 3, 3, 8], 2);
    const [dx, dw] = tf.grads((x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, 1, "same").square().sum())([x, w]);
    return {
      matmul: tf.matMul(r([300, 200], 3), r([200, 100], 4)),
      blocked: tf.matMul(r([130, 300], 10), r([300, 1000], 11)),
      transposedA: tf.matMul(r([257, 61], 5), r([257, 35], 6), true, false),
      batched: tf.matMul(r([4, 16, 24], 7), r([4, 24, 16], 8)),
      softmax: tf.softmax(r([64, 10], 9)),
      dx, dw,
    };
  });
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(values)) out[k] = Array.from(t.dataSync());
  tf.dispose(Object.values(values));
  console.log(JSON.stringify({ wasm: info.wasm, summary: info.summary, leaked: tf.memory().numTensors - before, out }));
})().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(3); });
`;

interface Probe {
  wasm: string;
  summary: string;
  leaked: number;
  out: Record<string, number[]>;
}

async function probe(env: Record<string, string>): Promise<Probe> {
  const tsNode = require.resolve("ts-node/dist/bin.js");
  const { stdout } = await promisify(execFile)(process.execPath, [tsNode, "--transpile-only", "-e", PROBE], {
    cwd: root,
    env: { ...process.env, DLKIT_BACKEND: "wasm", ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as Probe;
}

describe("DLKIT_THREADS", () => {
  it("defaults to every core, at most the wasm backend's 8", () => {
    expect(parseThreads(undefined, 2)).toBe(2);
    expect(parseThreads("", 16)).toBe(8);
    expect(parseThreads("auto", 1)).toBe(1);
    expect(parseThreads(" 3 ", 2)).toBe(3);
  });

  it("rejects what is not a thread count, naming the value and what is accepted", () => {
    for (const bad of ["0", "-2", "1.5", "two", "9"]) {
      expect(() => parseThreads(bad, 4), bad).toThrow(
        `DLKIT_THREADS=${bad} is not a thread count: use a whole number from 1 to 8`,
      );
    }
  });
});

describe("the threaded wasm backend in Node", () => {
  it("starts with 2 threads, says so, and computes what one thread computes (max |difference| ≤ 1e-5 × (1 + |value|)), leaving no tensors", async () => {
    const [two, one] = await Promise.all([probe({ DLKIT_THREADS: "2" }), probe({ DLKIT_THREADS: "1" })]);
    expect(two.wasm).toBe("SIMD, 2 threads");
    expect(two.summary).toMatch(/^tfjs backend: wasm \(SIMD, 2 threads; forced by DLKIT_BACKEND\)$/);
    expect(one.wasm).toBe("SIMD, 1 thread");
    expect(two.leaked).toBe(0);
    expect(one.leaked).toBe(0);
    for (const [name, values] of Object.entries(one.out)) {
      const got = two.out[name];
      expect(got.length, name).toBe(values.length);
      values.forEach((v, i) => {
        if (Math.abs(got[i] - v) > 1e-5 * (1 + Math.abs(v))) expect(got[i], `${name}[${i}]`).toBeCloseTo(v, 5);
      });
    }
  }, 120_000);

  it("falls back to one thread, saying why, when the threaded build cannot start, and still computes what one thread computes", async () => {
    const [fallback, one] = await Promise.all([
      // A TMPDIR below a file: no folder can be made there (a missing TMPDIR would just be created).
      probe({ DLKIT_THREADS: "2", TMPDIR: "/etc/hostname/not-a-folder" }),
      probe({ DLKIT_THREADS: "1" }),
    ]);
    expect(fallback.wasm).toMatch(
      /^SIMD, 1 thread: the threaded build did not start: its worker scripts could not be written \(ENOTDIR/,
    );
    expect(fallback.summary).toContain("tfjs backend: wasm (SIMD, 1 thread: the threaded build did not start");
    expect(fallback.out).toEqual(one.out);
    expect(fallback.leaked).toBe(0);
  }, 120_000);

  it("fails at start-up with the message when DLKIT_THREADS is bad, rather than running on a guess", async () => {
    await expect(probe({ DLKIT_THREADS: "lots" })).rejects.toThrow(/DLKIT_THREADS=lots is not a thread count/);
  }, 60_000);
});
