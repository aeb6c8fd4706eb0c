/**
 * Puts every matrix product the wasm backend can do fast on a fast path.
 *
 * tfjs-backend-wasm (4.22) sends a product to XNNPACK only when neither side
 * is transposed and neither is batched; everything else runs a naive loop
 * about six times slower (2.7 against 15 GFLOP/s on [64,128]×[128,128]).
 * Training hits the slow loop all the time: Linear computes x·Wᵀ, and the
 * gradient of every product has a transposed side. BatchMatMul (and
 * _FusedMatMul, which shares the path) is wrapped here:
 *
 * - b one matrix, 16 rows or more: transposed sides materialised by the
 *   Transpose kernel, a batch of left matrices stacked into one tall
 *   matrix, the product on XNNPACK;
 * - b one matrix, fewer rows: XNNPACK would first repack b (about 0.1 ms for
 *   128×128), so x·Wᵀ goes to the kit's SIMD dot products
 *   (simd/matmul-transposed.wat), x·W to the batched kernel below;
 * - a batch of pairs of small matrices (attention heads, [batch·heads, 16, 8]
 *   by [batch·heads, 8, 16]): the kit's SIMD kernel (simd/batched-matmul.wat),
 *   4–6 times faster than the loop and summing in the same order;
 * - aᵀ·b for one pair (every weight gradient, dW = dyᵀ·x): the kit's SIMD
 *   kernel (simd/matmul-transposed-a.wat) reads a where it lies. Materialising
 *   aᵀ for XNNPACK cost as much as the product: 0.9 against 0.33 ms for
 *   [2048,96]ᵀ·[2048,32], W4's attention projection.
 */
import * as tf from "@tensorflow/tfjs";
import { simdKernel } from "./simd";
import { KernelFunc, KernelScope, TensorInfo, WasmBackend, heap, replaceWasmKernel } from "./wasm-kernels";

const FEWEST_ROWS_FOR_XNNPACK = 16;

function size(shape: number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function fastProduct(original: KernelFunc, fused: boolean): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs;
    const transposeA = Boolean(args.attrs.transposeA);
    const transposeB = Boolean(args.attrs.transposeB);
    const batchA = size(a.shape.slice(0, -2));
    const batchB = size(b.shape.slice(0, -2));
    const [aRows, aCols] = a.shape.slice(-2);
    const [bRows, bCols] = b.shape.slice(-2);
    const [rows, inner] = transposeA ? [aCols, aRows] : [aRows, aCols];
    const columns = transposeB ? bRows : bCols;
    const innerB = transposeB ? bCols : bRows;
    // tfjs checks this in the backend's kernel, which the fast paths skip: the same check, the same words.
    if (inner !== innerB) {
      throw new Error(
        `Error in matMul: inner shapes (${inner}) and (${innerB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
      );
    }
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const simd = !fused && a.dtype === "float32" && batchA * rows * inner * columns !== 0;
    const upright = (scope: KernelScope, x: tf.TensorInfo, shape: number[], transposed: boolean) =>
      transposed ? scope.transpose(scope.reshape(x, shape), [0, 2, 1]) : scope.reshape(x, shape);

    if (batchB !== 1) {
      // A batch of pairs (attention heads): the kit's SIMD kernel, where it applies.
      if (!simd || !tf.util.arraysEqual(a.shape.slice(0, -2), b.shape.slice(0, -2))) return original(args);
      const scope = new KernelScope(args.backend);
      const left = upright(scope, a, [batchA, aRows, aCols], transposeA);
      const right = upright(scope, b, [batchB, bRows, bCols], transposeB);
      const out = batchedProduct(args.backend, left, right, [...outer, rows, columns], batchA);
      scope.dispose();
      return out;
    }
    // PReLU weights may be laid out per output row, which stacking the left matrices would shift.
    if (args.inputs.preluActivationWeights) return original(args);
    if (simd && transposeA && !transposeB && batchA === 1) return transposedAProduct(args.backend, a, b, [...outer, rows, columns]);
    if (simd && !transposeA && batchA * rows < FEWEST_ROWS_FOR_XNNPACK) {
      // A few rows (one example, one time step): x·Wᵀ as dot products of rows; x·W as rows built from W's rows,
      // the batched kernel with a batch of one.
      if (!transposeB) return batchedProduct(args.backend, a, b, [...outer, rows, columns], 1);
      const memory = heap(args.backend);
      const out = memory.output([...outer, rows, columns], "float32");
      const kernel = simdKernel(memory.memory, "matmul-transposed", "matMulTransposed");
      kernel(memory.offset(a), memory.offset(b), memory.offset(out), batchA * rows, inner, columns);
      return out;
    }
    // Upright and alone, a product is on XNNPACK already.
    if (!transposeA && !transposeB && batchA === 1) return original(args);
    const scope = new KernelScope(args.backend);
    // [batchA·rows, inner]: every left matrix, upright, stacked into one tall one.
    const left = scope.reshape(upright(scope, a, [batchA, aRows, aCols], transposeA), [1, batchA * rows, inner]);
    const right = upright(scope, b, [1, bRows, bCols], transposeB);
    const inputs = { ...args.inputs, a: left, b: right };
    const out = original({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    scope.dispose();
    return { ...out, shape: [...outer, rows, columns] };
  };
}

/**
 * a·b for `batch` pairs of upright matrices, on the kit's SIMD kernel (all
 * rows of a against one b when `batch` is 1).
 */
function batchedProduct(backend: WasmBackend, a: TensorInfo, b: TensorInfo, shape: number[], batch: number): TensorInfo {
  const [rows, inner] = [a.shape[a.shape.length - 2], a.shape[a.shape.length - 1]];
  const columns = b.shape[b.shape.length - 1];
  const memory = heap(backend);
  const out = memory.output(shape, "float32");
  const kernel = simdKernel(memory.memory, "batched-matmul", "batchedMatMul");
  const stackedRows = batch === 1 ? a.shape.slice(0, -1).reduce((n, d) => n * d, 1) : rows;
  kernel(memory.offset(a), memory.offset(b), memory.offset(out), batch, stackedRows, inner, columns);
  return out;
}

/** aᵀ·b, a [inner, rows] and b [inner, columns], on the kit's SIMD kernel. */
function transposedAProduct(backend: WasmBackend, a: TensorInfo, b: TensorInfo, shape: number[]): TensorInfo {
  const [inner, rows] = a.shape.slice(-2);
  const columns = b.shape[b.shape.length - 1];
  const memory = heap(backend);
  const out = memory.output(shape, "float32");
  const kernel = simdKernel(memory.memory, "matmul-transposed-a", "matMulTransposedA");
  kernel(memory.offset(a), memory.offset(b), memory.offset(out), inner, rows, columns);
  return out;
}

/** Wraps the wasm backend's product kernels; see the top of this file. */
export function installWasmMatMul(): void {
  for (const name of ["BatchMatMul", "_FusedMatMul"]) {
    replaceWasmKernel(name, (original) => {
      if (!original) throw new Error(`the wasm backend has no ${name} kernel: @tensorflow/tfjs-backend-wasm is not the version dlkit expects (see package.json)`);
      return fastProduct(original, name === "_FusedMatMul");
    });
  }
}
