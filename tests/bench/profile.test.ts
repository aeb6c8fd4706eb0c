/**
 * bench/workloads/profile.ts: FLOPs read off a kernel's shapes, and a
 * profiled run that accounts for its kernels (each counted once, products
 * among them) on the real wasm backend.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { floorSeconds, kernelFlops, profileWorkload } from "../../bench/workloads/profile";
import { useBestBackend } from "../../lib/backend";
import * as nn from "../../lib/nn";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
});

describe("kernelFlops", () => {
  it("counts a convolution and both its gradients as output × taps × in-channels multiply-adds", () => {
    // LeNet's second convolution at batch 64: [64,14,14,6] * [5,5,6,16] → [64,10,10,16].
    const forward = 2 * 64 * 10 * 10 * 16 * 5 * 5 * 6;
    expect(
      kernelFlops(
        "Conv2D",
        [
          [64, 14, 14, 6],
          [5, 5, 6, 16],
        ],
        [[64, 10, 10, 16]],
      ),
    ).toBe(forward);
    expect(
      kernelFlops(
        "Conv2DBackpropInput",
        [
          [64, 10, 10, 16],
          [5, 5, 6, 16],
        ],
        [[64, 14, 14, 6]],
      ),
    ).toBe(forward);
    expect(
      kernelFlops(
        "Conv2DBackpropFilter",
        [
          [64, 14, 14, 6],
          [64, 10, 10, 16],
        ],
        [[5, 5, 6, 16]],
      ),
    ).toBe(forward);
  });

  it("finds a product's inner length whichever side is transposed, and with a batch", () => {
    expect(
      kernelFlops(
        "BatchMatMul",
        [
          [64, 400],
          [400, 120],
        ],
        [[64, 120]],
      ),
    ).toBe(2 * 64 * 400 * 120);
    expect(
      kernelFlops(
        "BatchMatMul",
        [
          [400, 64],
          [400, 120],
        ],
        [[64, 120]],
      ),
    ).toBe(2 * 64 * 400 * 120);
    expect(
      kernelFlops(
        "BatchMatMul",
        [
          [8, 16, 4],
          [8, 16, 4],
        ],
        [[8, 16, 16]],
      ),
    ).toBe(2 * 8 * 16 * 16 * 4);
    expect(kernelFlops("DlkitLinear", [[64, 400], [120, 400], [120]], [[64, 120]])).toBe(2 * 64 * 400 * 120);
    expect(kernelFlops("Relu", [[64, 120]], [[64, 120]])).toBe(0);
  });
});

describe("profileWorkload", () => {
  it("accounts for one training step's kernels, products included, and leaves no tensor behind", async () => {
    nn.manualSeed(0);
    const model = new nn.Linear(400, 120);
    const x = tf.randomNormal([64, 400]);
    const before = tf.memory().numTensors;
    const profile = await profileWorkload(async () => {
      const grads = tf.variableGrads(() => model.forward(x).square().sum() as tf.Scalar);
      tf.dispose(grads);
    });
    expect(tf.memory().numTensors).toBe(before);
    // Forward x·Wᵀ, then dL/dx is not asked for: dL/dW = dyᵀ·x, one product each way.
    expect(profile.productGflop).toBeCloseTo((2 * 2 * 64 * 400 * 120) / 1e9, 9);
    expect(profile.kernels).toBeGreaterThanOrEqual(4);
    expect(profile.productSeconds).toBeGreaterThan(0);
    expect(profile.productSeconds).toBeLessThanOrEqual(profile.kernelSeconds);
    expect(profile.kernelSeconds).toBeLessThanOrEqual(profile.seconds);
    expect(profile.opMicroseconds).toBeGreaterThan(0);
    const names = profile.top.map((k) => k.name);
    expect(names).toContain("DlkitLinear");
    expect(names).not.toContain("unnamed scope");
    const floor = floorSeconds(profile, 50);
    expect(floor.compute).toBeCloseTo(profile.productGflop / 50, 12);
    expect(floor.perOp).toBeCloseTo((profile.kernels * profile.opMicroseconds) / 1e6, 12);
    model.dispose();
    x.dispose();
  });
});
