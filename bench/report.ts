/**
 * The bench's results as data (what out/bench.json holds) and as the table
 * `npm run bench` prints: medians, kit/PyTorch ratios (of medians and of
 * the fastest runs), the kit's memory
 * peak, and matmul GFLOP/s against the measured wasm SIMD peak and the
 * estimated native one.
 */
import { CpuPeak } from "./cpu";
import { Handoff } from "./handoff";
import { SimdPeak } from "./peak";
import { WorkloadProfile, floorSeconds } from "./workloads/profile";

/** One run of one workload on one side, as its worker answered. */
export interface Run {
  backend: string;
  seconds: number;
  /** CPU time of the whole process, every thread, over the timed span (absent in results from before it was measured). */
  cpuSeconds?: number;
  steps: number;
  params: number;
  /** Kit only: the largest tf.memory() sampled, and tensors left behind. */
  peakBytes?: number;
  peakTensors?: number;
  tensorsLeft?: number;
  detail?: Record<string, number | boolean>;
}

export interface SideResult {
  backend: string;
  runs: Run[];
  medianSeconds: number;
  /** The fastest run: on a shared machine, bursts of load only ever add time. */
  bestSeconds: number;
  /** Median CPU seconds per second of the runs: the cores kept busy, working or waiting by spinning. */
  medianCores?: number;
}

export interface WorkloadResult {
  id: string;
  title: string;
  params: Record<string, number>;
  /** "kit", "torch" (the kit's thread count, OpenBLAS as on a student's machine), "torchAsFound" (this machine's OpenBLAS variables kept), and when asked for "torchAll" (every core) and "kitNoFma" (the kit with DLKIT_FMA=0). */
  sides: Record<string, SideResult>;
  /** kit median / torch median, per torch side. */
  ratios: Record<string, number>;
  /** kit best / torch best, per torch side. */
  bestRatios: Record<string, number>;
  /** With --profile: one more kit run, every kernel timed. */
  profile?: WorkloadProfile;
}

export interface BenchResult {
  date: string;
  quick: boolean;
  reps: number;
  /** Threads per side (kit and torch). Absent in results from before --threads: 1. */
  threads?: number;
  cpu: CpuPeak & { estimate: true };
  /** The wasm SIMD peak measured on `threads` threads (bench/peak.ts). */
  wasmPeak: SimdPeak;
  /** With --profile: what waking a worker thread costs (bench/handoff.ts). */
  handoff?: Handoff;
  env: { OPENBLAS_CORETYPE: string | null; OPENBLAS_L2_SIZE?: string | null; torchEnv?: string; wasmThreads: string };
  workloads: WorkloadResult[];
  /** Median GFLOP/s by side and matrix size. */
  matmul: Record<string, Record<string, number>>;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const pad = (rows: string[][]): string => {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "))
    .join("\n");
};

const secs = (s: number | undefined) =>
  s === undefined || !Number.isFinite(s) ? "—" : s < 10 ? s.toFixed(3) : s.toFixed(1);

/**
 * Where the kit's time goes per workload (--profile), and its floor: the
 * products' FLOPs at the measured wasm peak plus its kernels at the
 * cheapest op's cost, against PyTorch's median time.
 */
function formatProfiles(result: BenchResult): string[] {
  const profiled = result.workloads.filter((w) => w.profile);
  const peak = result.wasmPeak.fma ?? result.wasmPeak["mul+add"];
  if (!profiled.length || !peak) return [];
  const rows = [
    [
      "workload (one profiled kit run)",
      "s",
      "kernels",
      "products s",
      "GFLOP",
      "GFLOP/s",
      "other kernels s",
      "outside kernels s",
      "µs/op",
      "floor: FLOPs s",
      "floor: ops s",
      "floor/torch",
    ],
  ];
  const lines: string[] = [];
  for (const w of profiled) {
    const p = w.profile!;
    const floor = floorSeconds(p, peak);
    rows.push([
      w.title,
      secs(p.seconds),
      String(p.kernels),
      secs(p.productSeconds),
      p.productGflop.toFixed(2),
      p.productSeconds > 0 ? (p.productGflop / p.productSeconds).toFixed(1) : "—",
      secs(p.kernelSeconds - p.productSeconds),
      secs(p.seconds - p.kernelSeconds),
      p.opMicroseconds.toFixed(1),
      secs(floor.compute),
      secs(floor.perOp),
      ((floor.compute + floor.perOp) / w.sides.torch.medianSeconds).toFixed(2),
    ]);
    const top = p.top.map(
      (k) =>
        `${k.name} ${secs(k.seconds)} s = ${k.calls} × ${((1e6 * k.seconds) / k.calls).toFixed(0)} µs` +
        (k.gflop > 0 ? ` (${(k.gflop / k.seconds).toFixed(1)} GFLOP/s)` : ""),
    );
    lines.push(`  ${w.title}: ${top.join(", ")}`);
  }
  return [
    "",
    `Where the kit's time goes (one more run, every kernel timed). Floor: the products' FLOPs at the measured wasm peak (${peak.toFixed(0)} GFLOP/s) plus every kernel at the cheapest op's cost; floor/torch above 1 means this sequence of kernels cannot match PyTorch's median on wasm here.`,
    pad(rows),
    "Longest kernels (seconds = calls × time a call):",
    ...lines,
    ...(result.handoff
      ? [
          `A worker round trip (bench/handoff.ts) costs ${result.handoff.sleepingMicroseconds.toFixed(1)} µs with the main thread sleeping, ${result.handoff.spinningMicroseconds.toFixed(1)} µs spinning: splitting a kernel over two threads saves half its time and pays this once.`,
        ]
      : []),
  ];
}

export function formatTable(result: BenchResult): string {
  const hasAll = result.workloads.some((w) => w.sides.torchAll);
  const hasAsFound = result.workloads.some((w) => w.sides.torchAsFound);
  const hasNoFma = result.workloads.some((w) => w.sides.kitNoFma);
  const hasCores = result.workloads.some((w) => w.sides.kit.medianCores !== undefined);
  const header = ["workload", "kit s", "torch s", "kit/torch", "best kit/torch"];
  if (hasCores) header.push("cores busy kit/torch");
  if (hasAsFound) header.push("torch as-found s", "kit/as-found");
  if (hasAll) header.push("torch all s", "kit/all");
  if (hasNoFma) header.push("kit no-FMA s", "kit/no-FMA");
  header.push("kit peak MB / tensors", "steps kit/torch", "params");
  const rows = [header];
  const notes: string[] = [];
  for (const w of result.workloads) {
    const { kit, torch, torchAll, torchAsFound, kitNoFma } = w.sides;
    const peak = kit.runs.length
      ? `${(Math.max(...kit.runs.map((r) => r.peakBytes ?? 0)) / 2 ** 20).toFixed(2)} / ${Math.max(...kit.runs.map((r) => r.peakTensors ?? 0))}`
      : "—";
    const row = [
      w.title,
      secs(kit.medianSeconds),
      secs(torch.medianSeconds),
      w.ratios.torch?.toFixed(2) ?? "—",
      w.bestRatios.torch?.toFixed(2) ?? "—",
    ];
    if (hasCores) row.push(`${kit.medianCores?.toFixed(2) ?? "—"} / ${torch.medianCores?.toFixed(2) ?? "—"}`);
    if (hasAsFound) row.push(secs(torchAsFound?.medianSeconds), w.ratios.torchAsFound?.toFixed(2) ?? "—");
    if (hasAll) row.push(secs(torchAll?.medianSeconds), w.ratios.torchAll?.toFixed(2) ?? "—");
    if (hasNoFma) row.push(secs(kitNoFma?.medianSeconds), w.ratios.kitNoFma?.toFixed(2) ?? "—");
    row.push(peak, `${kit.runs[0]?.steps ?? "—"}/${torch.runs[0]?.steps ?? "—"}`, `${kit.runs[0]?.params ?? "—"}`);
    rows.push(row);
    for (const [side, s] of Object.entries(w.sides)) {
      const missed = s.runs.filter((r) => r.detail?.reached === false).length;
      if (missed)
        notes.push(
          `${w.title}: ${side} did not reach the target in ${missed} of ${s.runs.length} runs (time is for maxEpochs)`,
        );
    }
  }
  const { cpu } = result;
  const mm = result.matmul;
  const sides = Object.keys(mm);
  const sizes = Object.keys(mm[sides[0]] ?? {});
  const threads = result.threads ?? 1;
  const { wasmPeak } = result;
  const ofPeak = (gflops: number, peak: number | null) => (peak ? `${((100 * gflops) / peak).toFixed(0)}%` : "—");
  const mmRows = [
    [
      "matmul n×n fp32",
      ...sides.map((s) => `${s} GFLOP/s`),
      ...sides.map((s) => `${s} % of peak`),
      "kit % of wasm fma peak",
      "kit % of wasm mul+add peak",
    ],
  ];
  const peakFor = (side: string) => (side === "torchAll" ? cpu.peakGflops : threads * cpu.perCoreGflops);
  for (const n of sizes) {
    mmRows.push([
      String(n),
      ...sides.map((s) => mm[s][n].toFixed(1)),
      ...sides.map((s) => ofPeak(mm[s][n], peakFor(s))),
      mm.kit ? ofPeak(mm.kit[n], wasmPeak.fma) : "—",
      mm.kit ? ofPeak(mm.kit[n], wasmPeak["mul+add"]) : "—",
    ]);
  }
  const kitBackend = result.workloads[0]?.sides.kit.backend ?? "?";
  const torchBackends = Object.entries(result.workloads[0]?.sides ?? {})
    .filter(([k]) => k !== "kit")
    .map(([k, s]) => `${k}: ${s.backend}`);
  return [
    `dlkit bench${result.quick ? " (quick smoke run: sizes cut down, times meaningless)" : ""}: median of ${result.reps} interleaved repetitions (best: the fastest run of each side), ${threads} thread${threads === 1 ? "" : "s"} per side, ${result.date}`,
    `kit backend: ${kitBackend} (${result.env.wasmThreads}); ${torchBackends.join("; ")}`,
    "",
    pad(rows),
    ...notes.map((n) => `  * ${n}`),
    "",
    `wasm SIMD peak measured on ${threads} thread${threads === 1 ? "" : "s"} (bench/peak.ts: independent 128-bit multiply-adds): ` +
      `${wasmPeak["mul+add"]?.toFixed(0) ?? "—"} GFLOP/s as a multiply then an add (XNNPACK's kernels), ${wasmPeak.fma?.toFixed(0) ?? "— (no relaxed SIMD)"} fused (the kit's .fma kernels).`,
    `estimated native fp32 peak: ${cpu.cores} cores × ${cpu.ghz.toFixed(2)} GHz (${cpu.clock === "measured" ? "the clock the fused wasm peak implies" : "from /proc/cpuinfo"}) × ${cpu.flopsPerCycle} FLOPs/cycle (${cpu.vector}, 2 FMA units assumed) = ${cpu.peakGflops.toFixed(0)} GFLOP/s, ${cpu.perCoreGflops.toFixed(0)} per core. % of peak: ${threads} core${threads === 1 ? "" : "s"} for kit and torch, all cores for torchAll.`,
    pad(mmRows),
    ...formatProfiles(result),
  ].join("\n");
}
