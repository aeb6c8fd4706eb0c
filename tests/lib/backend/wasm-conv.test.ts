/**
 * The convolution and its gradients of lib/backend/wasm-conv.ts (the kit's
 * SIMD kernels, with fused multiply-adds and without) against the definition,
 * summed in float64: every element within float32's bound for a sum of its
 * terms, on the shapes that exercise their edges (one channel, channel and
 * window-row counts that are not multiples of 4, 8 or 16, strides, padding
 * on one side only, a 1×1 filter, rows of fewer than 4 output pixels, the
 * forward's tiles of 4 pixels × 8 channels and of 2 × 16, odd rows and
 * partly filled tiles of both), with no buffer left behind.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { setFusedMultiplyAdd } from "../../../lib/backend/simd";
import { expectNoLeak } from "./memory";

beforeAll(async () => {
  await useBestBackend({ backend: "wasm", quiet: true });
});
afterAll(() => setFusedMultiplyAdd(null));

interface Case {
  what: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  strides: number | [number, number];
  pad: "valid" | "same" | number;
}

const CASES: Case[] = [
  {
    what: "LeNet's first layer (1 channel, 6 filters, padding 2)",
    x: [3, 12, 10, 1],
    w: [5, 5, 1, 6],
    strides: 1,
    pad: 2,
  },
  { what: "LeNet's second layer (6 → 16, no padding)", x: [2, 14, 14, 6], w: [5, 5, 6, 16], strides: 1, pad: "valid" },
  { what: "stride 2, padding 1, 3 → 5", x: [2, 9, 8, 3], w: [3, 3, 3, 5], strides: 2, pad: 1 },
  {
    what: "strides 2 × 1, 'same' (padding on one side), 4 → 9",
    x: [2, 9, 7, 4],
    w: [2, 3, 4, 9],
    strides: [2, 1],
    pad: "same",
  },
  { what: "a 1×1 filter, 2 → 3", x: [1, 5, 5, 2], w: [1, 1, 2, 3], strides: 1, pad: "valid" },
  {
    what: "window rows longer than 16 floats (3×3×7), 7 → 17",
    x: [2, 6, 6, 7],
    w: [3, 3, 7, 17],
    strides: 1,
    pad: "same",
  },
  { what: "7 channels past a tile of 8, 1 → 15", x: [1, 7, 6, 1], w: [3, 3, 1, 15], strides: 1, pad: 1 },
  { what: "4 channels past a tile of 8, 2 → 12", x: [1, 6, 9, 2], w: [2, 2, 2, 12], strides: 1, pad: "valid" },
  { what: "output rows of 3 pixels (XNNPACK's forward)", x: [2, 6, 5, 2], w: [3, 3, 2, 3], strides: 1, pad: "valid" },
  {
    what: "output rows of 2 pixels, 3 → 16 (one 2-pixel tile)",
    x: [2, 5, 4, 3],
    w: [3, 3, 3, 16],
    strides: 1,
    pad: "valid",
  },
  {
    what: "two tiles of 16 channels, rows of 5 pixels, 3 → 32",
    x: [2, 7, 7, 3],
    w: [3, 3, 3, 32],
    strides: 1,
    pad: "valid",
  },
];

interface Gradients {
  y: Float64Array;
  ySize: Float64Array;
  dx: Float64Array;
  dxSize: Float64Array;
  dw: Float64Array;
  dwSize: Float64Array;
}

/** conv2d(x, w), and dx and dW of Σ dy·conv2d(x, w), by their definition in float64, with Σ|term| of each element for the error bound. */
function reference(x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D, c: Case): Gradients {
  const [n, h, wd, inC] = x.shape;
  const [kH, kW, , outC] = w.shape;
  const [, outH, outW] = dy.shape;
  const [sh, sw] = typeof c.strides === "number" ? [c.strides, c.strides] : c.strides;
  const info = tf.backend_util.computeConv2DInfo(x.shape, w.shape, [sh, sw], 1, c.pad);
  const { top, left } = info.padInfo;
  const [xv, wv, dv] = [x.dataSync(), w.dataSync(), dy.dataSync()];
  const g: Gradients = {
    y: new Float64Array(dv.length),
    ySize: new Float64Array(dv.length),
    dx: new Float64Array(xv.length),
    dxSize: new Float64Array(xv.length),
    dw: new Float64Array(wv.length),
    dwSize: new Float64Array(wv.length),
  };
  for (let b = 0; b < n; b++)
    for (let y = 0; y < outH; y++)
      for (let xo = 0; xo < outW; xo++)
        for (let kh = 0; kh < kH; kh++)
          for (let kw = 0; kw < kW; kw++) {
            const [r, col] = [y * sh + kh - top, xo * sw + kw - left];
            if (r < 0 || r >= h || col < 0 || col >= wd) continue;
            for (let i = 0; i < inC; i++)
              for (let o = 0; o < outC; o++) {
                const xi = ((b * h + r) * wd + col) * inC + i;
                const wi = ((kh * kW + kw) * inC + i) * outC + o;
                const yi = ((b * outH + y) * outW + xo) * outC + o;
                const d = dv[yi];
                g.y[yi] += xv[xi] * wv[wi];
                g.ySize[yi] += Math.abs(xv[xi] * wv[wi]);
                g.dx[xi] += d * wv[wi];
                g.dxSize[xi] += Math.abs(d * wv[wi]);
                g.dw[wi] += d * xv[xi];
                g.dwSize[wi] += Math.abs(d * xv[xi]);
              }
          }
  return g;
}

/** Checks |got − want| ≤ terms · 2⁻²³ · Σ|term| (float32's bound for a sum of `terms` products, fused or not). */
function expectWithinBound(
  got: Float32Array,
  want: Float64Array,
  size: Float64Array,
  terms: number,
  what: string,
): void {
  const bad = Array.from(got).findIndex((v, i) => !(Math.abs(v - want[i]) <= terms * 2 ** -23 * size[i]));
  expect(bad, `${what}: element ${bad} is ${got[bad]}, the definition gives ${want[bad]}`).toBe(-1);
}

function convolution(x: tf.Tensor4D, w: tf.Tensor4D, c: Case): Float32Array {
  const y = tf.conv2d(x, w, c.strides, c.pad);
  const values = y.dataSync() as Float32Array;
  y.dispose();
  return values;
}

function gradients(x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D, c: Case): [Float32Array, Float32Array] {
  const f = (x: tf.Tensor, w: tf.Tensor) =>
    tf
      .conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad)
      .mul(dy)
      .sum();
  const [dx, dw] = tf.grads(f)([x, w]);
  const values: [Float32Array, Float32Array] = [dx.dataSync() as Float32Array, dw.dataSync() as Float32Array];
  tf.dispose([dx, dw]);
  return values;
}

describe("convolution and its gradients on wasm (the kit's SIMD kernels)", () => {
  for (const c of CASES) {
    it(`${c.what}: y, dx and dW match the definition, fused multiply-adds or not, and free every buffer`, () => {
      const x = tf.randomNormal(c.x, 0, 1, "float32", 1) as tf.Tensor4D;
      const w = tf.randomNormal(c.w, 0, 1, "float32", 2) as tf.Tensor4D;
      const dy = tf.tidy(() =>
        tf.randomNormal(tf.conv2d(x, w, c.strides, c.pad).shape, 0, 1, "float32", 3),
      ) as tf.Tensor4D;
      const want = reference(x, w, dy, c);
      const [kH, kW, , outC] = c.w;
      const [outH, outW] = dy.shape.slice(1, 3);
      for (const fma of [false, true]) {
        setFusedMultiplyAdd(fma);
        const [dx, dw] = gradients(x, w, dy, c);
        const path = fma ? "fused" : "plain";
        expectWithinBound(convolution(x, w, c), want.y, want.ySize, kH * kW * c.x[3], `y, ${path}`);
        expectWithinBound(dx, want.dx, want.dxSize, kH * kW * outC, `dx, ${path}`);
        expectWithinBound(dw, want.dw, want.dwSize, c.x[0] * outH * outW, `dW, ${path}`);
      }
      expectNoLeak(() => {
        gradients(x, w, dy, c);
        convolution(x, w, c);
      }, 5);
      tf.dispose([x, w, dy]);
    });
  }

  it("an infinite gradient stays where its window reaches: ∞ in dy makes dx non-finite only there", () => {
    const c = CASES[1];
    const x = tf.randomNormal(c.x, 0, 1, "float32", 4) as tf.Tensor4D;
    const w = tf.randomNormal(c.w, 0, 1, "float32", 5) as tf.Tensor4D;
    const values = tf.tidy(() => tf.randomNormal(tf.conv2d(x, w, 1, "valid").shape, 0, 1, "float32", 6)) as tf.Tensor4D;
    const raw = values.dataSync().slice();
    raw[0] = Infinity; // image 0, pixel (0, 0): its window is rows 0–4, columns 0–4
    const dy = tf.tensor4d(raw, values.shape);
    const [dx] = gradients(x, w, dy, c);
    const [, h, wd, inC] = c.x;
    const reached = (i: number) => {
      const [b, r, col] = [Math.floor(i / (h * wd * inC)), Math.floor(i / (wd * inC)) % h, Math.floor(i / inC) % wd];
      return b === 0 && r < 5 && col < 5;
    };
    const outside = Array.from(dx).findIndex((v, i) => !reached(i) && !Number.isFinite(v));
    expect(outside, `dx[${outside}] is ${dx[outside]}, outside the infinite pixel's window`).toBe(-1);
    expect(Number.isFinite(dx[0])).toBe(false);
    tf.dispose([x, w, values, dy]);
  });
});
