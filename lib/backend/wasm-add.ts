/**
 * Adding a row to every row (a bias), and adding tensors of one shape, on
 * the wasm backend, with the kit's SIMD kernel (simd/add-repeating.wat).
 *
 * tfjs-backend-wasm's Add (4.22) broadcasts with an index computation per
 * element, about 2 ns each: 0.65 ms for LeNet's first conv bias,
 * [64, 28, 28, 6] + [6]. Of equal shapes it takes 0.66 ns a float, where
 * its Mul takes 0.26: [128, 185] + [128, 185], the gradient a recurrent
 * layer's weight accumulates at every step, 15.7 µs (Mul 6.2). Add is
 * replaced for both cases (one side repeats over the leading axes of the
 * other, or both have one shape); every other add is the backend's.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { chunkFloats, simdKernel } from "./simd";
import { KernelArgs, KernelFunc, TensorInfo, WasmBackend, heap, wrapWasmKernel } from "./wasm-kernels";

/**
 * out = x + row along every row: x and out `[..., width]` (out a buffer the
 * caller owns, x itself allowed), row `[width]`, or of x's size (an add of
 * equal shapes: one row).
 */
export function addRow(backend: WasmBackend, x: TensorInfo, row: TensorInfo, out: TensorInfo): void {
  const width = tf.util.sizeFromShape(row.shape);
  const total = tf.util.sizeFromShape(x.shape);
  // The kernel repeats a chunk of whole rows that is whole vectors; a single row is its own chunk, to its last vector.
  const chunk = width === total ? total - (total % 4) : chunkFloats(width);
  const chunks = chunk === 0 ? 0 : Math.floor(total / chunk);
  const memory = heap(backend);
  // The row repeated to a whole chunk, unless the row covers the chunk already.
  const pattern = chunk <= width ? row : memory.output([chunk], "float32");
  if (pattern !== row) {
    const [rowValues, repeated] = [memory.floats(row), memory.floats(pattern)];
    for (let p = 0; p < chunk; p++) repeated[p] = rowValues[p % width];
  }
  if (chunks > 0)
    simdKernel(memory.memory, "add-repeating", "addRepeating")(
      memory.offset(x),
      memory.offset(out),
      chunks,
      chunk,
      memory.offset(pattern),
    );
  const [input, rowValues, output] = [memory.floats(x), memory.floats(row), memory.floats(out)];
  for (let e = chunks * chunk; e < total; e++) output[e] = input[e] + rowValues[e % width];
  if (pattern !== row) backend.disposeData(pattern.dataId);
}

/** Whether `row` broadcasts against `full` by repeating over full's leading axes: [6] or [1, 6] against [64, 28, 28, 6]. */
function repeatsOver(row: number[], full: number[]): boolean {
  const first = row.findIndex((d) => d !== 1);
  const trailing = first === -1 ? [] : row.slice(first);
  return (
    row.length <= full.length &&
    trailing.length > 0 &&
    tf.util.sizeFromShape(row) < tf.util.sizeFromShape(full) &&
    tf.util.arraysEqual(trailing, full.slice(full.length - trailing.length))
  );
}

function add(original: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { a, b } = args.inputs;
    if (a.dtype !== "float32" || b.dtype !== "float32") return original(args);
    const [full, row] = tf.util.sizeFromShape(a.shape) >= tf.util.sizeFromShape(b.shape) ? [a, b] : [b, a];
    const equal = tf.util.arraysEqual(a.shape, b.shape);
    if (!equal && (tf.util.sizeFromShape(row.shape) === 1 || !repeatsOver(row.shape, full.shape)))
      return original(args);
    const out = heap(args.backend).output(full.shape, "float32");
    addRow(args.backend, full, row, out);
    return out;
  };
}

/** Registers the add; see the top of this file. */
export function installWasmAdd(): void {
  wrapWasmKernel("Add", add);
}
