/**
 * An estimate of this machine's fp32 peak from /proc/cpuinfo: cores × GHz ×
 * FLOPs per cycle, the last read off the vector flags (FMA counts two
 * FLOPs, and two FMA units per core are assumed, as on recent x86 cores).
 * The MHz a virtual machine reports is often the base clock, and turbo
 * beats it: give the clock measured by bench/peak.ts when there is one.
 */
import * as fs from "fs";
import * as os from "os";

export interface CpuPeak {
  model: string;
  cores: number;
  ghz: number;
  /** Where `ghz` comes from. */
  clock: "measured" | "/proc/cpuinfo";
  /** The widest vector unit found, e.g. "AVX-512 + FMA". */
  vector: string;
  flopsPerCycle: number;
  /** All cores. */
  peakGflops: number;
  perCoreGflops: number;
}

export function estimateCpuPeak(cpuinfo = readCpuinfo(), measuredGhz?: number): CpuPeak {
  const field = (name: string) => cpuinfo.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, "m"))?.[1] ?? "";
  const flags = new Set(field("flags").split(/\s+/));
  const mhz = Math.max(...[...cpuinfo.matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)].map((m) => Number(m[1])), 0);
  const ghz = measuredGhz ?? (mhz > 0 ? mhz / 1000 : os.cpus()[0]?.speed / 1000 || 0);
  const fma = flags.has("fma") ? 2 : 1;
  const [lanes, name] = flags.has("avx512f")
    ? [16, "AVX-512"]
    : flags.has("avx")
      ? [8, flags.has("avx2") ? "AVX2" : "AVX"]
      : [4, "SSE"];
  const flopsPerCycle = 2 * lanes * fma;
  const cores = os.cpus().length;
  return {
    model: field("model name") || os.cpus()[0]?.model || "unknown",
    cores,
    ghz,
    clock: measuredGhz === undefined ? "/proc/cpuinfo" : "measured",
    vector: fma === 2 ? `${name} + FMA` : name,
    flopsPerCycle,
    peakGflops: cores * ghz * flopsPerCycle,
    perCoreGflops: ghz * flopsPerCycle,
  };
}

function readCpuinfo(): string {
  try {
    return fs.readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return "";
  }
}
