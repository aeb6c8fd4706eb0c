/**
 * `npm run bench -- --quick --compare-fma --profile` end to end: every
 * workload runs on the kit (with and without fused multiply-adds, and once
 * profiled) and on PyTorch, the table and out JSON have them all with real
 * times (wall and CPU), and the two sides do the same work. No timing is asserted: the machine is shared.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { beforeAll, describe, expect, it } from "vitest";
import { BenchResult } from "../../bench/report";
import { WORKLOADS } from "../../bench/specs";

const root = path.resolve(__dirname, "..", "..");
let table = "";
let result: BenchResult;

// Asynchronous: a synchronous child would block vitest's worker past its RPC timeout.
beforeAll(async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-bench-test-")), "bench.json");
  ({ stdout: table } = await promisify(execFile)(
    "npm",
    ["run", "--silent", "bench", "--", "--quick", "--compare-fma", "--profile", "--out", out],
    {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 16 * 2 ** 20,
    },
  ));
  result = JSON.parse(fs.readFileSync(out, "utf8")) as BenchResult;
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
}, 600_000);

describe("npm run bench --quick", () => {
  it("prints one row per workload with the kit's and PyTorch's medians, their ratio, the ratio of the fastest runs and the cores each kept busy, and the matmul section", () => {
    const rows = table.split("\n");
    for (const w of result.workloads) {
      const row = rows.find((line) => line.startsWith(w.title));
      expect(row, `table row for ${w.id}`).toBeDefined();
      expect(row).toContain(` ${w.ratios.torch.toFixed(2)} `);
      expect(row).toContain(` ${w.bestRatios.torch.toFixed(2)} `);
      const { kit, torch } = w.sides;
      expect(row).toContain(` ${kit.medianCores!.toFixed(2)} / ${torch.medianCores!.toFixed(2)} `);
      expect(w.bestRatios.torch).toBeCloseTo(
        Math.min(...kit.runs.map((r) => r.seconds)) / Math.min(...torch.runs.map((r) => r.seconds)),
        10,
      );
    }
    expect(table).toMatch(/kit backend: \w+/);
    expect(table).toMatch(/wasm SIMD peak measured on 1 thread .*: \d+ GFLOP\/s as a multiply then an add/);
    expect(table).toMatch(/estimated native fp32 peak: \d+ cores × [\d.]+ GHz/);
    expect(table).toMatch(/^256\s+\d+\.\d/m);
  });

  it("writes every workload to the JSON with finite positive times on both sides", () => {
    expect(result.workloads.map((w) => w.id)).toEqual(WORKLOADS.map((w) => w.id));
    for (const w of result.workloads) {
      expect(Object.keys(w.sides)).toEqual(expect.arrayContaining(["kit", "torch"]));
      for (const [side, s] of Object.entries(w.sides)) {
        expect(s.runs.length, `${w.id} ${side}`).toBe(result.reps);
        for (const run of s.runs) {
          expect(Number.isFinite(run.seconds) && run.seconds > 0, `${w.id} ${side} seconds ${run.seconds}`).toBe(true);
          expect(run.cpuSeconds! > 0, `${w.id} ${side} CPU seconds ${run.cpuSeconds}`).toBe(true);
        }
      }
      expect(w.ratios.torch).toBeGreaterThan(0);
      expect(Number.isFinite(w.ratios.torch)).toBe(true);
    }
    for (const side of ["kit", "torch"]) expect(result.matmul[side]["256"]).toBeGreaterThan(0);
    expect(result.wasmPeak.threads).toBe(1);
    expect(result.wasmPeak["mul+add"]).toBeGreaterThan(0);
  });

  it("has the kit and PyTorch do the same work: same steps and parameter count, on every workload", () => {
    for (const w of result.workloads) {
      const [kit, torch] = [w.sides.kit.runs[0], w.sides.torch.runs[0]];
      expect(kit.steps, `${w.id} steps`).toBe(torch.steps);
      expect(kit.params, `${w.id} parameters`).toBe(torch.params);
    }
    const w1 = result.workloads.find((w) => w.id === "w1-mlp-2-4-2")!;
    expect(w1.sides.kit.runs[0].steps).toBe(w1.params.steps);
    expect(w1.sides.kit.runs[0].params).toBe(2 * 4 + 4 + 4 * 2 + 2);
    const w4 = result.workloads.find((w) => w.id === "w4-transformer")!;
    expect(w4.sides.kit.runs[0].detail?.epochs).toBe(w4.sides.torch.runs[0].detail?.epochs);
  });

  it("runs the kit once more without FMA, on the same work, and shows the kit/no-FMA ratio", () => {
    expect(table).toMatch(/kit no-FMA s\s+kit\/no-FMA/);
    for (const w of result.workloads) {
      const [kit, plain] = [w.sides.kit.runs[0], w.sides.kitNoFma.runs[0]];
      expect(plain.steps, w.id).toBe(kit.steps);
      expect(plain.tensorsLeft, w.id).toBe(0);
      expect(w.ratios.kitNoFma).toBeCloseTo(w.sides.kit.medianSeconds / w.sides.kitNoFma.medianSeconds, 10);
    }
  });

  it("leaves no tensors behind on the kit side and records its memory peak and backend", () => {
    for (const w of result.workloads) {
      const run = w.sides.kit.runs[0];
      expect(run.tensorsLeft, w.id).toBe(0);
      expect(run.peakBytes, w.id).toBeGreaterThan(0);
      expect(run.peakTensors, w.id).toBeGreaterThan(0);
      expect(w.sides.kit.backend).toMatch(/^(wasm|cpu|node)/);
      expect(w.sides.torch.backend).toMatch(/^torch /);
    }
  });

  it("profiles every kit workload: kernels counted, the products' FLOPs, and a floor row beside PyTorch's time", () => {
    expect(table).toContain("Where the kit's time goes");
    for (const w of result.workloads) {
      const p = w.profile!;
      expect(p, `${w.id} profile`).toBeDefined();
      expect(p.kernels, w.id).toBeGreaterThan(0);
      expect(p.productGflop, w.id).toBeGreaterThan(0);
      expect(p.kernelSeconds, w.id).toBeLessThanOrEqual(p.seconds);
      const row = table.split("\n").find((line) => line.startsWith(w.title) && line.includes(` ${p.kernels} `));
      expect(row, `profile row for ${w.id}`).toBeDefined();
    }
    expect(result.handoff!.sleepingMicroseconds).toBeGreaterThan(0);
    expect(result.handoff!.spinningMicroseconds).toBeGreaterThan(0);
    expect(table).toMatch(/A worker round trip \(bench\/handoff.ts\) costs [\d.]+ µs/);
    const lenet = result.workloads.find((w) => w.id === "w2-lenet-train")!.profile!;
    expect(lenet.top.map((k) => k.name)).toEqual(expect.arrayContaining(["Conv2D", "Conv2DBackpropFilter"]));
  });
});

describe("npm run bench's options", () => {
  const bench = (...args: string[]) =>
    promisify(execFile)("npm", ["run", "--silent", "bench", "--", ...args], { cwd: root, encoding: "utf8" });

  it("--help lists every option and runs nothing", async () => {
    const { stdout } = await bench("--help");
    for (const option of [
      "--reps",
      "--only",
      "--quick",
      "--threads",
      "--all-threads",
      "--compare-fma",
      "--profile",
      "--out",
    ])
      expect(stdout).toContain(`  ${option}`);
    expect(stdout).not.toContain("rep 1/");
  }, 60_000);

  it("stops on a misspelt option or a missing value, naming it, before any workload runs", async () => {
    for (const [args, message] of [
      [["--thread", "2"], "bench: unknown option '--thread'"],
      [["--reps"], "bench: --reps needs a value"],
      [["--out", "--quick"], "bench: --out needs a value"],
    ] as const) {
      const failure = await bench(...args).then(
        () => null,
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
      expect(failure?.code, args.join(" ")).toBe(1);
      expect(failure?.stderr).toContain(message);
      expect(failure?.stderr).toContain("--compare-fma");
      expect(failure?.stdout).not.toContain("rep 1/");
    }
  }, 120_000);
});
