import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { gradientCheck, notImplemented } from "../../../lib/check";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

/** Lab 1's loss: mean cross-entropy of softmax(tanh(X W1ᵀ + b1) W2ᵀ + b2). */
const X = () => tf.randomNormal([8, 2], 0, 1, "float32", 1);
const Y = () => tf.oneHot(tf.tensor1d([0, 1, 1, 0, 1, 0, 0, 1], "int32"), 2).toFloat();
function loss(w1: tf.Tensor, w2: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const h = tf.tanh(tf.matMul(X(), w1, false, true));
    const logits = tf.matMul(h, w2, false, true);
    return tf.losses.softmaxCrossEntropy(Y(), logits) as tf.Scalar;
  });
}

describe("gradientCheck", () => {
  it("passes tfjs autograd on a small MLP loss", () => {
    const [w1, w2] = [tf.randomNormal([4, 2], 0, 0.3, "float32", 2), tf.randomNormal([2, 4], 0, 0.3, "float32", 3)];
    const v = gradientCheck(loss, [w1, w2], { names: ["W1", "W2"] });
    expect(v.ok).toBe(true);
    expect(v.message).toMatch(/^gradients of W1, W2 match finite differences \(max error .* over 16 coordinates\)$/);
    tf.dispose([w1, w2]);
  });

  it("catches a hand-written backward that forgot to divide by the batch size", () => {
    const w = tf.randomNormal([3, 1], 0, 1, "float32", 4);
    const x = tf.randomNormal([8, 3], 0, 1, "float32", 5);
    const mse = (w: tf.Tensor) => tf.matMul(x, w).square().mean() as tf.Scalar;
    const backward = (w: tf.Tensor) => [tf.matMul(x, tf.matMul(x, w), true, false).mul(2)];
    const v = gradientCheck(mse, [w], { analytic: backward, names: ["w"] });
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/^gradients: ∂\/∂w at \[\d,0\] is .*; finite differences give /);
    expect(v.hint).toBe("yours is 8× the expected: forgot to divide by 8 (the batch size or a mean)?");
    tf.dispose([w, x]);
  });

  it("asks about a transpose when the gradient has the transposed shape", () => {
    const w = tf.randomNormal([3, 2], 0, 1, "float32", 6);
    const v = gradientCheck((w) => w.square().sum() as tf.Scalar, [w], {
      analytic: (w) => [w.transpose().mul(2)],
      names: ["W"],
    });
    expect(v.message).toBe("gradients: the gradient of W has shape [2,3]; expected [3,2] like W");
    expect(v.hint).toBe("did you transpose?");
    w.dispose();
  });

  it("reports a backward that is not written yet", () => {
    const w = tf.ones([2]);
    const v = gradientCheck((w) => w.sum() as tf.Scalar, [w], {
      analytic: () => notImplemented("backward"),
      name: "backward",
    });
    expect(v).toMatchObject({ ok: false, notImplemented: true, message: "backward: not implemented yet" });
    w.dispose();
  });

  it("samples coordinates of large inputs with a seed and leaks nothing", () => {
    const w = tf.randomNormal([40, 40], 0, 1, "float32", 7);
    const before = tf.memory().numTensors;
    const v = gradientCheck((w) => w.sin().sum() as tf.Scalar, [w], { maxCoords: 10 });
    expect(v.ok).toBe(true);
    expect(v.message).toMatch(/over 10 coordinates/);
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });
});
