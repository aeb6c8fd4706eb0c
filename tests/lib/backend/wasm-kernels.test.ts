/**
 * The wasm kernels lib/backend replaces for speed (transpose, sum over
 * leading axes, slices, unstack, split, identity) give the values their
 * definitions give, on the shapes that take the new paths and on those that
 * keep the backend's own, and free every buffer they allocate.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { expectNoLeak } from "./memory";

/** 0, 1, 2, ... in the given shape, so every element is told apart. */
function counting(shape: number[], dtype: "float32" | "int32" = "float32"): tf.Tensor {
  const size = shape.reduce((n, d) => n * d, 1);
  return tf.tensor(
    Array.from({ length: size }, (_, i) => i),
    shape,
    dtype,
  );
}

function strides(shape: number[]): number[] {
  const out = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1] * shape[i + 1];
  return out;
}

/** The flat index in `shape` of every position of `outShape`, in order, through `where`. */
function gatherIndices(outShape: number[], where: (index: number[]) => number): number[] {
  const size = outShape.reduce((n, d) => n * d, 1);
  const outStrides = strides(outShape);
  return Array.from({ length: size }, (_, flat) =>
    where(outShape.map((_, i) => Math.floor(flat / outStrides[i]) % outShape[i])),
  );
}

function transposed(x: tf.Tensor, perm: number[]): number[] {
  const values = x.dataSync();
  const s = strides(x.shape);
  return gatherIndices(
    perm.map((p) => x.shape[p]),
    (index) => values[index.reduce((o, v, i) => o + v * s[perm[i]], 0)],
  );
}

function sliced(x: tf.Tensor, begin: number[], size: number[]): number[] {
  const values = x.dataSync();
  const s = strides(x.shape);
  return gatherIndices(size, (index) => values[index.reduce((o, v, i) => o + (v + begin[i]) * s[i], 0)]);
}

describe("wasm kernels replaced for speed", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
    expect(tf.getBackend()).toBe("wasm");
  });

  it("transposes tall, square and wide matrices, batches of them and every other permutation element for element", () => {
    const cases: [number[], number[]][] = [
      [
        [2048, 32],
        [1, 0],
      ],
      [
        [3, 1100, 17],
        [0, 2, 1],
      ],
      [
        [2, 1, 1030, 20],
        [0, 1, 3, 2],
      ],
      [
        [1030, 4, 16],
        [1, 2, 0],
      ],
      [
        [5, 6, 7],
        [2, 0, 1],
      ],
      [
        [64, 6, 5, 5],
        [0, 2, 3, 1],
      ],
      [
        [1, 185],
        [1, 0],
      ],
      [
        [3, 1, 4],
        [1, 0, 2],
      ],
      [
        [2, 3, 4, 5, 6],
        [2, 0, 3, 1, 4],
      ],
      [
        [4, 5, 6],
        [1, 0, 2],
      ],
      [
        [4, 5, 8],
        [1, 0, 2],
      ],
      [
        [130, 131],
        [1, 0],
      ],
      [
        [33, 70],
        [1, 0],
      ],
    ];
    for (const [shape, perm] of cases) {
      const x = counting(shape);
      const y = x.transpose(perm);
      expect(y.shape, `${shape} by ${perm}`).toEqual(perm.map((p) => shape[p]));
      expect(Array.from(y.dataSync()), `${shape} by ${perm}`).toEqual(transposed(x, perm));
      tf.dispose([x, y]);
    }
    const ids = counting([1500, 16], "int32");
    const flags = tf.tensor2d(
      Array.from({ length: 1500 * 16 }, (_, i) => i % 3 === 0),
      [1500, 16],
      "bool",
    );
    expect(Array.from(ids.transpose().dataSync())).toEqual(transposed(ids, [1, 0]));
    const heads = counting([2, 3, 4, 5, 6], "int32");
    expect(Array.from(heads.transpose([2, 0, 3, 1, 4]).dataSync())).toEqual(transposed(heads, [2, 0, 3, 1, 4]));
    expectNoLeak(() => heads.transpose([2, 0, 3, 1, 4]));
    heads.dispose();
    expect(Array.from(flags.transpose().dataSync())).toEqual(transposed(flags, [1, 0]));
    expectNoLeak(() => tf.tidy(() => counting([2048, 32]).transpose()));
    // Moving only an axis of size 1 shares the buffer: freeing either side leaves the other intact.
    const row = counting([1, 6]);
    const column = row.transpose();
    row.dispose();
    expect(Array.from(column.dataSync())).toEqual([0, 1, 2, 3, 4, 5]);
    expectNoLeak(() => tf.tidy(() => counting([1, 8]).transpose()));
    column.dispose();
    tf.dispose([ids, flags]);
  });

  it("sums over leading axes, keeping dimensions or not, and over any other axis as before", () => {
    // [131, 2, 3] over axis 0: 65 chunks of two rows (past one block of 64) and a row left over.
    // [1, 4, 3] over axis 0: a sum over one row, the values themselves.
    for (const shape of [
      [40, 3, 50],
      [131, 2, 3],
      [1, 4, 3],
    ])
      expectSums(tf.randomUniform(shape, -1, 1, "float32", 3));
  });

  function expectSums(x: tf.Tensor): void {
    const values = x.dataSync();
    const over = (axes: number[]) => {
      const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const s = strides(x.shape);
      const total = new Array(kept.reduce((n, d) => n * d, 1)).fill(0);
      const keptStrides = strides(kept);
      values.forEach((v, flat) => {
        const index = x.shape.map((d, i) => Math.floor(flat / s[i]) % d);
        total[index.reduce((o, p, i) => o + (axes.includes(i) ? 0 : p * keptStrides[i]), 0)] += v;
      });
      return total;
    };
    for (const axes of [[0], [0, 1], [1], [2], [1, 2], [0, 2]]) {
      for (const keepDims of [false, true]) {
        const sum = x.sum(axes, keepDims);
        const want = x.shape.map((d, i) => (axes.includes(i) ? 1 : d)).filter((_, i) => keepDims || !axes.includes(i));
        expect(sum.shape, `axes ${axes}, keepDims ${keepDims}`).toEqual(want);
        const expected = over(axes);
        sum
          .dataSync()
          .forEach((v, i) => expect(v, `[${x.shape}], axes ${axes}, element ${i}`).toBeCloseTo(expected[i], 4));
        sum.dispose();
      }
    }
    expectNoLeak(() => x.sum(0));
    x.dispose();
  }

  it("slices in place, contiguous or not, of every rank and dtype", () => {
    const cases: [number[], number[], number[]][] = [
      [
        [10, 4, 6],
        [3, 0, 0],
        [2, 4, 6],
      ],
      [
        [10, 4, 6],
        [1, 1, 2],
        [5, 2, 3],
      ],
      [
        [7, 9],
        [2, 3],
        [4, 1],
      ],
      [
        [2, 3, 4, 5],
        [1, 0, 2, 1],
        [1, 3, 2, 4],
      ],
      [[30], [5], [20]],
    ];
    for (const [shape, begin, size] of cases) {
      for (const dtype of ["float32", "int32"] as const) {
        const x = counting(shape, dtype);
        const y = x.slice(begin, size);
        expect(y.dtype).toBe(dtype);
        expect(Array.from(y.dataSync()), `${shape} from ${begin} size ${size}`).toEqual(sliced(x, begin, size));
        tf.dispose([x, y]);
      }
    }
    const flags = tf.tensor2d([true, false, true, true, false, false], [3, 2], "bool");
    expect(Array.from(flags.slice([1, 0], [2, 1]).dataSync())).toEqual([1, 0]);
    expectNoLeak(() => tf.tidy(() => counting([10, 4, 6]).slice([1, 1, 2], [5, 2, 3])));
    flags.dispose();
  });

  it("unstacks along any axis and splits into given sizes", () => {
    const x = counting([3, 4, 5]);
    for (const axis of [0, 1, 2]) {
      const pieces = tf.unstack(x, axis);
      expect(pieces.length).toBe(x.shape[axis]);
      pieces.forEach((piece, i) => {
        const begin = [0, 0, 0].map((_, a) => (a === axis ? i : 0));
        const size = x.shape.map((d, a) => (a === axis ? 1 : d));
        expect(piece.shape).toEqual(x.shape.filter((_, a) => a !== axis));
        expect(Array.from(piece.dataSync()), `axis ${axis}, piece ${i}`).toEqual(sliced(x, begin, size));
      });
      tf.dispose(pieces);
    }
    const parts = tf.split(x, [1, 3], 1);
    expect(parts.map((p) => p.shape)).toEqual([
      [3, 1, 5],
      [3, 3, 5],
    ]);
    expect(Array.from(parts[1].dataSync())).toEqual(sliced(x, [0, 1, 0], [3, 3, 5]));
    const grads = tf.grad((v: tf.Tensor) => tf.unstack(v, 1)[2].sum())(x);
    expect(Array.from(grads.dataSync())).toEqual(
      sliced(x, [0, 0, 0], [3, 4, 5]).map((_, i) => (Math.floor(i / 5) % 4 === 2 ? 1 : 0)),
    );
    expectNoLeak(() => tf.unstack(x, 1));
    expectNoLeak(() => tf.split(x, 5, 2));
    tf.dispose([x, grads, ...parts]);
  });

  it("sends max-pool gradients to each window's first maximum, NaN winning, for tiling windows of 4+ channels and any other pooling, and pools 2×2 windows to their maximum, NaN included, as PyTorch", () => {
    /** PyTorch's rule, written plainly: x [n, h, w, c] (NHWC), square windows. */
    const reference = (x: number[], shape: number[], k: number, stride: number, dy: number[]) => {
      const [n, h, w, c] = shape;
      const [oh, ow] = [Math.floor((h - k) / stride) + 1, Math.floor((w - k) / stride) + 1];
      const dx = new Array(x.length).fill(0);
      const y: number[] = [];
      let o = 0;
      for (let b = 0; b < n; b++)
        for (let oy = 0; oy < oh; oy++)
          for (let ox = 0; ox < ow; ox++)
            for (let ch = 0; ch < c; ch++) {
              let best = -Infinity;
              let at = ((b * h + oy * stride) * w + ox * stride) * c + ch;
              for (let ky = 0; ky < k; ky++)
                for (let kx = 0; kx < k; kx++) {
                  const i = ((b * h + oy * stride + ky) * w + ox * stride + kx) * c + ch;
                  if (x[i] > best || Number.isNaN(x[i])) [best, at] = [x[i], i];
                }
              dx[at] += dy[o++];
              y.push(best);
            }
      return { dx, y };
    };
    // Few distinct values: many ties, whole windows of −∞, some NaN.
    const palette = [0, 0, 1, 2, -Infinity, NaN, 0.5, 2];
    for (const [shape, k, stride] of [
      [[2, 5, 4, 6], 2, 2],
      [[1, 6, 6, 4], 3, 3],
      [[2, 4, 4, 8], 2, 2],
      [[1, 5, 5, 2], 2, 2],
      [[1, 5, 5, 5], 3, 1],
    ] as [number[], number, number][]) {
      const size = shape.reduce((a, b) => a * b, 1);
      // Ties, NaN and −∞ from the palette; then distinct values, so that every cell of a window is its largest somewhere.
      const paletteValues = Array.from(
        { length: size },
        (_, i) => palette[(i * 7 + Math.floor(i / 5)) % palette.length],
      );
      const distinctValues = Array.from({ length: size }, (_, i) => Math.fround(Math.sin(i * 1.7) * 10));
      for (const values of [paletteValues, distinctValues]) {
        const x = tf.tensor4d(values, shape as [number, number, number, number]);
        const y = tf.maxPool(x, k, stride, "valid");
        const dy = tf.tensor(
          Array.from({ length: y.size }, (_, i) => i + 1),
          y.shape,
        );
        const dx = tf
          .engine()
          .runKernel(
            "MaxPoolGrad",
            { dy, input: x, output: y },
            { filterSize: k, strides: stride, pad: "valid" },
          ) as tf.Tensor;
        expect(Array.from(dx.dataSync()), `[${shape}], window ${k}, stride ${stride}`).toEqual(
          reference(values, shape, k, stride, Array.from(dy.dataSync())).dx,
        );
        // The kit's pooling kernel takes 2×2 windows with stride 2 and 4 channels or more (XNNPACK the others).
        if (k === 2 && stride === 2 && shape[3] >= 4)
          expect(Array.from(y.dataSync()), `maxPool [${shape}]`).toEqual(reference(values, shape, k, stride, []).y);
        tf.dispose([x, y, dy, dx]);
      }
    }
  });

  it("clones share the buffer safely: disposing either side leaves the other intact", () => {
    const x = tf.tensor1d([1, 2, 3]);
    const copy = x.clone();
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3]);
    const again = copy.clone();
    copy.dispose();
    expect(Array.from(again.dataSync())).toEqual([1, 2, 3]);
    again.dispose();
    const base = tf.ones([4]);
    expectNoLeak(() => tf.tidy(() => base.clone().add(1)));
    base.dispose();
  });
});
