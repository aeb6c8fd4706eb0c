/**
 * The tanh gradient of lib/nn/fused.ts on the wasm backend, dy·(1 − y²), in
 * one pass in JavaScript on the wasm memory: tfjs builds it from three ops,
 * one of them making a scalar tensor, on every tanh of every step.
 */
import { TANH_GRAD } from "../nn/fused";
import { KernelArgs, TensorInfo, heap, replaceWasmKernel } from "./wasm-kernels";

function tanhGrad(args: KernelArgs): TensorInfo {
  const { dy, y } = args.inputs;
  const memory = heap(args.backend);
  const out = memory.output(y.shape, "float32");
  const [grad, values, dx] = [memory.floats(dy), memory.floats(y), memory.floats(out)];
  for (let i = 0; i < dx.length; i++) dx[i] = grad[i] * (1 - values[i] * values[i]);
  return out;
}

/** Registers the kernel; see the top of this file. */
export function installWasmTanhGrad(): void {
  replaceWasmKernel(TANH_GRAD, () => tanhGrad);
}
