/** The kit's kernel at the protocol level: what it says at start-up and how it queues cells. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "../../runner/client";
import { kitKernelSpec } from "../../jupyter/kernelspec";
import { scratchDir } from "../helpers";

let kernel: KernelClient;
beforeAll(async () => {
  kernel = await KernelClient.start({ spec: kitKernelSpec(), cwd: scratchDir("kernel") });
});
afterAll(async () => {
  await kernel.shutdown();
});

describe("the kit's kernel", () => {
  it("reports the tfjs backend it will use in its banner", () => {
    expect(kernel.kernelInfo.banner).toMatch(
      /^TypeScript \(deep learning\): tslab on Node\.js v\d+.*; tfjs backend: wasm \(/,
    );
    expect(kernel.kernelInfo.language_info?.name).toBe("typescript");
  });

  it("aborts the cells already queued behind a failing one when stop_on_error is set", async () => {
    const runs = await Promise.all([
      kernel.execute('throw new Error("stop here")'),
      kernel.execute('console.log("queued 1")'),
      kernel.execute('console.log("queued 2")'),
    ]);
    expect(runs.map((r) => r.status)).toEqual(["error", "aborted", "aborted"]);
    // Requests sent after the error reply run again at once (tslab alone aborts them for 200 ms).
    expect((await kernel.execute('"fresh"')).status).toBe("ok");
  });

  it("runs every queued cell when stop_on_error is false", async () => {
    const runs = await Promise.all([
      kernel.execute('throw new Error("go on")', { stopOnError: false }),
      kernel.execute('console.log("queued 1")', { stopOnError: false }),
      kernel.execute('console.log("queued 2")', { stopOnError: false }),
    ]);
    expect(runs.map((r) => r.status)).toEqual(["error", "ok", "ok"]);
    expect(runs[2].outputs).toEqual([{ output_type: "stream", name: "stdout", text: "queued 2\n" }]);
  });

  it("shows an object with a rich representation as its mime bundle", async () => {
    const run = await kernel.execute(
      'const chart = { [Symbol.for("dlkit.mimeBundle")]: async () => ({ "image/svg+xml": "<svg/>", "text/plain": "a chart" }) };\nchart',
    );
    expect(run.outputs).toEqual([
      {
        output_type: "execute_result",
        execution_count: run.executionCount,
        data: { "image/svg+xml": "<svg/>", "text/plain": "a chart" },
        metadata: {},
      },
    ]);
  });

  it("lets a shorthand property name a variable from an earlier cell (plain tslab throws ReferenceError)", async () => {
    await kernel.execute("const batchSize = 10;");
    const run = await kernel.execute("const options = { batchSize, epochs: 2 };\noptions");
    expect(run.outputs).toEqual([
      {
        output_type: "execute_result",
        execution_count: run.executionCount,
        data: { "text/plain": "{ batchSize: 10, epochs: 2 }" },
        metadata: {},
      },
    ]);
  });

  it("points a type error after a shorthand property at the column the student typed", async () => {
    const run = await kernel.execute("const more = { batchSize }; const wrong: string = 1;");
    expect(run.error?.evalue).toBe("line 1, column 35: Type 'number' is not assignable to type 'string'.");
  });

  it("keeps what a cell declared before it threw, as Python does (plain tslab forgets it all)", async () => {
    const failing = await kernel.execute(
      'function twice(x: number): number {\n  return 2 * x;\n}\nthrow new Error("a later line fails");',
    );
    expect(failing.status).toBe("error");
    const run = await kernel.execute("twice(21)");
    expect(run.outputs).toEqual([
      {
        output_type: "execute_result",
        execution_count: run.executionCount,
        data: { "text/plain": "42" },
        metadata: {},
      },
    ]);
  });

  it("declares nothing from a cell that did not compile", async () => {
    expect((await kernel.execute("const typo: string = 1;\nfunction unseen() {}")).status).toBe("error");
    expect((await kernel.execute("unseen()")).error?.evalue).toBe("line 1, column 1: Cannot find name 'unseen'.");
  });
});
