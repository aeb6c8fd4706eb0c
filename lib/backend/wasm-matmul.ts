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
 *   matrix, the product on the kit's blocked kernel when it is large (see
 *   takesBlocks: b packed into panels, the rows split across threads), on
 *   the kit's batched kernel when b is small and at least 16 wide (see
 *   kitTakesProduct), on XNNPACK otherwise. The 1024² product: 40–44
 *   GFLOP/s on one thread and 74–82 on two, where XNNPACK's ran at 33 and
 *   64 (its wasm kernels have no fused multiply-add; README, "Speed");
 * - b one matrix, fewer rows: XNNPACK would first repack b (about 0.1 ms for
 *   128×128), so x·Wᵀ goes to the kit's SIMD dot products
 *   (simd/matmul-transposed.wat), x·W to the batched kernel below;
 * - a batch of pairs of small matrices (attention heads, [batch·heads, 16, 8]
 *   by [batch·heads, 8, 16]): the kit's SIMD kernel (simd/batched-matmul.wat),
 *   which reads a transposed a where it lies, 4–6 times faster than the loop
 *   and summing in the same order;
 * - aᵀ·b for one pair (every weight gradient, dW = dyᵀ·x): the kit's SIMD
 *   kernel (simd/matmul-transposed-a.wat) reads a where it lies. Materialising
 *   aᵀ for XNNPACK cost as much as the product: 0.9 against 0.33 ms for
 *   [2048,96]ᵀ·[2048,32], W4's attention projection.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { sharedMemory, simdKernel } from "./simd";
import { runOnThreads } from "./row-workers";
import { KernelFunc, KernelScope, TensorInfo, WasmBackend, heap, wrapWasmKernel } from "./wasm-kernels";
import { wasmThreadCount } from "./wasm-threads";

const FEWEST_ROWS_FOR_XNNPACK = 16;
/** The most floats of b the batched kernel takes: it reads b again for every four rows, unpacked, so b stays in cache. */
const MOST_FLOATS_OF_B = 262_144;
/** Above this many multiply-adds, XNNPACK's threads split a product faster than one thread runs the kit's kernel. */
const MOST_MULTIPLY_ADDS_ON_ONE_THREAD = 4_000_000;
/** The fewest rows for which the blocked kernel packs b: packing costs about as much as 16 rows of the product. */
const FEWEST_ROWS_FOR_BLOCKS = 64;
/** The fewest multiply-adds the blocked kernel takes when b fits in cache: 256³ runs 1.15 times as fast split in two. */
const FEWEST_MULTIPLY_ADDS_FOR_BLOCKS = 16_000_000;
/** Steps along k the blocked kernel sums before moving on: 128 steps of every panel of a 1024-wide b is 512 KB, in cache. */
const BLOCK_DEPTH = 128;

/**
 * Whether an upright product (or one made upright) of `rows` rows goes to
 * the kit's batched kernel rather than to XNNPACK, which sets itself up
 * again on every call for a b it has not seen (every gradient): twice as
 * fast on [64, 128]·[128, 128], a third faster on W4's [2048, 32]·[32, 96]
 * on one thread. Not for b narrower than the kernel's tiles of 8 or too
 * large for cache (it reads b unpacked: a 1024² product ran at 10.6
 * GFLOP/s, a third of XNNPACK's speed), nor for products XNNPACK's threads
 * can split.
 */
function kitTakesProduct(backend: WasmBackend, rows: number, inner: number, columns: number): boolean {
  if (columns < 16 || inner * columns > MOST_FLOATS_OF_B) return false;
  return !sharedMemory(heap(backend).memory) || rows * inner * columns <= MOST_MULTIPLY_ADDS_ON_ONE_THREAD;
}

function fastProduct(original: KernelFunc, fused: boolean): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs;
    const transposeA = Boolean(args.attrs.transposeA);
    const transposeB = Boolean(args.attrs.transposeB);
    const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
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
    const outShape = [...outer, rows, columns];
    const simd = !fused && a.dtype === "float32" && batchA * rows * inner * columns !== 0;
    // The batched kernel reads a where it lies: bytes from a[i, t] to a[i + 1, t] and to a[i, t + 1].
    const aSteps = transposeA ? [4, 4 * aCols] : [4 * aCols, 4];
    const upright = (scope: KernelScope, x: TensorInfo, shape: number[], transposed: boolean) =>
      transposed ? scope.transpose(scope.reshape(x, shape), [0, 2, 1]) : scope.reshape(x, shape);

    if (batchB !== 1) {
      // A batch of pairs (attention heads): the kit's SIMD kernel, where it applies.
      if (!simd || !tf.util.arraysEqual(a.shape.slice(0, -2), b.shape.slice(0, -2))) return original(args);
      const scope = new KernelScope(args.backend);
      const right = upright(scope, b, [batchB, bRows, bCols], transposeB);
      const out = simdProduct(args.backend, BATCHED, a, right, outShape, [batchA, rows, inner, columns, ...aSteps]);
      scope.dispose();
      return out;
    }
    // PReLU weights may be laid out per output row, which stacking the left matrices would shift.
    if (args.inputs.preluActivationWeights) return original(args);
    if (simd && transposeA && !transposeB && batchA === 1)
      return simdProduct(args.backend, TRANSPOSED_A, a, b, outShape, [inner, rows, columns]);
    // A few rows (one example, one time step): x·Wᵀ as dot products of rows; x·W as rows built from W's rows,
    // the batched kernel with a batch of one.
    if (simd && !transposeA && batchA * rows < FEWEST_ROWS_FOR_XNNPACK) {
      return transposeB
        ? simdProduct(args.backend, TRANSPOSED_B, a, b, outShape, [batchA * rows, inner, columns])
        : simdProduct(args.backend, BATCHED, a, b, outShape, [1, batchA * rows, inner, columns, ...aSteps]);
    }
    const blocked = simd && takesBlocks(batchA * rows, inner, columns);
    const kit = simd && !blocked && kitTakesProduct(args.backend, batchA * rows, inner, columns);
    if (blocked && !transposeA && !transposeB)
      return blockedProduct(args.backend, a, b, outShape, batchA * rows, inner, columns);
    // The batched kernel's sizes for every left matrix, upright, stacked into one tall one [batchA·rows, inner].
    const stacked = [1, batchA * rows, inner, columns, 4 * inner, 4];
    if (!transposeA && !transposeB) {
      // Upright, the left matrices lie stacked already; upright and alone, a product is on XNNPACK already.
      if (kit) return simdProduct(args.backend, BATCHED, a, b, outShape, stacked);
      if (batchA === 1) return original(args);
    }
    const scope = new KernelScope(args.backend);
    const left = scope.reshape(upright(scope, a, [batchA, aRows, aCols], transposeA), [1, batchA * rows, inner]);
    const right = upright(scope, b, [1, bRows, bCols], transposeB);
    const out = kit
      ? simdProduct(args.backend, BATCHED, left, right, outShape, stacked)
      : blocked
        ? blockedProduct(args.backend, left, right, outShape, batchA * rows, inner, columns)
        : original({
            ...args,
            inputs: { ...args.inputs, a: left, b: right },
            attrs: { ...args.attrs, transposeA: false, transposeB: false },
          });
    scope.dispose();
    return { ...out, shape: outShape };
  };
}

/** The kit's SIMD product kernels (simd/*.wat): module and export, and the sizes each takes after a, b and out. */
const BATCHED = ["batched-matmul", "batchedMatMul"] as const; // [batch, m, k, n, a's row and k steps]: a [batch, m, k] · b [batch, k, n]
const TRANSPOSED_A = ["matmul-transposed-a", "matMulTransposedA"] as const; // [n, k, m]: a [n, k]ᵀ · b [n, m]
const TRANSPOSED_B = ["matmul-transposed", "matMulTransposed"] as const; // [m, k, n]: a [m, k] · b [n, k]ᵀ
const BLOCKED = "matmul-blocked";

function simdProduct(
  backend: WasmBackend,
  [module, name]: readonly [string, string],
  a: TensorInfo,
  b: TensorInfo,
  shape: number[],
  sizes: number[],
): TensorInfo {
  const memory = heap(backend);
  const out = memory.output(shape, "float32");
  simdKernel(memory.memory, module, name)(memory.offset(a), memory.offset(b), memory.offset(out), ...sizes);
  return out;
}

/**
 * Whether a large product goes to the blocked kernel (simd/matmul-blocked.wat),
 * which packs b into panels of 8 columns and splits its rows across the
 * backend's threads: b too large for the batched kernel's cache, or work
 * enough (0.4 ms on one thread) that handing rows to a worker pays. Needs
 * b a whole number of panels, and rows enough to pay for packing it (about
 * as long as 16 rows of the product). Products of the labs' models stay
 * below (W4's largest, [2048, 32]·[32, 96], is 6.3 million multiply-adds):
 * in training, the row workers would compete for the cores with XNNPACK's
 * spinning threads (README).
 */
function takesBlocks(rows: number, inner: number, columns: number): boolean {
  if (columns < 16 || columns % 8 !== 0 || rows < FEWEST_ROWS_FOR_BLOCKS) return false;
  return inner * columns > MOST_FLOATS_OF_B || rows * inner * columns >= FEWEST_MULTIPLY_ADDS_FOR_BLOCKS;
}

/**
 * a [rows, inner] · b [inner, columns], upright, on the blocked kernel: b
 * packed once, the rows in fours split across the backend's threads, the
 * last rows mod 4 on the batched kernel (the same sums, bit for bit).
 */
function blockedProduct(
  backend: WasmBackend,
  a: TensorInfo,
  b: TensorInfo,
  shape: number[],
  rows: number,
  inner: number,
  columns: number,
): TensorInfo {
  const memory = heap(backend);
  const out = memory.output(shape, "float32");
  const scope = new KernelScope(backend);
  const packed = memory.offset(scope.scratch(inner * columns));
  const [pa, pb, pc] = [memory.offset(a), memory.offset(b), memory.offset(out)];
  simdKernel(memory.memory, BLOCKED, "packColumns")(pb, packed, inner, columns);
  const fours = rows - (rows % 4);
  const threads = Math.min(wasmThreadCount(), fours / 4);
  const calls = Array.from({ length: threads }, (_, t) => {
    const [first, last] = [t, t + 1].map((i) => 4 * Math.round((i * fours) / (4 * threads)));
    return [pa, packed, pc, first, last, inner, columns, BLOCK_DEPTH];
  });
  runOnThreads(memory.memory, simdKernel(memory.memory, BLOCKED, "multiplyRows"), BLOCKED, "multiplyRows", calls);
  if (fours < rows) {
    simdKernel(memory.memory, ...BATCHED)(
      pa + 4 * fours * inner,
      pb,
      pc + 4 * fours * columns,
      1,
      rows - fours,
      inner,
      columns,
      4 * inner,
      4,
    );
  }
  scope.dispose();
  return out;
}

/** Wraps the wasm backend's product kernels; see the top of this file. */
export function installWasmMatMul(): void {
  for (const name of ["BatchMatMul", "_FusedMatMul"]) {
    wrapWasmKernel(name, (original) => fastProduct(original, name === "_FusedMatMul"));
  }
}
