/**
 * Transposes on the wasm backend, as the kit's wasm kernels.
 *
 * tfjs-backend-wasm's Transpose (4.22) is slow on tall matrices with at
 * least 16 columns (turning [2048, 32] into [32, 2048] took 0.5 ms, 7 ns an
 * element: every element read from a row is written to a different output
 * row, far apart), on square ones whose rows are a power of two of bytes
 * apart ([128, 128], a recurrent weight that x·Wᵀ turns on every step: 63
 * µs, where 4 × 4 blocks take a fraction of that), and on permutations of
 * three axes or more (10 ms for attention's [batch, seq, 3, heads, headDim]
 * → [3, batch, heads, seq, headDim]). Here the axes that move together are
 * merged first, so that a permutation that is a (batched) 2-D transpose is
 * seen as one, and runs simd/transpose-2d.wat; the others run
 * simd/transpose.wat. Booleans (one byte each) keep the backend's.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { simdKernel } from "./simd";
import { KernelArgs, KernelFunc, TensorInfo, WasmBackend, heap, wrapWasmKernel, shareBuffer } from "./wasm-kernels";

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
    // The kernels copy 4-byte elements.
    if (x.dtype !== "float32" && x.dtype !== "int32") return original(args);
    const batched = merged.length === 3 && merged[0] === 0 && merged[1] === 2;
    const memory = heap(args.backend);
    const out = memory.output(
      perm.map((axis) => x.shape[axis]),
      x.dtype,
    );
    if (merged.length === 2 || batched) {
      const [batches, rows, columns] = batched ? shape : [1, ...shape];
      simdKernel(memory.memory, "transpose-2d", "transpose2d")(
        memory.offset(x),
        memory.offset(out),
        batches,
        rows,
        columns,
      );
    } else transposeAnyRank(args.backend, x, out, shape, merged);
    return out;
  };
}

/** Registers the transpose; see the top of this file. */
export function installWasmTranspose(): void {
  wrapWasmKernel("Transpose", transpose);
}
