/**
 * The kit's own WebAssembly kernels (the .wat files here), run on the memory
 * of tfjs-backend-wasm: they read and write tensors where tfjs keeps them.
 * One instance per module and memory, made on first use.
 */
import { SIMD_MODULES } from "./modules.generated";

const instances = new WeakMap<WebAssembly.Memory, Map<string, WebAssembly.Exports>>();

function simdModule(memory: WebAssembly.Memory, name: string): WebAssembly.Exports {
  let byName = instances.get(memory);
  if (!byName) instances.set(memory, (byName = new Map()));
  let exports = byName.get(name);
  if (!exports) {
    const bytes = SIMD_MODULES[name];
    if (!bytes) throw new Error(`dlkit: no WebAssembly module ${name} in lib/backend/simd (run npm run build:simd)`);
    exports = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(bytes, "base64")), { env: { memory } }).exports;
    byName.set(name, exports);
  }
  return exports;
}

/** The function `name` that module `module` (a .wat file here) exports, running on `memory`. Arguments are numbers: byte offsets and sizes. */
export function simdKernel(memory: WebAssembly.Memory, module: string, name: string): (...args: number[]) => void {
  return simdModule(memory, module)[name] as (...args: number[]) => void;
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/**
 * The chunk length, in floats, of the kernels that repeat a row (column
 * sums, adding a bias): the smallest multiple of both 4 (one SIMD vector)
 * and the row's width, so that every chunk is whole rows.
 */
export function chunkFloats(width: number): number {
  return (width * 4) / greatestCommonDivisor(width, 4);
}
