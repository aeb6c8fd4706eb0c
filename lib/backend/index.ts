/**
 * Picks the fastest tfjs backend installed here and says, in one line, which
 * one and why. The same code runs in a notebook, in vitest and in scripts.
 *
 *   await useBestBackend();   // tfjs backend: wasm (@tensorflow/tfjs-node is not installed)
 *
 * `DLKIT_BACKEND=node-gpu|node|wasm|cpu` forces a choice; `auto` (or unset)
 * tries them fastest first. On wasm, `DLKIT_THREADS=N` sets the threads
 * (default: every core); when the threaded build cannot start, one thread
 * runs and the line says why (lib/backend/wasm-threads.ts).
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { BACKEND_ENV, BackendChoice, CANDIDATES, Candidate, parseChoice } from "./candidates";
import { engineInternals } from "./engine-internals";
import { installGradientWalk } from "./gradient-walk";
import { installCheapSavedTensors } from "./saved-tensors";
import { installWasmAdd } from "./wasm-add";
import { installWasmConv } from "./wasm-conv";
import { installWasmGather } from "./wasm-gather";
import { installWasmIdentity } from "./wasm-identity";
import { installWasmLayerNorm } from "./wasm-layer-norm";
import { installWasmLinear } from "./wasm-linear";
import { installWasmMatMul } from "./wasm-matmul";
import { installWasmOptimizers } from "./wasm-optimizers";
import { installWasmMaxPool } from "./wasm-pool";
import { installWasmReluGrad } from "./wasm-relu-grad";
import { installWasmSlices } from "./wasm-slice";
import { installWasmSoftmax } from "./wasm-softmax";
import { installWasmSum } from "./wasm-sum";
import { installWasmTanh } from "./wasm-tanh";
import { installWasmTranspose } from "./wasm-transpose";
import { startWasm, wasmStatus } from "./wasm-start";

export { BACKEND_ENV, type BackendChoice } from "./candidates";
export { THREADS_ENV, parseThreads } from "./wasm-threads";

/** What `useBestBackend` chose and why, as `currentBackend()` also reports it. */
export interface BackendInfo {
  /** The kit's name of the choice: "node-gpu", "node", "wasm" or "cpu". */
  choice: BackendChoice;
  /** tfjs's own name for it (`tf.getBackend()`). */
  tfName: string;
  /** Why faster candidates were passed over, or that the choice was forced. */
  reason: string;
  /** The one line shown to the user. */
  summary: string;
  /** wasm only: "SIMD, 2 threads", and why one thread when more were asked for. */
  wasm?: string;
}

/** Options of `useBestBackend`. */
export interface UseBackendOptions {
  /** Overrides `DLKIT_BACKEND`. */
  backend?: BackendChoice | "auto";
  /** Do not print the summary line. Default false. */
  quiet?: boolean;
}

/** Loads the backend's package; returns why it cannot be used, or null. */
function load(candidate: Candidate): string | null {
  if (candidate.packageName === null) return null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package is optional: whether it is installed is known only here
    require(candidate.packageName);
    return null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const missing =
      (err as { code?: string }).code === "MODULE_NOT_FOUND" && message.includes(`'${candidate.packageName}'`);
    return missing
      ? `${candidate.packageName} is not installed`
      : `${candidate.packageName} is installed but failed to load (${message.split("\n")[0].slice(0, 120)})`;
  }
}

/** The cpu backend greets every Node.js user with a banner urging tfjs-node; the summary line says it once, better. */
function silenceCpuBanner(): void {
  const cpu = tf.findBackend("cpu") as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}

let gradientBookkeepingInstalled = false;

/**
 * tfjs's gradient tape made cheaper on every backend: the backward walk, and
 * tensors saved for it (each file says how); tfjs's own where its engine is
 * not shaped as in 4.22.
 */
function installGradientBookkeeping(): void {
  const engine = engineInternals();
  if (gradientBookkeepingInstalled || !engine) return;
  installGradientWalk(engine);
  installCheapSavedTensors(engine);
  gradientBookkeepingInstalled = true;
}

async function activate(candidate: Candidate): Promise<string | null> {
  const loadProblem = load(candidate);
  if (loadProblem) return loadProblem;
  silenceCpuBanner();
  installGradientBookkeeping();
  if (candidate.tfName === "wasm") installWasmKernels();
  if (candidate.tfName === "wasm") return startWasm();
  try {
    if (await tf.setBackend(candidate.tfName)) {
      await tf.ready();
      return null;
    }
    return `${candidate.tfName} did not initialise`;
  } catch (err) {
    return `${candidate.tfName} did not initialise (${err instanceof Error ? err.message : String(err)})`;
  }
}

let wasmKernelsInstalled = false;

/**
 * The wasm backend's slow or missing kernels, replaced (lib/backend/wasm-*.ts):
 * once, after its package has registered its own.
 */
function installWasmKernels(): void {
  if (wasmKernelsInstalled) return;
  installWasmMatMul();
  installWasmConv();
  installWasmMaxPool();
  installWasmGather();
  installWasmTranspose();
  installWasmSum();
  installWasmSlices();
  installWasmIdentity();
  installWasmSoftmax();
  installWasmOptimizers();
  installWasmAdd();
  installWasmLinear();
  installWasmTanh();
  installWasmReluGrad();
  installWasmLayerNorm();
  wasmKernelsInstalled = true;
}

/**
 * For code that chose the wasm backend itself (`tf.setBackend("wasm")`, not
 * useBestBackend): the layers whose gradients need the kit's wasm kernels
 * (Conv2d: wasm has no filter gradient; MaxPool2d: its gradient is wrong)
 * call this first. Cheap after the first call.
 */
export function ensureBackendKernels(): void {
  if (!wasmKernelsInstalled && tf.getBackend() === "wasm") {
    installGradientBookkeeping();
    installWasmKernels();
  }
}

let current: BackendInfo | null = null;

/**
 * Selects and initialises the backend. Call once, awaited, before any tensor
 * work (`await useBestBackend()` in a notebook's first cell). Calling again
 * with the same choice is cheap and says the line again.
 */
export async function useBestBackend(options: UseBackendOptions = {}): Promise<BackendInfo> {
  const wanted = options.backend ?? parseChoice(process.env[BACKEND_ENV]);
  if (!current || (wanted !== "auto" && wanted !== current.choice)) {
    current = await select(wanted);
  }
  if (!options.quiet) console.log(current.summary);
  return current;
}

async function select(wanted: BackendChoice | "auto"): Promise<BackendInfo> {
  if (wanted !== "auto") {
    const candidate = CANDIDATES.find((c) => c.choice === wanted)!;
    const problem = await activate(candidate);
    if (problem) {
      throw new Error(
        `${BACKEND_ENV}=${wanted} was asked for, but ${problem}. ` +
          `Install it, or unset ${BACKEND_ENV} to use the fastest backend that works here.`,
      );
    }
    const reason = `forced by ${BACKEND_ENV}`;
    return info(candidate, reason);
  }
  const passedOver: string[] = [];
  for (const candidate of CANDIDATES) {
    const problem = await activate(candidate);
    if (!problem) {
      const reason = passedOver.length ? passedOver.join("; ") : "the fastest backend";
      return info(candidate, reason);
    }
    passedOver.push(problem);
  }
  throw new Error(`no tfjs backend could start: ${passedOver.join("; ")}`);
}

function info(candidate: Candidate, reason: string): BackendInfo {
  const wasm = candidate.tfName === "wasm" ? wasmStatus() : undefined;
  return {
    choice: candidate.choice,
    tfName: candidate.tfName,
    reason,
    summary: `tfjs backend: ${candidate.choice} (${wasm ? `${wasm}; ` : ""}${reason})`,
    ...(wasm ? { wasm } : {}),
  };
}

/** What `useBestBackend` chose, or null before it ran. */
export function currentBackend(): BackendInfo | null {
  return current;
}
