/**
 * The gradient of ReLU of lib/nn/fused.ts on the wasm backend, dy·step(x),
 * as one SIMD kernel (simd/relu-grad.wat): tfjs builds it from a step, a
 * cast and a product, three passes over every activation of a CNN.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { RELU_GRAD } from "./fused";
import { simdKernel } from "./simd";
import { KernelArgs, TensorInfo, heap, registerWasmKernel } from "./wasm-kernels";

function reluGrad(args: KernelArgs): TensorInfo {
  const { dy, x } = args.inputs;
  const memory = heap(args.backend);
  const out = memory.output(x.shape, "float32");
  const kernel = simdKernel(memory.memory, "relu-grad", "reluGrad");
  kernel(memory.offset(dy), memory.offset(x), memory.offset(out), tf.util.sizeFromShape(x.shape));
  return out;
}

/** Registers the kernel; see the top of this file. */
export function installWasmReluGrad(): void {
  registerWasmKernel(RELU_GRAD, reluGrad);
}
