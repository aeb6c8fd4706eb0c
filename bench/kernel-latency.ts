/**
 * The kit's kernel against plain tslab, in one run on this machine: start to
 * first result, a trivial cell, and a cell that defines a function (tslab
 * type-checks every cell). Medians over alternating repetitions.
 *
 *   npm run bench:kernel -- [--reps 5]
 */
import * as fs from "fs";
import * as path from "path";
import { KernelClient } from "../runner/client";
import { kitKernelSpec, KernelSpec, kitRoot } from "../jupyter/kernelspec";

const root = kitRoot();
const kernels: Record<string, KernelSpec> = {
  "dlkit kernel": kitKernelSpec(),
  "plain tslab": {
    argv: [
      process.execPath,
      path.join(root, "node_modules", "tslab", "bin", "tslab"),
      "kernel",
      "--config-path",
      "{connection_file}",
    ],
    display_name: "tslab",
    language: "typescript",
  },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(spec: KernelSpec): Promise<{ start: number; trivial: number; fn: number }> {
  const t0 = performance.now();
  const kernel = await KernelClient.start({ spec, cwd: root });
  const first = await kernel.execute("1");
  const start = performance.now() - t0;
  if (first.status !== "ok") throw new Error(`first cell failed: ${JSON.stringify(first.error)}`);
  const trivials: number[] = [];
  const fns: number[] = [];
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    await kernel.execute(`${i} + 1`);
    trivials.push(performance.now() - t);
    t = performance.now();
    await kernel.execute(`function f${i}(x: number): number { return x * ${i}; }`);
    fns.push(performance.now() - t);
  }
  await kernel.shutdown();
  return { start, trivial: median(trivials), fn: median(fns) };
}

async function main(): Promise<void> {
  const reps = Number(process.argv[process.argv.indexOf("--reps") + 1]) || 5;
  const samples: Record<string, Array<{ start: number; trivial: number; fn: number }>> = {};
  for (let r = 0; r < reps; r++) {
    for (const [name, spec] of Object.entries(kernels)) (samples[name] ??= []).push(await measure(spec));
  }
  const rows = Object.entries(samples).map(([name, s]) => ({
    kernel: name,
    "start to first result (s)": +(median(s.map((x) => x.start)) / 1000).toFixed(2),
    "trivial cell (ms)": Math.round(median(s.map((x) => x.trivial))),
    "function cell (ms)": Math.round(median(s.map((x) => x.fn))),
  }));
  console.table(rows);
  const [kit, plain] = rows;
  console.log(
    `ratios kit/tslab: start ${(kit["start to first result (s)"] / plain["start to first result (s)"]).toFixed(2)}, ` +
      `trivial ${(kit["trivial cell (ms)"] / plain["trivial cell (ms)"]).toFixed(2)}, function ${(kit["function cell (ms)"] / plain["function cell (ms)"]).toFixed(2)}`,
  );
  fs.mkdirSync(path.join(root, "out"), { recursive: true });
  fs.writeFileSync(path.join(root, "out", "kernel-latency.json"), JSON.stringify({ reps, rows }, null, 2));
}

void main();
