/**
 * The transposes the wasm backend does slowly, done tile by tile in
 * JavaScript.
 *
 * tfjs-backend-wasm's Transpose (4.22) is fast on most shapes but slow on
 * tall matrices with at least 16 columns: turning [2048, 32] into
 * [32, 2048] takes 0.5 ms, 7 ns per element, because every element read
 * from a row is written to a different output row, far apart. Those are the
 * shapes of a training batch's activations, which the gradient of every
 * matrix product transposes. Here the axes that move together are merged
 * first, so that a permutation that is a (batched) 2-D transpose is seen as
 * one; tall ones are copied in 32×32 tiles. Other permutations of three or
 * more merged axes, slow in the backend, run the kit's wasm kernel; plain
 * 2-D ones keep the backend's.
 */
import * as tf from "@tensorflow/tfjs";
import { simdKernel } from "./simd";
import {
  HeapValues,
  IN_PLACE_DTYPES,
  KernelArgs,
  KernelFunc,
  TensorInfo,
  WasmBackend,
  heap,
  wrapWasmKernel,
  shareBuffer,
} from "./wasm-kernels";

/**
 * The same permutation on fewer axes: axes of size 1 dropped, and axes that
 * stay neighbours, in order, merged into one.
 */
function mergeAxes(shape: number[], perm: number[]): { shape: number[]; perm: number[] } {
  const kept = perm.filter((axis) => shape[axis] !== 1);
  // Renumber the kept axes 0..k-1 in input order.
  const order = [...kept].sort((a, b) => a - b);
  const renumbered = kept.map((axis) => order.indexOf(axis));
  const keptShape = order.map((axis) => shape[axis]);
  // Merge runs i, i+1, ... that appear consecutively in the permutation.
  const groups: number[][] = [];
  for (const axis of renumbered) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === axis) last.push(axis);
    else groups.push([axis]);
  }
  const byStart = [...groups].sort((a, b) => a[0] - b[0]);
  return {
    shape: byStart.map((g) => g.reduce((n, axis) => n * keptShape[axis], 1)),
    perm: groups.map((g) => byStart.indexOf(g)),
  };
}

const TILE = 32;
/** Rows and columns from which tiles beat the backend (bench: [2048, 32] 0.15 against 0.49 ms; [2048, 10] and [64, 256, 16] lose). */
const TALL = { rows: 1024, columns: 16 };

/** out[b, c, r] = x[b, r, c]. */
function transposeBatches(x: HeapValues, out: HeapValues, batches: number, rows: number, columns: number): void {
  const size = rows * columns;
  for (let b = 0; b < batches; b++) {
    const base = b * size;
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(rows, r0 + TILE);
      for (let c0 = 0; c0 < columns; c0 += TILE) {
        const c1 = Math.min(columns, c0 + TILE);
        for (let c = c0; c < c1; c++) {
          const o = base + c * rows;
          for (let r = r0; r < r1; r++) out[o + r] = x[base + r * columns + c];
        }
      }
    }
  }
}

/** out = x with its (merged) axes permuted, on the kit's wasm kernel (simd/transpose.wat); 4-byte elements. */
function transposeAnyRank(backend: WasmBackend, x: TensorInfo, out: TensorInfo, shape: number[], perm: number[]): void {
  const byteStrides = shape.map((_, i) => 4 * tf.util.sizeFromShape(shape.slice(i + 1)));
  const rank = perm.length;
  const memory = heap(backend);
  const table = memory.output([3 * rank], "int32");
  memory
    .values(table)
    .set([...perm.map((axis) => shape[axis]), ...perm.map((axis) => byteStrides[axis]), ...perm.map(() => 0)]);
  const base = memory.offset(table);
  const kernel = simdKernel(memory.memory, "transpose", "transpose");
  kernel(
    memory.offset(x),
    memory.offset(out),
    rank,
    base,
    base + 4 * rank,
    base + 8 * rank,
    tf.util.sizeFromShape(shape),
  );
  backend.disposeData(table.dataId);
}

function transpose(original: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs;
    const perm = args.attrs.perm as number[];
    const { shape, perm: merged } = mergeAxes(x.shape, perm);
    // Only axes of size 1 move ([1, n] → [n, 1]): the values stay in order, so this is a reshape, a second handle on the buffer.
    if (merged.length <= 1)
      return shareBuffer(
        args.backend,
        x,
        perm.map((axis) => x.shape[axis]),
      );
    if (!IN_PLACE_DTYPES.includes(x.dtype)) return original(args);
    const batched = merged.length === 3 && merged[0] === 0 && merged[1] === 2;
    const [batches, rows, columns] = batched ? shape : [1, ...shape];
    const tall = (merged.length === 2 || batched) && rows >= TALL.rows && columns >= TALL.columns;
    const fourBytes = x.dtype !== "bool";
    // The backend's kernel is fast on plain 2-D transposes and slow on the rest: 10 ms for attention's
    // [batch, seq, 3, heads, headDim] → [3, batch, heads, seq, headDim], 0.45 ms for LeNet's NCHW → NHWC.
    if (!tall && (merged.length === 2 || !fourBytes)) return original(args);
    const memory = heap(args.backend);
    const out = memory.output(
      perm.map((axis) => x.shape[axis]),
      x.dtype,
    );
    if (tall) transposeBatches(memory.values(x), memory.values(out), batches, rows, columns);
    else transposeAnyRank(args.backend, x, out, shape, merged);
    return out;
  };
}

/** Registers the transpose; see the top of this file. */
export function installWasmTranspose(): void {
  wrapWasmKernel("Transpose", transpose);
}
