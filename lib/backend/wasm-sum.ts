/**
 * Sums over the leading axes on the wasm backend, in one pass in JavaScript.
 *
 * tfjs-backend-wasm's Sum (4.22) only reduces the innermost axes, so a sum
 * over the batch axis first transposes the input: 0.55 ms for a bias
 * gradient of [2048, 32], which every Linear layer's backward pass computes.
 * Read row by row, the same sum is one pass; it is accumulated in float64.
 */
import * as tf from "@tensorflow/tfjs";
import { KernelArgs, KernelFunc, heap, replaceWasmKernel } from "./wasm-kernels";

function sum(original: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs;
    const axes = tf.util.parseAxisParam(args.attrs.axis as number | number[], x.shape).sort((a, b) => a - b);
    const leading = axes.every((axis, i) => axis === i);
    if (x.dtype !== "float32" || !leading || axes.length === x.shape.length || axes.length === 0) return original(args);
    const rows = x.shape.slice(0, axes.length).reduce((n, d) => n * d, 1);
    const kept = x.shape.slice(axes.length);
    const width = kept.reduce((n, d) => n * d, 1);
    const memory = heap(args.backend);
    const shape = args.attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept;
    const out = memory.output(shape, "float32");
    const values = memory.floats(x);
    const total = new Float64Array(width);
    for (let r = 0; r < rows; r++) {
      const base = r * width;
      for (let j = 0; j < width; j++) total[j] += values[base + j];
    }
    memory.floats(out).set(total);
    return out;
  };
}

/** Registers the sum; see the top of this file. */
export function installWasmSum(): void {
  replaceWasmKernel("Sum", (original) => {
    if (!original) throw new Error("the wasm backend has no Sum kernel: @tensorflow/tfjs-backend-wasm is not the version dlkit expects (see package.json)");
    return sum(original);
  });
}
