/**
 * The optimizer steps of lib/nn/fused.ts on the wasm backend, one SIMD
 * kernel per parameter (simd/sgd-step.wat, simd/adam-step.wat). As tfjs ops
 * a plain SGD step is a product and a difference, each with a scalar tensor
 * made for its number; an Adam step is a dozen ops. On a small network the
 * optimizer's ops cost more than its forward pass.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { ADAM_STEP, SGD_STEP } from "./fused";
import { simdKernel } from "./simd";
import { KernelArgs, TensorInfo, heap, registerWasmKernel } from "./wasm-kernels";

function sgdStep(args: KernelArgs): TensorInfo {
  const { param, grad } = args.inputs;
  const memory = heap(args.backend);
  const out = memory.output(param.shape, "float32");
  const kernel = simdKernel(memory.memory, "sgd-step", "sgdStep");
  kernel(
    memory.offset(param),
    memory.offset(grad),
    memory.offset(out),
    tf.util.sizeFromShape(param.shape),
    args.attrs.lr as number,
  );
  return out;
}

function adamStep(args: KernelArgs): TensorInfo[] {
  const { param, grad, m, v } = args.inputs;
  const { beta1, beta2, eps, stepSize, root } = args.attrs as Record<string, number>;
  const memory = heap(args.backend);
  const outputs = [param, m, v].map((t) => memory.output(t.shape, "float32"));
  const kernel = simdKernel(memory.memory, "adam-step", "adamStep");
  const size = tf.util.sizeFromShape(param.shape);
  // The constants as tfjs's scalar tensors hold them: 1 − β in double, then rounded to float32 by the kernel's parameters.
  kernel(
    ...[param, grad, m, v, ...outputs].map((t) => memory.offset(t)),
    size,
    beta1,
    1 - beta1,
    beta2,
    1 - beta2,
    root,
    eps,
    stepSize,
  );
  return outputs;
}

/** Registers the steps; see the top of this file. */
export function installWasmOptimizers(): void {
  registerWasmKernel(SGD_STEP, sgdStep);
  registerWasmKernel(ADAM_STEP, adamStep);
}
