/**
 * The kit's own WebAssembly kernels (the .wat files here), run on the memory
 * of tfjs-backend-wasm: they read and write tensors where tfjs keeps them.
 * One instance per module and memory, made on first use.
 *
 * Each module ships in variants (assemble.ts): for the threaded backend's
 * shared memory (`.shared`), and, for the product kernels, with fused
 * multiply-adds (`.fma`, relaxed SIMD: on by default from Node 22, behind
 * `--experimental-wasm-relaxed-simd` in Node 20, which is set here at run
 * time, so that kernels, bench and tests need no command-line flag). The
 * variant is picked here: the memory says which, and FMA is used when the
 * engine accepts it and `DLKIT_FMA=0` does not turn it off.
 */
import { setFlagsFromString } from "v8";
import { SIMD_MODULES } from "./modules.generated";

const instances = new WeakMap<WebAssembly.Memory, Map<string, WebAssembly.Exports>>();

type Kernel = (...args: number[]) => void;

// Kernels are looked up on every op (a one-step RNN runs 85 a word): by memory, module and export, without
// building a name. Emptied when the fused multiply-adds are turned on or off.
let kernels = new WeakMap<WebAssembly.Memory, Map<string, Map<string, Kernel>>>();

/** The environment variable that turns the fused multiply-add kernels off (`DLKIT_FMA=0`). */
export const FMA_ENV = "DLKIT_FMA";

let fma: boolean | null = null;

/** True when this engine accepts relaxed SIMD, after turning on Node 20's flag for it if needed. */
function relaxedSimd(): boolean {
  const probe = Buffer.from(SIMD_MODULES["matmul-transposed.fma"], "base64");
  if (WebAssembly.validate(probe)) return true;
  // Node 20's V8 (11.3) has relaxed SIMD complete but behind a flag; it only gates decoding, so it can be set late.
  setFlagsFromString("--experimental-wasm-relaxed-simd");
  return WebAssembly.validate(probe);
}

/** True when the product kernels run with fused multiply-adds: relaxed SIMD validates here and DLKIT_FMA is not 0. */
export function fusedMultiplyAdd(): boolean {
  if (fma === null) {
    const off = ["0", "false", "off", "no"].includes((process.env[FMA_ENV] ?? "").trim().toLowerCase());
    fma = !off && relaxedSimd();
  }
  return fma;
}

/**
 * Turns the fused multiply-add kernels on or off for kernels made from now
 * on (null: back to the default). For tests that compare the two paths;
 * asking for FMA where the engine has no relaxed SIMD throws.
 */
export function setFusedMultiplyAdd(on: boolean | null): void {
  if (on && !relaxedSimd()) {
    throw new Error(
      `dlkit: this WebAssembly engine has no relaxed SIMD (Node ${process.version}), so no fused multiply-add kernels`,
    );
  }
  fma = on;
  kernels = new WeakMap();
}

/** True for the threaded backend's memory, a SharedArrayBuffer its threads share. */
export function sharedMemory(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
}

/** The shipped module to load for `name` on `memory`. */
function variant(memory: WebAssembly.Memory, name: string): string {
  const fused = fusedMultiplyAdd() && `${name}.fma` in SIMD_MODULES ? `${name}.fma` : name;
  return sharedMemory(memory) ? `${fused}.shared` : fused;
}

const compiled = new Map<string, WebAssembly.Module>();

/**
 * The compiled variant of `module` for `memory`, and its name: what an
 * instance on this memory runs, in this thread or in a worker sharing it.
 */
export function compiledSimdModule(memory: WebAssembly.Memory, module: string): [WebAssembly.Module, string] {
  const name = variant(memory, module);
  let found = compiled.get(name);
  if (!found) {
    const bytes = SIMD_MODULES[name];
    if (!bytes) throw new Error(`dlkit: no WebAssembly module ${name} in lib/backend/simd (run npm run build:simd)`);
    compiled.set(name, (found = new WebAssembly.Module(Buffer.from(bytes, "base64"))));
  }
  return [found, name];
}

function simdModule(memory: WebAssembly.Memory, module: string): WebAssembly.Exports {
  let byName = instances.get(memory);
  if (!byName) instances.set(memory, (byName = new Map()));
  const [compiledModule, name] = compiledSimdModule(memory, module);
  let exports = byName.get(name);
  if (!exports) {
    exports = new WebAssembly.Instance(compiledModule, { env: { memory } }).exports;
    byName.set(name, exports);
  }
  return exports;
}

/** The function `name` that module `module` (a .wat file here) exports, running on `memory`. Arguments are numbers: byte offsets and sizes. */
export function simdKernel(memory: WebAssembly.Memory, module: string, name: string): Kernel {
  let byModule = kernels.get(memory);
  if (!byModule) kernels.set(memory, (byModule = new Map()));
  let byName = byModule.get(module);
  if (!byName) byModule.set(module, (byName = new Map()));
  let kernel = byName.get(name);
  if (!kernel) byName.set(name, (kernel = simdModule(memory, module)[name] as Kernel));
  return kernel;
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
