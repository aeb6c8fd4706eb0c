/**
 * The Linear layer of lib/nn/fused.ts (y = x·Wᵀ + b) as one wasm kernel: the
 * product on the backend's (rerouted) BatchMatMul, the bias added in place
 * on the product's fresh buffer. As one kernel it is one record on the
 * gradient tape, and its gradient (registered in fused.ts) computes only
 * what backprop asks for: no input gradient for a network's first layer.
 */
import { LINEAR } from "./fused";
import { addRow } from "./wasm-add";
import { KernelArgs, KernelScope, TensorInfo, registerWasmKernel } from "./wasm-kernels";

function linear(args: KernelArgs): TensorInfo {
  const { x, weight, bias } = args.inputs;
  const scope = new KernelScope(args.backend);
  const out = scope.result(scope.run("BatchMatMul", { a: x, b: weight }, { transposeA: false, transposeB: true }));
  scope.dispose();
  if (bias) addRow(args.backend, out, bias, out);
  return out;
}

/** Registers the kernel; see the top of this file. */
export function installWasmLinear(): void {
  registerWasmKernel(LINEAR, linear);
}
