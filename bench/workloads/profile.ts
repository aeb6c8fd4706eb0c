/**
 * Where a kit workload's time goes, and the least time it could take on
 * this engine (`npm run bench -- --profile`). One run under tf.profile
 * records every kernel with its wall time (wasm kernels are synchronous);
 * the products and convolutions among them get their FLOPs from their
 * shapes. Two floors follow, each a bound no kernel work can beat:
 *
 * - compute: the products' FLOPs at the measured wasm SIMD peak;
 * - per op: the number of kernels times what the engine charges for the
 *   cheapest op (a one-element add: tfjs's bookkeeping, not arithmetic).
 *
 * Their sum is the kit's floor for this sequence of kernels: a workload
 * whose floor is above PyTorch's time cannot reach a ratio of 1 on wasm.
 * Profiling adds time of its own outside the kernels, so the profiled
 * seconds run above an unprofiled run's.
 */
import * as tf from "@tensorflow/tfjs";

/** One kernel's record in tf.profile, as far as it is read here. */
interface KernelRecord {
  name: string;
  kernelTimeMs: number | { error: string };
  inputShapes: number[][];
  outputShapes: number[][];
}

export interface KernelGroup {
  name: string;
  calls: number;
  seconds: number;
  /** GFLOP done, for products and convolutions; 0 for the rest. */
  gflop: number;
}

export interface WorkloadProfile {
  /** The profiled run, end to end. */
  seconds: number;
  kernels: number;
  /** Seconds inside kernels, of which in products and convolutions. */
  kernelSeconds: number;
  productSeconds: number;
  productGflop: number;
  /** Microseconds of the cheapest op (a one-element add), measured here. */
  opMicroseconds: number;
  /** The kernels that took longest, by name. */
  top: KernelGroup[];
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * FLOPs of one kernel call (a multiply-add is two), or 0 for kernels that
 * are not products: a product's inner length is the side of its first
 * operand's last two axes that the output does not keep.
 */
export function kernelFlops(name: string, inputShapes: number[][], outputShapes: number[][]): number {
  const [a, b] = inputShapes;
  const out = outputShapes[0] ?? [];
  switch (name) {
    case "Conv2D":
    case "FusedConv2D": {
      const [kH, kW, inC] = b;
      return 2 * size(out) * kH * kW * inC;
    }
    case "Conv2DBackpropInput": {
      // dy · filter: every dy element meets kH·kW·inC filter taps.
      const [kH, kW, inC] = b;
      return 2 * size(a) * kH * kW * inC;
    }
    case "Conv2DBackpropFilter": {
      const [kH, kW, inC] = out;
      return 2 * size(b) * kH * kW * inC;
    }
    case "BatchMatMul":
    case "_FusedMatMul": {
      const rows = out[out.length - 2];
      const [r, c] = a.slice(-2);
      return 2 * size(out) * (r === rows ? c : r);
    }
    case "DlkitLinear":
      return 2 * size(out) * a[a.length - 1];
    default:
      return 0;
  }
}

/** Microseconds per op of a one-element add, after a warm-up, over `n` ops. */
export function cheapestOpMicroseconds(n = 20_000): number {
  const [a, b] = [tf.scalar(1), tf.scalar(2)];
  for (let i = 0; i < 1000; i++) tf.add(a, b).dispose();
  const started = performance.now();
  for (let i = 0; i < n; i++) tf.add(a, b).dispose();
  const us = ((performance.now() - started) * 1000) / n;
  tf.dispose([a, b]);
  return us;
}

export async function profileWorkload(run: () => Promise<unknown>, top = 8): Promise<WorkloadProfile> {
  const opMicroseconds = cheapestOpMicroseconds();
  const started = performance.now();
  const info = await tf.profile(async () => {
    await run();
    return [];
  });
  const seconds = (performance.now() - started) / 1000;
  const groups = new Map<string, KernelGroup>();
  let [kernelSeconds, productSeconds, productGflop] = [0, 0, 0];
  // tf.profile also records scopes (a custom gradient's forward is one), whose ops it records again inside.
  const kernels = (info.kernels as unknown as KernelRecord[]).filter((k) => tf.getKernel(k.name, tf.getBackend()));
  for (const k of kernels) {
    const s = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs / 1000 : 0;
    const gflop = kernelFlops(k.name, k.inputShapes, k.outputShapes) / 1e9;
    const group = groups.get(k.name) ?? { name: k.name, calls: 0, seconds: 0, gflop: 0 };
    group.calls++;
    group.seconds += s;
    group.gflop += gflop;
    groups.set(k.name, group);
    kernelSeconds += s;
    if (gflop > 0) {
      productSeconds += s;
      productGflop += gflop;
    }
  }
  return {
    seconds,
    kernels: kernels.length,
    kernelSeconds,
    productSeconds,
    productGflop,
    opMicroseconds,
    top: [...groups.values()].sort((x, y) => y.seconds - x.seconds).slice(0, top),
  };
}

/** The floor of a profiled workload: its products at `peakGflops`, plus its kernels at the cheapest op's cost. */
export function floorSeconds(p: WorkloadProfile, peakGflops: number): { compute: number; perOp: number } {
  return { compute: p.productGflop / peakGflops, perOp: (p.kernels * p.opMicroseconds) / 1e6 };
}
