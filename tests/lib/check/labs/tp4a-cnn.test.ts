/**
 * TP4a's checks: each passes the reference, says "not implemented yet" for a
 * released lab's stub, and answers every known mistake (a deliberately wrong
 * implementation) with the hint that names it. No check leaks tensors.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useBestBackend } from "../../../../lib/backend";
import { tp4a } from "../../../../lib/check";
import { Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential, Softmax, Tanh } from "../../../../lib/nn";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

/** What a released lab has where the solution was (kernel/release's stub). */
const stub = (what: string) => (): never => {
  throw new Error(`not implemented: ${what} (replace this line with your code)`);
};

/** Runs a check and asserts it leaves no tensor behind. */
function noLeak<T>(run: () => T): T {
  const before = tf.memory().numTensors;
  const result = run();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

describe("tp4a.toModelInput", () => {
  const M = tp4a.toModelInputMistakes;

  it("passes the reference and prints one ✔ line", () => {
    const log = vi.mocked(console.log);
    log.mockClear();
    const v = noLeak(() => tp4a.toModelInput(tp4a.reference.toModelInput));
    expect(v.ok).toBe(true);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toMatch(/^✔ toModelInput/);
  });

  it("says not implemented for the lab's stub", () => {
    const v = noLeak(() => tp4a.toModelInput(stub("toModelInput")));
    expect(v).toMatchObject({ ok: false, notImplemented: true, message: "toModelInput: not implemented yet" });
  });

  it.each([
    ["channels left last (NHWC)", M.channelsLast, /channels are still last.*transpose\(\[0, 3, 1, 2\]\)/],
    ["a reshape instead of a transpose", M.reshapeNotTranspose, /reshape keeps the memory order/],
    ["bytes not scaled to [0, 1]", M.notScaled, /\[0, 255\]: divide by 255/],
    ["divided by the batch maximum", M.byBatchMax, /divided by the batch's maximum/],
  ])("names the mistake: %s", (_, wrong, hint) => {
    const v = noLeak(() => tp4a.toModelInput(wrong));
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(hint);
  });

  it("asks for a cast when integers are divided", () => {
    const v = noLeak(() => tp4a.toModelInput(M.noCast));
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/dtype int32; expected float32/);
    expect(v.hint).toMatch(/toFloat\(\)/);
  });
});

describe("tp4a.leNet", () => {
  const lenet = (options: { padding?: number; flat?: number; softmax?: boolean; act?: () => Module | null } = {}) => () => {
    const act = options.act ?? (() => new ReLU());
    const layers = [
      new Conv2d(1, 6, 5, { padding: options.padding ?? 2 }), act(), new MaxPool2d(2),
      new Conv2d(6, 16, 5), act(), new MaxPool2d(2), new Flatten(),
      new Linear(options.flat ?? 400, 120), act(), new Linear(120, 84), act(), new Linear(84, 10),
      ...(options.softmax ? [new Softmax(-1)] : []),
    ];
    return new Sequential(...layers.filter((l): l is Module => l !== null));
  };

  it("passes LeNet-5 (and with tanh, the original's activation)", () => {
    expect(noLeak(() => tp4a.leNet(tp4a.reference.makeLeNet)).ok).toBe(true);
    expect(noLeak(() => tp4a.leNet(lenet({ act: () => new Tanh() }))).ok).toBe(true);
  });

  it("says not implemented for the lab's stub", () => {
    expect(noLeak(() => tp4a.leNet(stub("makeLeNet")))).toMatchObject({ ok: false, notImplemented: true });
  });

  it("names the missing padding and the expected in-features when the flatten size is wrong", () => {
    const v = noLeak(() => tp4a.leNet(lenet({ padding: 0 })));
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/256 features.*expected 400/);
    expect(v.hint).toMatch(/padding: 2 on the first conv.*16·4·4 = 256.*16·5·5 = 400/);
  });

  it("also when the student made the Linear fit the unpadded flatten", () => {
    const v = noLeak(() => tp4a.leNet(lenet({ padding: 0, flat: 256 })));
    expect(v.message).toMatch(/first Linear takes 256 features; LeNet-5's takes 16·5·5 = 400/);
    expect(v.hint).toMatch(/forgot padding: 2/);
  });

  it("spots a softmax at the end (double softmax with the cross-entropy)", () => {
    const v = noLeak(() => tp4a.leNet(lenet({ softmax: true })));
    expect(v.message).toMatch(/probabilities/);
    expect(v.hint).toMatch(/drop the final Softmax.*applied twice/);
  });

  it("spots missing activations", () => {
    const v = noLeak(() => tp4a.leNet(lenet({ act: () => null })));
    expect(v.message).toMatch(/0 activation layer/);
    expect(v.hint).toMatch(/nn.ReLU\(\)/);
  });

  it("names the first parameter whose shape differs", () => {
    const v = noLeak(() => tp4a.leNet(() => new Sequential(new Conv2d(1, 8, 5, { padding: 2 }), new ReLU(), new MaxPool2d(2), new Conv2d(8, 16, 5), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(400, 10))));
    expect(v.message).toMatch(/parameter 1 \(conv1 weight\) has shape \[8, ?1, ?5, ?5\]; LeNet-5 has \[6, ?1, ?5, ?5\]/);
  });
});

describe("tp4a.lossFn", () => {
  const M = tp4a.lossFnMistakes;

  it("passes the hand-written reference", () => {
    expect(noLeak(() => tp4a.lossFn(tp4a.reference.lossFn)).ok).toBe(true);
  });

  it("says not implemented for the lab's stub", () => {
    expect(noLeak(() => tp4a.lossFn(stub("lossFn")))).toMatchObject({ ok: false, notImplemented: true });
  });

  it.each([
    ["softmax before the cross-entropy", M.doubleSoftmax, /double softmax/],
    ["sum instead of mean", M.sumNotMean, /summed over the batch|forgot to divide/],
    ["no log-softmax", M.noSoftmax, /log-softmax missing/],
  ])("names the mistake: %s", (_, wrong, hint) => {
    const v = noLeak(() => tp4a.lossFn(wrong));
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(hint);
  });

  it("explains indices vs one-hot when the labels are used as one-hot rows", () => {
    const v = noLeak(() => tp4a.lossFn(M.labelsAsOneHot));
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(/class indices \[n\].*not one-hot.*tf.oneHot/);
  });

  it("asks for a mean when the loss is per example", () => {
    const v = noLeak(() => tp4a.lossFn((logits, y) => tf.tidy(() => tf.logSoftmax(logits, 1).mul(tf.oneHot(y.toInt(), 10)).sum(1).neg())));
    expect(v.message).toMatch(/expected a scalar/);
    expect(v.hint).toMatch(/\.mean\(\)/);
  });
});

describe("tp4a.predict", () => {
  const M = tp4a.predictMistakes;

  it("passes the reference", () => {
    expect(noLeak(() => tp4a.predict(tp4a.reference.predict)).ok).toBe(true);
  });

  it("says not implemented for the lab's stub", () => {
    expect(noLeak(() => tp4a.predict(stub("predict")))).toMatchObject({ ok: false, notImplemented: true });
  });

  it("names a forgotten model.eval() (Dropout still on)", () => {
    const v = tp4a.predict(M.noEval);
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/training mode/);
    expect(v.hint).toMatch(/model.eval\(\)/);
  });

  it.each([
    ["scores instead of class indices", M.scores, /argMax\(1\)/],
    ["argMax over the batch axis", M.argMaxAxis0, /axis 0 is the batch/],
    ["the whole set in one batch", M.oneBatch, /slice x into batches/],
    ["tensors left behind", M.leaks, /tf.tidy/],
  ])("names the mistake: %s", (_, wrong, hint) => {
    const v = tp4a.predict(wrong);
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(hint);
  });
});

describe("tp4a.withNewHead", () => {
  const M = tp4a.withNewHeadMistakes;

  it("passes the reference", () => {
    expect(noLeak(() => tp4a.withNewHead(tp4a.reference.withNewHead)).ok).toBe(true);
  });

  it("says not implemented for the lab's stub", () => {
    expect(noLeak(() => tp4a.withNewHead(stub("withNewHead")))).toMatchObject({ ok: false, notImplemented: true });
  });

  it.each([
    ["the old head kept", M.keepHead, /replace the last Linear/],
    ["a fresh network", M.freshNetwork, /reuse the pretrained layers/],
    ["a head stacked on the old one", M.stacked, /replace the last layer rather than adding one/],
  ])("names the mistake: %s", (_, wrong, hint) => {
    const v = tp4a.withNewHead(wrong);
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(hint);
  });
});

describe("tp4a.trainEpoch", () => {
  const M = tp4a.trainEpochMistakes;

  it("passes the reference", () => {
    expect(noLeak(() => tp4a.trainEpoch(tp4a.reference.trainEpoch)).ok).toBe(true);
  });

  it("says not implemented for the lab's stub", () => {
    expect(noLeak(() => tp4a.trainEpoch(stub("trainEpoch")))).toMatchObject({ ok: false, notImplemented: true });
  });

  it.each([
    ["no model.train() after predict's eval()", M.noTrainMode, /model.train\(\)/],
    ["the parameters never stepped", M.noStep, /no loss.backward\(\): optimizer.step/],
    ["the loss never disposed", M.leaksLoss, /dispose the loss/],
  ])("names the mistake: %s", (_, wrong, hint) => {
    const v = tp4a.trainEpoch(wrong);
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(hint);
  });
});

describe("tp4a result checks", () => {
  it("leNetAccuracy: not implemented without a model, and computes the accuracy itself", () => {
    expect(tp4a.leNetAccuracy(undefined, undefined)).toMatchObject({ ok: false, notImplemented: true });
    const model = tp4a.reference.makeLeNet();
    const test = { x: tf.zeros([20, 1, 28, 28]), y: tf.zeros([20], "int32") };
    const v = noLeak(() => tp4a.leNetAccuracy(model, test));
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/^LeNet-5 test accuracy: \d+\.\d\d% on 20 test images; expected ≥ 97%/);
    expect(noLeak(() => tp4a.leNetAccuracy(model, test, 0)).ok).toBe(true);
    tf.dispose([test.x, test.y]);
    model.dispose();
  });

  it("fineTuneWins: equal budgets, the fine-tuned one ahead", () => {
    expect(tp4a.fineTuneWins(undefined, undefined)).toMatchObject({ ok: false, notImplemented: true });
    expect(tp4a.fineTuneWins([0.8, 0.9], [0.5, 0.7]).ok).toBe(true);
    expect(tp4a.fineTuneWins([0.5, 0.6], [0.5, 0.7]).ok).toBe(false);
    expect(tp4a.fineTuneWins([0.8, 0.9, 0.95], [0.5, 0.7]).message).toMatch(/equal budget/);
  });
});
