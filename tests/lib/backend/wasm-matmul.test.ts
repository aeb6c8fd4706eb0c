/**
 * The wasm backend's matrix products after lib/backend reroutes them to
 * XNNPACK: every transpose and batch combination gives the product a
 * plain triple loop gives, gradients included, and the rerouting frees
 * what it allocates.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { simdKernel } from "../../../lib/backend/simd";
import { expectNoLeak } from "./memory";

/** The product computed in JavaScript from the values, batch dimensions broadcast. */
function reference(
  a: tf.Tensor,
  b: tf.Tensor,
  transposeA: boolean,
  transposeB: boolean,
): { shape: number[]; data: number[] } {
  const av = a.dataSync();
  const bv = b.dataSync();
  const [aR, aC] = a.shape.slice(-2);
  const [bR, bC] = b.shape.slice(-2);
  const [rows, inner] = transposeA ? [aC, aR] : [aR, aC];
  const columns = transposeB ? bR : bC;
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const count = outer.reduce((n, d) => n * d, 1);
  const batchA = av.length / (aR * aC);
  const batchB = bv.length / (bR * bC);
  const data: number[] = [];
  for (let m = 0; m < count; m++) {
    const oa = (m % batchA) * aR * aC;
    const ob = (m % batchB) * bR * bC;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < columns; j++) {
        let sum = 0;
        for (let k = 0; k < inner; k++) {
          sum += av[oa + (transposeA ? k * aC + i : i * aC + k)] * bv[ob + (transposeB ? j * bC + k : k * bC + j)];
        }
        data.push(sum);
      }
    }
  }
  return { shape: [...outer, rows, columns], data };
}

function expectProduct(actual: tf.Tensor, want: { shape: number[]; data: number[] }, what: string): void {
  expect(actual.shape, `${what}: shape`).toEqual(want.shape);
  const got = actual.dataSync();
  want.data.forEach((w, i) => {
    if (Math.abs(got[i] - w) > 1e-4 * (1 + Math.abs(w))) expect(got[i], `${what}: element ${i}`).toBeCloseTo(w, 4);
  });
}

/**
 * [a shape, b shape] pairs: few and many rows, one and many left matrices
 * (stacked into one tall matrix for the kit's kernel, 16 columns or more),
 * 2-D and 3-D right ones, batches of pairs with a column count the SIMD
 * kernel takes (8, 16) and one it leaves to the backend (7). Transposed on
 * the left, one pair: column counts that fill the kernel's tiles of 8 and 4
 * and ones that leave 1–3 columns over, row counts that leave 1–3 rows over,
 * and a sum over 150 rows (two blocks of 64 and a part block). A b too
 * large for cache (packed into panels, summed in blocks of 128 steps, the
 * rows split across threads), with rows left over past the last four, alone
 * and stacked from a batch.
 */
const CASES: [number[], number[]][] = [
  [
    [3, 5],
    [5, 4],
  ],
  [
    [1, 185],
    [185, 128],
  ],
  [
    [2, 3, 16],
    [16, 7],
  ],
  [
    [40, 7],
    [7, 9],
  ],
  [
    [64, 128],
    [128, 32],
  ],
  [
    [4, 10, 6],
    [6, 5],
  ],
  [
    [2, 3, 8, 6],
    [1, 6, 5],
  ],
  [
    [5, 20, 6],
    [5, 6, 7],
  ],
  [
    [3, 2, 10, 6],
    [3, 2, 6, 8],
  ],
  [
    [64, 16, 8],
    [64, 8, 16],
  ],
  [
    [2, 7, 5],
    [2, 5, 21],
  ],
  [
    [2, 3],
    [3, 9],
  ],
  [
    [6, 9],
    [9, 7],
  ],
  [
    [13, 30],
    [30, 12],
  ],
  [
    [3, 20, 24],
    [24, 32],
  ],
  [
    [2, 2, 9, 12],
    [12, 20],
  ],
  [
    [12, 150],
    [150, 21],
  ],
  [
    [67, 300],
    [300, 1000],
  ],
  [
    [2, 40, 520],
    [520, 520],
  ],
];

/** a and b shaped for the given transposes, from the upright shapes above. */
function operands(
  aShape: number[],
  bShape: number[],
  transposeA: boolean,
  transposeB: boolean,
  seed: number,
): [tf.Tensor, tf.Tensor] {
  const swap = (s: number[], yes: boolean) => (yes ? [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]] : s);
  return [
    tf.randomUniform(swap(aShape, transposeA), -1, 1, "float32", seed),
    tf.randomUniform(swap(bShape, transposeB), -1, 1, "float32", seed + 1),
  ];
}

describe("the blocked product kernel (simd/matmul-blocked.wat)", () => {
  it("sums each element as the batched kernel does, bit for bit, however its rows are split", () => {
    const [m, k, n] = [24, 300, 40];
    const memory = new WebAssembly.Memory({ initial: 4 });
    const floats = new Float32Array(memory.buffer);
    const [a, b, packed, byBatched, byBlocks] = [0, m * k, m * k + k * n, m * k + 2 * k * n, 2 * m * k + 2 * k * n].map(
      (at) => 4 * at,
    );
    for (let i = 0; i < m * k + k * n; i++) floats[i] = Math.sin(0.7 * i) * 3;
    simdKernel(memory, "batched-matmul", "batchedMatMul")(a, b, byBatched, 1, m, k, n, 4 * k, 4);
    simdKernel(memory, "matmul-blocked", "packColumns")(b, packed, k, n);
    for (const [first, last] of [
      [0, 8],
      [8, 20],
      [20, 24],
    ]) {
      simdKernel(memory, "matmul-blocked", "multiplyRows")(a, packed, byBlocks, first, last, k, n, 128);
    }
    const want = floats.slice(byBatched / 4, byBatched / 4 + m * n);
    const got = floats.slice(byBlocks / 4, byBlocks / 4 + m * n);
    expect(got.findIndex((v, i) => !Object.is(v, want[i]))).toBe(-1);
  });
});

describe("wasm matrix products", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  it("runs on the wasm backend, the default here", () => {
    expect(tf.getBackend()).toBe("wasm");
  });

  it("gives the triple-loop product for every transpose and batch combination", () => {
    let seed = 1;
    for (const [aShape, bShape] of CASES) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const [a, b] = operands(aShape, bShape, transposeA, transposeB, (seed += 2));
          const product = tf.matMul(a, b, transposeA, transposeB);
          expectProduct(
            product,
            reference(a, b, transposeA, transposeB),
            `[${a.shape}]${transposeA ? "ᵀ" : ""} × [${b.shape}]${transposeB ? "ᵀ" : ""}`,
          );
          tf.dispose([a, b, product]);
        }
      }
    }
  });

  it("refuses mismatched inner sizes on every path, in tfjs's words", () => {
    const pairs: [number[], number[], boolean, boolean][] = [
      [[1, 5], [4, 6], false, true],
      [[40, 5], [6, 4], false, false],
      [[6, 5, 8], [6, 7, 16], false, false],
    ];
    for (const [aShape, bShape, transposeA, transposeB] of pairs) {
      const [a, b] = [tf.zeros(aShape), tf.zeros(bShape)];
      expect(() => tf.matMul(a, b, transposeA, transposeB), `[${aShape}] × [${bShape}]`).toThrow(
        /Error in matMul: inner shapes \(\d+\) and \(\d+\)/,
      );
      tf.dispose([a, b]);
    }
  });

  it("adds the bias and applies the activation of a fused product", () => {
    for (const [transposeA, transposeB] of [
      [false, true],
      [true, false],
      [true, true],
    ]) {
      const [a, b] = operands([48, 12], [12, 10], transposeA, transposeB, 7);
      const bias = tf.randomUniform([10], -1, 1, "float32", 9);
      const fused = tf.fused.matMul({ a, b, transposeA, transposeB, bias, activation: "relu" });
      const want = reference(a, b, transposeA, transposeB);
      const biasValues = bias.dataSync();
      const expected = { shape: want.shape, data: want.data.map((v, i) => Math.max(0, v + biasValues[i % 10])) };
      expectProduct(fused, expected, `fused, transposeA=${transposeA}, transposeB=${transposeB}`);
      tf.dispose([a, b, bias, fused]);
    }
  });

  it("gives the gradients of x·Wᵀ that a product of the values gives", () => {
    const x = tf.randomUniform([32, 6], -1, 1, "float32", 11);
    const w = tf.randomUniform([5, 6], -1, 1, "float32", 12);
    const dy = tf.randomUniform([32, 5], -1, 1, "float32", 13);
    const [dx, dw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.matMul(x, w, false, true))([x, w], dy);
    expectProduct(dx, reference(dy, w, false, false), "dx = dy·W");
    expectProduct(dw, reference(dy, x, true, false), "dW = dyᵀ·x");
    tf.dispose([x, w, dy, dx, dw]);
  });

  it("gives the gradients of attention's batched products, Q·Kᵀ and weights·V", () => {
    const q = tf.randomUniform([6, 16, 8], -1, 1, "float32", 31);
    const k = tf.randomUniform([6, 16, 8], -1, 1, "float32", 32);
    const dy = tf.randomUniform([6, 16, 16], -1, 1, "float32", 33);
    const [dq, dk] = tf.grads((q: tf.Tensor, k: tf.Tensor) => tf.matMul(q, k, false, true))([q, k], dy);
    expectProduct(dq, reference(dy, k, false, false), "dQ = dS·K");
    expectProduct(dk, reference(dy, q, true, false), "dK = dSᵀ·Q");
    tf.dispose([q, k, dy, dq, dk]);
  });

  it("frees its transposed copies and packed panels: tensors and backend buffers stay flat over many products", () => {
    const a = tf.randomUniform([64, 32], -1, 1, "float32", 21);
    const b = tf.randomUniform([16, 32], -1, 1, "float32", 22);
    const c = tf.randomUniform([64, 16], -1, 1, "float32", 23);
    const pairs = tf.randomUniform([8, 16, 8], -1, 1, "float32", 24);
    const odd = tf.randomUniform([64, 5], -1, 1, "float32", 25);
    const wide = tf.randomUniform([32, 8200], -1, 1, "float32", 26);
    const run = () =>
      tf.tidy(() =>
        tf
          .matMul(a, b, false, true)
          .add(tf.matMul(a, c, true, false).sum())
          .add(tf.matMul(a, odd, true, false).sum())
          .add(tf.matMul(pairs, pairs, false, true).sum())
          .add(tf.matMul(a, wide).sum()),
      );
    expectNoLeak(run, 50);
    tf.dispose([a, b, c, pairs, odd, wide]);
  });
});
