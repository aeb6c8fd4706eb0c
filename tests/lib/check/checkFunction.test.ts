import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { checkFunction, notImplemented, verdictLine } from "../../../lib/check";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

const randn = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed);

/** Lab 5's scores and attention weights, right and wrong. */
const scores = (q: tf.Tensor, k: tf.Tensor) =>
  tf.matMul(q, k, false, true).div(Math.sqrt(q.shape[q.shape.length - 1]!));
const attentionInputs = (seed: number): [tf.Tensor, tf.Tensor] => [
  randn([2, 5, 16], seed),
  randn([2, 5, 16], seed + 100),
];

describe("checkFunction", () => {
  it("passes a correct implementation and prints one ✔ line", () => {
    const log = vi.mocked(console.log);
    log.mockClear();
    const v = checkFunction((q: tf.Tensor, k: tf.Tensor) => tf.matMul(q, k.transpose([0, 2, 1])).mul(0.25), scores, {
      inputs: attentionInputs,
      name: "scores",
    });
    expect(v.ok).toBe(true);
    expect(v.message).toBe("scores: matches the reference on 3 random inputs");
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toBe("✔ scores: matches the reference on 3 random inputs");
  });

  it("asks about the missing √d scale, naming d from the inputs", () => {
    const v = checkFunction((q: tf.Tensor, k: tf.Tensor) => tf.matMul(q, k, false, true), scores, {
      inputs: attentionInputs,
      name: "scores",
    });
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/^scores differs from the reference \(max \|Δ\| .* at \[/);
    expect(v.hint).toBe("yours is the expected × √16: missing scale (divide by √d, d = 16)?");
  });

  it("asks about a transpose when the output is the expected transposed (square)", () => {
    const v = checkFunction((q: tf.Tensor, k: tf.Tensor) => tf.matMul(k, q, false, true).div(4), scores, {
      inputs: attentionInputs,
    });
    expect(v.hint).toBe("did you transpose?");
  });

  it("asks about a transpose when the shape is the expected one reversed", () => {
    const forward = (x: tf.Tensor2D, w: tf.Tensor2D) => tf.matMul(x, w);
    const v = checkFunction((x: tf.Tensor2D, w: tf.Tensor2D) => tf.matMul(w, x, true, true), forward, {
      inputs: (s) => [randn([8, 2], s) as tf.Tensor2D, randn([2, 4], s + 1) as tf.Tensor2D],
      name: "forward",
    });
    expect(v.message).toBe("forward has shape [4,8]; expected [8,4]");
    expect(v.hint).toBe("did you transpose?");
  });

  it("asks about the softmax axis when yours sums to 1 along another axis", () => {
    const weights = (s: tf.Tensor) => tf.softmax(s, -1);
    const v = checkFunction((s: tf.Tensor) => tf.softmax(s.transpose([0, 2, 1]), -1).transpose([0, 2, 1]), weights, {
      inputs: (seed) => [randn([2, 5, 5], seed)],
      name: "weights",
    });
    expect(v.hint).toBe("softmax over the wrong axis? Yours sums to 1 along axis 1, the expected along axis 2");
  });

  it("asks about the √d scale when the attention weights are too peaked", () => {
    const weights = (q: tf.Tensor, k: tf.Tensor) => tf.softmax(scores(q, k), -1);
    const v = checkFunction((q: tf.Tensor, k: tf.Tensor) => tf.softmax(tf.matMul(q, k, false, true), -1), weights, {
      inputs: attentionInputs,
      name: "attention",
    });
    expect(v.hint).toBe(
      "yours is sharper (more peaked) than the expected softmax: scores not divided by √d (or another scale) before softmax?",
    );
  });

  it("asks whether the mask was applied after softmax", () => {
    const causal = tf.tidy(() => tf.linalg.bandPart(tf.ones([5, 5]), -1, 0));
    const masked = (s: tf.Tensor) => tf.softmax(tf.where(causal.cast("bool"), s, tf.fill(s.shape, -Infinity)), -1);
    const v = checkFunction((s: tf.Tensor) => tf.softmax(s, -1).mul(causal), masked, {
      inputs: (seed) => [randn([2, 5, 5], seed)],
    });
    expect(v.hint).toBe(
      "yours does not sum to 1 along axis 2: mask applied after softmax instead of before (fill with -Infinity, then softmax)?",
    );
    causal.dispose();
  });

  it("spots heads merged in the wrong order (right numbers, wrong places)", () => {
    // [batch, heads, len, dk] -> [batch, len, heads*dk]
    const merge = (x: tf.Tensor) => x.transpose([0, 2, 1, 3]).reshape([2, 5, 8]);
    const v = checkFunction((x: tf.Tensor) => x.reshape([2, 5, 8]), merge, {
      inputs: (s) => [randn([2, 2, 5, 4], s)],
      name: "mergeHeads",
    });
    expect(v.hint).toMatch(/^the right numbers in the wrong places/);
  });

  it("names the batch size when a gradient was not divided by it", () => {
    const grad = (x: tf.Tensor, d: tf.Tensor) => tf.matMul(x, d, true, false).div(x.shape[0]!);
    const v = checkFunction((x: tf.Tensor, d: tf.Tensor) => tf.matMul(x, d, true, false), grad, {
      inputs: (s) => [randn([8, 3], s), randn([8, 4], s + 1)],
      name: "dW",
    });
    expect(v.hint).toBe("yours is 8× the expected: forgot to divide by 8 (the batch size or a mean)?");
  });

  it("says when the sign is flipped", () => {
    const v = checkFunction(
      (a: tf.Tensor, b: tf.Tensor) => b.sub(a),
      (a: tf.Tensor, b: tf.Tensor) => a.sub(b),
      { inputs: (s) => [randn([3, 3], s), randn([3, 3], s + 7)] },
    );
    expect(v.hint).toBe("the sign is flipped: a + where a − belongs (or the reverse)?");
  });

  it("asks about keepDims when a size-1 axis is lost", () => {
    const v = checkFunction(
      (x: tf.Tensor) => x.sum(1),
      (x: tf.Tensor) => x.sum(1, true),
      { inputs: (s) => [randn([4, 3], s)], name: "rowSums" },
    );
    expect(v.message).toBe("rowSums has shape [4]; expected [4,1]");
    expect(v.hint).toBe("lost a size-1 axis: keepDims (or expandDims) missing?");
  });

  it("explains a [n] − [n,1] broadcast", () => {
    const residual = (y: tf.Tensor, yhat: tf.Tensor) => y.sub(yhat.reshape([-1]));
    const v = checkFunction((y: tf.Tensor, yhat: tf.Tensor) => y.sub(yhat), residual, {
      inputs: (s) => [randn([6], s), randn([6, 1], s + 1)],
    });
    expect(v.hint).toBe("a [6] and a [6,1] tensor broadcast into [6,6]: reshape one of them?");
  });

  it("prefers the lab's own known mistakes to the built-in hints", () => {
    const relu = (x: tf.Tensor) => tf.relu(x);
    const v = checkFunction((x: tf.Tensor) => tf.abs(x), relu, {
      inputs: (s) => [randn([10], s)],
      hints: [{ mistake: (x: tf.Tensor) => tf.abs(x), hint: "abs is not ReLU: negative inputs must give 0" }],
    });
    expect(v.hint).toBe("abs is not ReLU: negative inputs must give 0");
  });

  it("reports notImplemented() cleanly instead of crashing", () => {
    const log = vi.mocked(console.log);
    log.mockClear();
    function forward(_x: tf.Tensor): tf.Tensor {
      return notImplemented("forward");
    }
    const v = checkFunction(forward, (x: tf.Tensor) => x.tanh(), { inputs: (s) => [randn([2, 2], s)] });
    expect(v).toMatchObject({ ok: false, notImplemented: true, message: "forward: not implemented yet" });
    expect(log.mock.calls[0][0]).toBe("✘ forward: not implemented yet");
  });

  it("turns a shape error thrown by tfjs into a hint", () => {
    const v = checkFunction(
      (x: tf.Tensor2D, w: tf.Tensor2D) => tf.matMul(x, w, false, true),
      (x: tf.Tensor2D, w: tf.Tensor2D) => tf.matMul(x, w),
      {
        inputs: (s) => [randn([8, 2], s) as tf.Tensor2D, randn([2, 4], s) as tf.Tensor2D],
        name: "forward",
      },
    );
    expect(v.message).toMatch(/^forward threw: /);
    expect(v.hint).toBe("two shapes do not fit: did you transpose one side, or forget the batch axis?");
  });

  it("compares structured outputs leaf by leaf and names the wrong one", () => {
    const ref = (x: tf.Tensor) => ({ yhat: tf.softmax(x), cache: { h: x.tanh() } });
    const v = checkFunction((x: tf.Tensor) => ({ yhat: tf.softmax(x), cache: { h: x.tanh().mul(2) } }), ref, {
      inputs: (s) => [randn([4, 3], s)],
      name: "forward",
    });
    expect(v.message).toMatch(/^forward cache\.h differs/);
    const missing = checkFunction((x: tf.Tensor) => ({ yhat: tf.softmax(x) }), ref, {
      inputs: (s) => [randn([4, 3], s)],
      name: "forward",
    });
    expect(missing.message).toBe("forward returned {yhat}; expected {cache.h, yhat}");
  });

  it("leaks no tensors, pass or fail", () => {
    const before = tf.memory().numTensors;
    checkFunction(
      (x: tf.Tensor) => x.square(),
      (x: tf.Tensor) => x.mul(x),
      { inputs: (s) => [randn([5, 5], s)] },
    );
    checkFunction(
      (x: tf.Tensor) => x.square().mul(3),
      (x: tf.Tensor) => x.mul(x),
      { inputs: (s) => [randn([5, 5], s)] },
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it("prints the hint on the same line as the verdict", () => {
    expect(verdictLine({ ok: false, message: "w has shape [1,4]; expected [4,1]", hint: "did you transpose?" })).toBe(
      "✘ w has shape [1,4]; expected [4,1] — did you transpose?",
    );
  });
});
