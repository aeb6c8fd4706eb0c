import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { Adam } from "../../../lib/optim";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
});

describe("Adam with one update for all parameters", () => {
  it("leaves a parameter without gradient alone, and the others follow the same path as if it did not exist", () => {
    const [a, b, alone] = [
      tf.variable(tf.tensor1d([1, -2])),
      tf.variable(tf.tensor2d([[0.5, 3]])),
      tf.variable(tf.tensor1d([1, -2])),
    ];
    const both = new Adam([a, b], { lr: 0.1, amsgrad: true, weightDecay: 0.01 });
    const single = new Adam([alone], { lr: 0.1, amsgrad: true, weightDecay: 0.01 });
    const before = tf.memory().numTensors;
    const bAfterFirst: number[] = [];
    for (let step = 0; step < 4; step++) {
      // Step 2 has no gradient for b: PyTorch skips it, moments included.
      const withB = step !== 2;
      both.step(() => (withB ? a.square().sum().add(b.square().sum()) : a.square().sum()) as tf.Scalar).dispose();
      single.step(() => alone.square().sum() as tf.Scalar).dispose();
      if (step === 1) bAfterFirst.push(...b.dataSync());
      if (step === 2) expect(Array.from(b.dataSync())).toEqual(bAfterFirst);
      expect(Array.from(a.dataSync())).toEqual(Array.from(alone.dataSync()));
    }
    both.dispose();
    single.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, alone]);
  });
});
