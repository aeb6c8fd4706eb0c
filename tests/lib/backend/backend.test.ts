import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { currentBackend, useBestBackend } from "../../../lib/backend";
import { expectedBackend, parseChoice } from "../../../lib/backend/candidates";

describe("useBestBackend", () => {
  afterEach(() => {
    delete process.env.DLKIT_BACKEND;
    vi.restoreAllMocks();
  });

  it("picks wasm here, where tfjs-node cannot install, and says why in one line", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const info = await useBestBackend();
    expect(info.choice).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    // Here its install script cannot fetch the binary: npm drops the package, or leaves it unloadable.
    expect(info.reason).toMatch(/@tensorflow\/tfjs-node (is not installed|is installed but failed to load)/);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toBe(info.summary);
    expect(info.summary).not.toContain("\n");
  });

  it("honours DLKIT_BACKEND and computes on the forced backend", async () => {
    process.env.DLKIT_BACKEND = "cpu";
    const info = await useBestBackend({ quiet: true });
    expect(info.choice).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(info.reason).toContain("forced by DLKIT_BACKEND");
    expect(Array.from(tf.tensor1d([1, 2]).add(1).dataSync())).toEqual([2, 3]);
    expect(currentBackend()?.choice).toBe("cpu");
  });

  it("does not print tfjs's banner urging tfjs-node on the cpu backend", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await useBestBackend({ backend: "cpu", quiet: true });
    tf.tidy(() => tf.tensor1d([1, 2, 3]).square());
    expect(warn.mock.calls.flat().join(" ")).not.toContain("running TensorFlow.js in Node.js");
  });

  it("refuses a forced backend that is not installed, naming the package and the fix", async () => {
    await expect(useBestBackend({ backend: "node", quiet: true })).rejects.toThrow(
      /DLKIT_BACKEND=node was asked for, but @tensorflow\/tfjs-node is not installed\. Install it, or unset DLKIT_BACKEND/,
    );
  });

  it("rejects an unknown backend name with the list of valid ones", () => {
    expect(() => parseChoice("gpu")).toThrow(
      "DLKIT_BACKEND=gpu is not a backend: use one of node-gpu, node, wasm, cpu, or auto.",
    );
  });

  it("predicts its choice without loading tfjs, for the kernel's banner", () => {
    expect(expectedBackend({})).toMatch(/^wasm \(/);
    expect(expectedBackend({ DLKIT_BACKEND: "cpu" })).toBe("cpu (forced by DLKIT_BACKEND)");
  });
});
