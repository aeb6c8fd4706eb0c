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
    // LeNet's second convolution at batch 64: x [64,14,14,6] * w [5,5,6,16] → y [64,10,10,16].
    const [x, w, y] = [
      [64, 14, 14, 6],
      [5, 5, 6, 16],
      [64, 10, 10, 16],
    ];
    const forward = 2 * 64 * 10 * 10 * 16 * 5 * 5 * 6;
    expect(kernelFlops("Conv2D", [x, w], [y])).toBe(forward);
    expect(kernelFlops("Conv2DBackpropInput", [y, w], [x])).toBe(forward);
    expect(kernelFlops("Conv2DBackpropFilter", [x, y], [w])).toBe(forward);
  });

  it("finds a product's inner length whichever side is transposed, and with a batch", () => {
    const [x, xT, weight, weightT, dy] = [
      [64, 400],
      [400, 64],
      [400, 120],
      [120, 400],
      [64, 120],
    ];
    expect(kernelFlops("BatchMatMul", [x, weight], [dy])).toBe(2 * 64 * 400 * 120);
    expect(kernelFlops("BatchMatMul", [xT, weight], [dy])).toBe(2 * 64 * 400 * 120);
    const heads = [8, 16, 4];
    expect(kernelFlops("BatchMatMul", [heads, heads], [[8, 16, 16]])).toBe(2 * 8 * 16 * 16 * 4);
    expect(kernelFlops("DlkitLinear", [x, weightT, [120]], [dy])).toBe(2 * 64 * 400 * 120);
    expect(kernelFlops("Relu", [dy], [dy])).toBe(0);
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
