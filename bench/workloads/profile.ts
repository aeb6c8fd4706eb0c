/**
 * Where a kit workload's time goes, and the least time it could take on
 * this engine (`npm run bench -- --profile`). For one run, every kernel the
 * backend has registered is wrapped to time its calls (wasm kernels are
 * synchronous); the products and convolutions among them get their FLOPs
 * from their shapes. tf.profile does the same but keeps a record per call,
 * and a million calls (W3's one-word RNN) overflow its stack. Two floors
 * follow, each a bound no kernel work can beat:
 *
 * - compute: the products' FLOPs at the measured wasm SIMD peak;
 * - per op: the number of kernels times what the engine charges for the
 *   cheapest op (a one-element add: tfjs's bookkeeping, not arithmetic).
 *
 * Their sum is the kit's floor for this sequence of kernels: a workload
 * whose floor is above PyTorch's time cannot reach a ratio of 1 on wasm.
 */
import * as tf from "@tensorflow/tfjs";

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

type Tensors = tf.TensorInfo | tf.TensorInfo[];

/**
 * Runs `run` with every kernel of the current backend timed; kernels that
 * other kernels call (the kit's replacements run the backend's own) count
 * once, in their caller.
 */
export async function profileWorkload(run: () => Promise<unknown>, top = 8): Promise<WorkloadProfile> {
  const opMicroseconds = cheapestOpMicroseconds();
  const backendName = tf.getBackend();
  const configs = tf.getKernelsForBackend(backendName);
  const groups = new Map<string, KernelGroup>();
  let depth = 0;
  const timed = (config: tf.KernelConfig): tf.KernelConfig => ({
    ...config,
    kernelFunc: (args) => {
      if (depth > 0) return config.kernelFunc(args);
      depth++;
      const started = performance.now();
      try {
        const out = config.kernelFunc(args) as Tensors;
        const seconds = (performance.now() - started) / 1000;
        const inputs = Object.values(args.inputs).map((t) => t!.shape);
        const outputs = (Array.isArray(out) ? out : [out]).map((t) => t.shape);
        const group = groups.get(config.kernelName) ?? { name: config.kernelName, calls: 0, seconds: 0, gflop: 0 };
        group.calls++;
        group.seconds += seconds;
        group.gflop += kernelFlops(config.kernelName, inputs, outputs) / 1e9;
        groups.set(config.kernelName, group);
        return out;
      } finally {
        depth--;
      }
    },
  });
  const register = (make: (c: tf.KernelConfig) => tf.KernelConfig) => {
    for (const config of configs) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(make(config));
    }
  };
  register(timed);
  const started = performance.now();
  try {
    await run();
  } finally {
    register((config) => config);
  }
  const seconds = (performance.now() - started) / 1000;
  const all = [...groups.values()];
  const sum = (of: KernelGroup[], f: (g: KernelGroup) => number) => of.reduce((total, g) => total + f(g), 0);
  const products = all.filter((g) => g.gflop > 0);
  return {
    seconds,
    kernels: sum(all, (g) => g.calls),
    kernelSeconds: sum(all, (g) => g.seconds),
    productSeconds: sum(products, (g) => g.seconds),
    productGflop: sum(products, (g) => g.gflop),
    opMicroseconds,
    top: all.sort((x, y) => y.seconds - x.seconds).slice(0, top),
  };
}

/** The floor of a profiled workload: its products at `peakGflops`, plus its kernels at the cheapest op's cost. */
export function floorSeconds(p: WorkloadProfile, peakGflops: number): { compute: number; perOp: number } {
  return { compute: p.productGflop / peakGflops, perOp: (p.kernels * p.opMicroseconds) / 1e6 };
}
