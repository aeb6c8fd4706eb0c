/**
 * The plain SGD step of lib/nn/fused.ts on the wasm backend: one pass in
 * JavaScript on the wasm memory. As tfjs ops it is a product and a
 * difference, each with a scalar tensor made for its number: four ops per
 * parameter per step, which on a small network cost more than its
 * forward pass.
 */
import { SGD_STEP } from "../nn/fused";
import { KernelArgs, TensorInfo, heap, replaceWasmKernel } from "./wasm-kernels";

function sgdStep(args: KernelArgs): TensorInfo {
  const { param, grad } = args.inputs;
  // In float32 throughout, rounded where the product and the difference would be, as PyTorch computes it.
  const lr = Math.fround(args.attrs.lr as number);
  const memory = heap(args.backend);
  const out = memory.output(param.shape, "float32");
  const [p, g, next] = [memory.floats(param), memory.floats(grad), memory.floats(out)];
  for (let i = 0; i < p.length; i++) next[i] = p[i] - Math.fround(lr * g[i]);
  return out;
}

/** Registers the step; see the top of this file. */
export function installWasmSgd(): void {
  replaceWasmKernel(SGD_STEP, () => sgdStep);
}
