/**
 * tanh and its gradient on the wasm backend.
 *
 * tfjs-backend-wasm's Tanh (4.22) calls the C library's tanhf one float at
 * a time, 7.6 ns a float here: an RNN's ten steps of [64, 128] took 0.6 ms
 * of every training step. simd/tanh.wat takes four at a time, within a few
 * float32 ulps. The gradient, dy·(1 − y²) (lib/nn/fused.ts), is one pass in
 * JavaScript where tfjs builds it from three ops, one of them making a
 * scalar tensor.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { TANH_GRAD } from "./fused";
import { simdKernel } from "./simd";
import {
  KernelArgs,
  KernelFunc,
  KernelScope,
  TensorInfo,
  heap,
  registerWasmKernel,
  wrapWasmKernel,
} from "./wasm-kernels";

function tanh(original: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs;
    if (x.dtype !== "float32") return original(args);
    const size = tf.util.sizeFromShape(x.shape);
    const memory = heap(args.backend);
    const out = memory.output(x.shape, "float32");
    const kernel = simdKernel(memory.memory, "tanh", "tanh");
    if (size >= 4) {
      kernel(memory.offset(x), memory.offset(out), size);
      return out;
    }
    // The kernel reads and writes whole vectors of 4: fewer floats go through a padded copy.
    const scope = new KernelScope(args.backend);
    const padded = scope.scratch(4);
    memory.floats(padded).fill(0).set(memory.floats(x));
    kernel(memory.offset(padded), memory.offset(padded), 4);
    memory.floats(out).set(memory.floats(padded).subarray(0, size));
    scope.dispose();
    return out;
  };
}

function tanhGrad(args: KernelArgs): TensorInfo {
  const { dy, y } = args.inputs;
  const memory = heap(args.backend);
  const out = memory.output(y.shape, "float32");
  const [grad, values, dx] = [memory.floats(dy), memory.floats(y), memory.floats(out)];
  for (let i = 0; i < dx.length; i++) dx[i] = grad[i] * (1 - values[i] * values[i]);
  return out;
}

/** Registers both kernels; see the top of this file. */
export function installWasmTanh(): void {
  wrapWasmKernel("Tanh", tanh);
  registerWasmKernel(TANH_GRAD, tanhGrad);
}
