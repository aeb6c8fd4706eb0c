/**
 * What the wasm backend's replacement kernels share: calling the backend's
 * own kernels on its buffers, freeing the intermediate ones, and swapping a
 * kernel in the registry. Kernels work on TensorInfos, not tensors: nothing
 * here is seen by tf.memory() or the gradient tape.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");

export type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };
export type WasmBackend = { disposeData(dataId: object): void };
/** What a tensor's values are, read in place from the wasm memory. */
export type HeapValues = Float32Array | Int32Array | Uint8Array;
/** The dtypes a kernel here can read and write in place. */
export const IN_PLACE_DTYPES: readonly tf.DataType[] = ["float32", "int32", "bool"];
export type KernelArgs = { inputs: Record<string, TensorInfo>; backend: WasmBackend; attrs: Record<string, unknown> };
export type KernelFunc = (args: KernelArgs) => TensorInfo;

const BACKEND = "wasm";

interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): HeapValues;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  wasm: { asm: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
}

/**
 * A new output tensor, and a way to see any tensor's values in the wasm
 * memory. Allocate every output before taking views: an allocation may grow
 * the memory and detach the views taken before it.
 */
export interface Heap {
  output(shape: number[], dtype: tf.DataType): TensorInfo;
  values(t: TensorInfo): HeapValues;
  floats(t: TensorInfo): Float32Array;
  /** Where the tensor's values start in the wasm memory, in bytes (for the kit's own wasm kernels). */
  offset(t: TensorInfo): number;
  memory: WebAssembly.Memory;
}

// One per backend: kernels ask for it on every call, on every step.
const heaps = new WeakMap<object, Heap>();

export function heap(backend: WasmBackend): Heap {
  let found = heaps.get(backend);
  if (!found) {
    const b = backend as unknown as HeapBackend;
    found = {
      output: (shape, dtype) => b.makeOutput(shape, dtype),
      values: (t) => b.typedArrayFromHeap(t),
      floats: (t) => b.typedArrayFromHeap(t) as Float32Array,
      offset: (t) => b.dataIdMap.get(t.dataId).memoryOffset,
      memory: b.wasm.asm.memory ?? b.wasm.wasmMemory!, // the threaded build imports its memory instead
    };
    heaps.set(backend, found);
  }
  return found;
}

/**
 * A second handle on x's buffer, shaped `shape` (of the same size), as the
 * backend's Reshape makes: tensor data is never changed in place, so
 * sharing it only needs one more reference counted.
 */
export function shareBuffer(backend: WasmBackend, x: TensorInfo, shape: number[]): TensorInfo {
  (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape, dtype: x.dtype };
}

/** The wasm backend's kernel `name`, as registered now. */
function wasmKernel(name: string): KernelFunc | null {
  const config = tf.getKernel(name, BACKEND);
  return config ? (config.kernelFunc as unknown as KernelFunc) : null;
}

/**
 * Runs the backend's own kernels inside a replacement kernel. Results of
 * `run`, and `scratch` buffers, are intermediate and freed by `dispose`;
 * `result` hands one out.
 */
export class KernelScope {
  private readonly temporary: TensorInfo[] = [];

  constructor(private readonly backend: WasmBackend) {}

  run(name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
    const kernel = wasmKernel(name);
    if (!kernel) throw missingKernel(name);
    const out = kernel({ inputs, backend: this.backend, attrs });
    this.temporary.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  /** A float32 buffer of `floats` for a kernel's own use (a padded copy, partial sums), freed by `dispose`. */
  scratch(floats: number): TensorInfo {
    const buffer = heap(this.backend).output([floats], "float32");
    this.temporary.push(buffer);
    return buffer;
  }

  /** Keeps `out` (made by `run`) alive past `dispose`. */
  result(out: TensorInfo): TensorInfo {
    this.temporary.splice(this.temporary.indexOf(out), 1);
    return out;
  }

  dispose(): void {
    for (const t of this.temporary) this.backend.disposeData(t.dataId);
    this.temporary.length = 0;
  }
}

/** A kernel as tfjs registers it: one output, or several (Unpack, the kit's losses). */
export type AnyKernelFunc = (args: KernelArgs) => TensorInfo | TensorInfo[];

function missingKernel(name: string): Error {
  return new Error(
    `the wasm backend has no ${name} kernel: @tensorflow/tfjs-backend-wasm is not the version dlkit expects (see package.json)`,
  );
}

/** Registers `kernel` as the wasm kernel `name`: one of the kit's own, or one tfjs-backend-wasm lacks. */
export function registerWasmKernel(name: string, kernel: AnyKernelFunc): void {
  const config = tf.getKernel(name, BACKEND);
  if (config) tf.unregisterKernel(name, BACKEND);
  tf.registerKernel({
    ...(config ?? { kernelName: name, backendName: BACKEND }),
    kernelFunc: kernel as unknown as tf.KernelFunc,
  });
}

/**
 * Replaces tfjs-backend-wasm's kernel `name` by `wrap(original)`, which
 * handles what it does better and hands the rest to the original. The
 * backend's setup of the kernel is kept.
 */
export function wrapWasmKernel(name: string, wrap: (original: KernelFunc) => AnyKernelFunc): void {
  const original = wasmKernel(name);
  if (!original) throw missingKernel(name);
  registerWasmKernel(name, wrap(original));
}
