/**
 * The kit against PyTorch on the labs' workloads, in one run on this
 * machine (issue 10). Two long-lived workers per side, kit and PyTorch, run
 * each workload in turn, interleaved (kit, torch, torch on all cores, kit,
 * ...) so that load from other processes falls on both; the table shows
 * medians and kit/PyTorch ratios. Results also go to out/bench.json. The
 * options are in USAGE below (`npm run bench -- --help`).
 *
 * Both sides get the same number of threads: the kit through DLKIT_THREADS
 * (wasm's XNNPACK thread pool, lib/backend/wasm-threads.ts), PyTorch through
 * torch.set_num_threads and OPENBLAS_NUM_THREADS (OpenBLAS keeps a pool of
 * its own). PyTorch runs as a student's would: without the
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE this machine sets for old OpenBLAS
 * builds; when they are set, a second PyTorch worker keeps them ("as found")
 * so both figures stand side by side. Each PyTorch worker reports the
 * OpenBLAS kernel set it runs. With --all-threads one more worker runs
 * PyTorch on every core; it is off by default because on a shared, loaded
 * machine its OpenMP threads mostly wait for each other.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { useBestBackend } from "../lib/backend";
import { estimateCpuPeak } from "./cpu";
import { measureHandoff } from "./handoff";
import { clockGhz, measureSimdPeak } from "./peak";
import { BenchResult, Run, WorkloadResult, formatTable, median } from "./report";
import { MATMUL, WORKLOADS } from "./specs";
import { WorkerAnswer, WorkerClient } from "./worker-client";
import { WorkloadProfile } from "./workloads/profile";
import { reverseSets } from "./workloads/reverseData";

const root = path.resolve(__dirname, "..");
const TORCH_PYTHON = "/usr/bin/python3";

/** The bench's options: a value's name for those that take one, and what each does. */
const OPTIONS: { flag: string; value?: string; help: string }[] = [
  { flag: "--reps", value: "N", help: "repetitions of each workload, interleaved (default 3)" },
  { flag: "--only", value: "ID,ID", help: `these workloads only (${WORKLOADS.map((w) => w.id).join(", ")})` },
  { flag: "--quick", help: "a smoke run with tiny sizes (1 repetition unless --reps)" },
  { flag: "--threads", value: "N", help: "both sides on N threads (default 1)" },
  { flag: "--all-threads", help: "PyTorch on every core too" },
  { flag: "--compare-fma", help: "the kit once more without fused multiply-adds (DLKIT_FMA=0)" },
  { flag: "--profile", help: "each kit workload once more, every kernel timed: where the time goes, and its floor" },
  { flag: "--out", value: "FILE", help: "where the results go (default out/bench.json)" },
];

const USAGE = [
  "npm run bench [-- options]: the kit against PyTorch on the labs' workloads",
  "",
  ...[...OPTIONS, { flag: "--help", help: "this text" }].map(
    (o) => `  ${(o.value ? `${o.flag} ${o.value}` : o.flag).padEnd(19)}${o.help}`,
  ),
  "",
  "  npm run bench -- --reps 5 --only w1-mlp-2-4-2,w4-transformer",
].join("\n");

interface Options {
  reps: number;
  quick: boolean;
  out: string;
  only: string[] | null;
  allThreads: boolean;
  compareFma: boolean;
  profile: boolean;
  /** Threads per side. */
  threads: number;
}

/** The variables this machine sets for old OpenBLAS builds; a student's machine has neither. */
const OPENBLAS_VARS = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"] as const;

/**
 * PyTorch's environment on `threads` threads: torch.set_num_threads does not
 * reach OpenBLAS, which starts a thread per core of its own for every
 * product, so its pool is sized here too. `asFound` keeps this machine's
 * OpenBLAS overrides; otherwise they are removed, as on a student's machine.
 */
function torchEnv(threads: number, asFound = false): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
  };
  if (!asFound) for (const name of OPENBLAS_VARS) delete env[name];
  return env;
}

/** What node:util's parser says of a misspelt option or a missing value, in the bench's words, with the usage. */
function usageError(err: Error & { code?: string }): Error {
  const named = /'(-[^' ]+)/.exec(err.message)?.[1];
  if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return new Error(`bench: unknown option '${named}'\n\n${USAGE}`);
  if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return new Error(`bench: ${named} needs a value\n\n${USAGE}`);
  return new Error(`bench: ${err.message}\n\n${USAGE}`);
}

/** The options, or null for --help; a misspelt option or a missing value stops the bench before it starts. */
function parseOptions(argv: string[]): Options | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        help: { type: "boolean", short: "h" },
        ...Object.fromEntries(OPTIONS.map((o) => [o.flag.slice(2), { type: o.value ? "string" : "boolean" } as const])),
      },
    }));
  } catch (err) {
    throw (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? usageError(err as Error) : err;
  }
  if (values.help) return null;
  const text = (name: string) => values[name] as string | undefined;
  const quick = values.quick === true;
  const reps = Number(text("reps") ?? (quick ? 1 : 3));
  if (!Number.isInteger(reps) || reps < 1)
    throw new Error(`bench: --reps must be a positive integer, got ${text("reps")}`);
  const threads = Number(text("threads") ?? 1);
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`bench: --threads must be a positive integer, got ${text("threads")}`);
  const only = text("only")?.split(",") ?? null;
  const unknown = only?.filter((id) => !WORKLOADS.some((w) => w.id === id)) ?? [];
  if (unknown.length)
    throw new Error(
      `bench: unknown workload(s) ${unknown.join(", ")}; known: ${WORKLOADS.map((w) => w.id).join(", ")}`,
    );
  return {
    reps,
    quick,
    allThreads: values["all-threads"] === true,
    compareFma: values["compare-fma"] === true,
    profile: values.profile === true,
    threads,
    out: path.resolve(text("out") ?? path.join(root, "out", "bench.json")),
    only,
  };
}

/** W4's sequences as the kit generates them, for PyTorch to read. */
function writeReverseData(params: Record<string, number>): string {
  const sets = reverseSets(params);
  const flat = (s: {
    x: { shape: number[]; dataSync(): ArrayLike<number> };
    y: { dataSync(): ArrayLike<number> };
  }) => ({
    shape: s.x.shape,
    x: Array.from(s.x.dataSync()),
    y: Array.from(s.y.dataSync()),
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-bench-")), "reverse.json");
  fs.writeFileSync(file, JSON.stringify({ train: flat(sets.train), heldOut: flat(sets.heldOut) }));
  return file;
}

function check(answer: WorkerAnswer, side: string, id: string): Run {
  if (answer.error) throw new Error(`bench: ${id} failed on the ${side} side:\n${answer.error}`);
  return answer as unknown as Run;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return;
  }
  const workloads = WORKLOADS.filter((w) => !options.only || options.only.includes(w.id));
  const size = (w: (typeof WORKLOADS)[number]) => (options.quick ? w.quick : w.full);
  const w4 = workloads.find((w) => w.id === "w4-transformer");
  process.env.DLKIT_THREADS ??= "1"; // this process only writes W4's data
  await useBestBackend({ quiet: true });
  const dataFile = w4 ? writeReverseData(size(w4)) : undefined;

  // Before any worker starts, so that nothing else runs on the cores.
  const wasmPeak = await measureSimdPeak(options.threads);
  const handoff = options.profile ? await measureHandoff() : undefined;
  const cpu = estimateCpuPeak(undefined, clockGhz(wasmPeak));
  const tsNode = require.resolve("ts-node/dist/bin.js");
  const torchWorker = path.join(root, "bench", "torch", "worker.py");
  const kitWorker = (label: string, env: NodeJS.ProcessEnv) =>
    new WorkerClient(
      label,
      process.execPath,
      [tsNode, "--transpile-only", path.join(root, "bench", "workloads", "worker.ts")],
      root,
      {
        ...process.env,
        DLKIT_THREADS: String(options.threads),
        ...env,
      },
    );
  const workers: Record<string, WorkerClient> = {
    kit: kitWorker("kit", {}),
    torch: new WorkerClient(
      "torch",
      TORCH_PYTHON,
      [torchWorker, String(options.threads)],
      root,
      torchEnv(options.threads),
    ),
  };
  if (OPENBLAS_VARS.some((name) => process.env[name] !== undefined)) {
    workers.torchAsFound = new WorkerClient(
      "torch as found",
      TORCH_PYTHON,
      [torchWorker, String(options.threads)],
      root,
      torchEnv(options.threads, true),
    );
  }
  if (options.compareFma) workers.kitNoFma = kitWorker("kit without FMA", { DLKIT_FMA: "0" });
  if (options.allThreads && cpu.cores > options.threads)
    workers.torchAll = new WorkerClient(
      "torch all threads",
      TORCH_PYTHON,
      [torchWorker, String(cpu.cores)],
      root,
      torchEnv(cpu.cores),
    );

  const runs: Record<string, Record<string, Run[]>> = {};
  const gflops: Record<string, Record<string, number[]>> = {};
  const profiles: Record<string, WorkloadProfile> = {};
  const matmul = options.quick ? MATMUL.quick : MATMUL.full;
  try {
    for (let rep = 1; rep <= options.reps; rep++) {
      for (const w of workloads) {
        for (const [side, worker] of Object.entries(workers)) {
          process.stderr.write(`rep ${rep}/${options.reps}  ${w.id}  ${side} ... `);
          const run = check(await worker.request({ id: w.id, params: size(w), dataFile }), side, w.id);
          process.stderr.write(`${run.seconds.toFixed(3)} s\n`);
          ((runs[w.id] ??= {})[side] ??= []).push(run);
        }
      }
      for (const [side, worker] of Object.entries(workers)) {
        const answer = check(await worker.request({ id: "matmul", params: matmul }), side, "matmul") as unknown as {
          gflops: Record<string, number>;
        };
        for (const [n, g] of Object.entries(answer.gflops)) ((gflops[side] ??= {})[n] ??= []).push(g);
      }
    }
    if (options.profile) {
      for (const w of workloads) {
        process.stderr.write(`profile  ${w.id}  kit ... `);
        const answer = check(
          await workers.kit.request({ id: w.id, params: size(w), dataFile, profile: true }),
          "kit",
          w.id,
        );
        profiles[w.id] = (answer as unknown as { profile: WorkloadProfile }).profile;
        process.stderr.write(`${profiles[w.id].seconds.toFixed(3)} s\n`);
      }
    }
  } finally {
    Object.values(workers).forEach((w) => w.close());
    if (dataFile) fs.rmSync(path.dirname(dataFile), { recursive: true, force: true });
  }

  const results: WorkloadResult[] = workloads.map((w) => {
    const sides = Object.fromEntries(
      Object.entries(runs[w.id]).map(([side, rs]) => {
        const seconds = rs.map((r) => r.seconds);
        const cores = rs.filter((r) => r.cpuSeconds !== undefined).map((r) => r.cpuSeconds! / r.seconds);
        return [
          side,
          {
            backend: rs[0].backend,
            runs: rs,
            medianSeconds: median(seconds),
            bestSeconds: Math.min(...seconds),
            ...(cores.length ? { medianCores: median(cores) } : {}),
          },
        ];
      }),
    );
    const torchSides = Object.keys(sides).filter((s) => s !== "kit");
    const ratios = Object.fromEntries(torchSides.map((s) => [s, sides.kit.medianSeconds / sides[s].medianSeconds]));
    const bestRatios = Object.fromEntries(torchSides.map((s) => [s, sides.kit.bestSeconds / sides[s].bestSeconds]));
    return { id: w.id, title: w.title, params: size(w), sides, ratios, bestRatios, profile: profiles[w.id] };
  });
  const result: BenchResult = {
    date: new Date().toISOString(),
    quick: options.quick,
    reps: options.reps,
    threads: options.threads,
    cpu: { ...cpu, estimate: true },
    wasmPeak,
    handoff,
    env: {
      OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE ?? null,
      OPENBLAS_L2_SIZE: process.env.OPENBLAS_L2_SIZE ?? null,
      torchEnv:
        "torch: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, as on a student's machine; torchAsFound: this machine's environment as found",
      wasmThreads: `${options.threads} thread${options.threads === 1 ? "" : "s"} per side (DLKIT_THREADS=${options.threads}, torch.set_num_threads(${options.threads}), OPENBLAS_NUM_THREADS=${options.threads})`,
    },
    workloads: results,
    matmul: Object.fromEntries(
      Object.entries(gflops).map(([side, byN]) => [
        side,
        Object.fromEntries(Object.entries(byN).map(([n, gs]) => [n, median(gs)])),
      ]),
    ),
  };
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, JSON.stringify(result, null, 2));
  console.log(formatTable(result));
  console.log(
    `\nOPENBLAS_CORETYPE=${result.env.OPENBLAS_CORETYPE ?? "(unset)"}, OPENBLAS_L2_SIZE=${result.env.OPENBLAS_L2_SIZE ?? "(unset)"} as found, unset for the torch side; results in ${options.out}`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
