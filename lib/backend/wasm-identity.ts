/**
 * tf.identity (and every tensor tfjs saves for backprop) on the wasm
 * backend without a copy.
 *
 * tfjs clones each tensor a gradient will need through the Identity kernel,
 * and tfjs-backend-wasm's (4.22) copies the data: a LeNet training step
 * copies every activation once more. Tensor data is never changed in place,
 * so the clone can share the buffer and count one more reference, as tfjs's
 * cpu backend does.
 */
import { KernelArgs, KernelFunc, TensorInfo, wrapWasmKernel, shareBuffer } from "./wasm-kernels";

function identity(original: KernelFunc): KernelFunc {
  return (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs;
    if (x.dtype === "string") return original(args);
    return shareBuffer(args.backend, x, x.shape);
  };
}

/** Registers the identity; see the top of this file. */
export function installWasmIdentity(): void {
  wrapWasmKernel("Identity", identity);
}
