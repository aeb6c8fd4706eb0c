import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential, crossEntropy } from "../../../lib/nn";
import { Adam } from "../../../lib/optim";
import { expectNoLeak, expectParity, fixture, gradCheckModule, toTensor } from "./helpers";

const cases = fixture("conv");

const modules: Record<string, () => Module> = {
  stride2_pad1: () => new Conv2d(2, 3, 3, { stride: 2, padding: 1 }),
  rect_nobias: () => new Conv2d(1, 2, [2, 3], { bias: false }),
  maxpool2: () => new MaxPool2d(2),
  maxpool3_s2_p1: () => new MaxPool2d(3, { stride: 2, padding: 1 }),
  avgpool2: () => new AvgPool2d(2),
  avgpool3_s2_p1: () => new AvgPool2d(3, { stride: 2, padding: 1 }),
  lenet: () =>
    new Sequential(
      new Conv2d(1, 2, 3, { padding: 1 }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(2 * 3 * 3, 3),
    ),
};

describe("Conv2d and pooling (channels first, as in PyTorch)", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  for (const [name, make] of Object.entries(modules)) {
    it(`${name} matches PyTorch, gradients included, and passes the finite-difference check`, () => {
      const m = make();
      expectParity(m, cases[name], (x) => m.forward(x), name);
      const x = toTensor(cases[name].inputs[0]);
      gradCheckModule(m, [x], (x) => m.forward(x), name, { eps: 1e-3 });
      x.dispose();
      m.dispose();
    });
  }

  it("Conv2d matches PyTorch on the cpu backend too, where tfjs has its own filter gradient", async () => {
    await useBestBackend({ backend: "cpu", quiet: true });
    try {
      const conv = new Conv2d(2, 3, 3, { stride: 2, padding: 1 });
      expectParity(conv, cases.stride2_pad1, (x) => conv.forward(x), "Conv2d on cpu");
      conv.dispose();
    } finally {
      await useBestBackend({ backend: "wasm", quiet: true });
    }
  });

  it("Conv2d gives the PyTorch output size and prints like PyTorch", () => {
    const conv = new Conv2d(1, 6, 5, { padding: 2, seed: 0 });
    const x = tf.zeros([2, 1, 28, 28]);
    const y = conv.forward(x);
    expect(y.shape).toEqual([2, 6, 28, 28]);
    expect(conv.weight.shape).toEqual([6, 1, 5, 5]);
    expect(conv.toString()).toBe(
      "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))\nTrainable parameters: 156",
    );
    tf.dispose([x, y]);
    conv.dispose();
  });

  it("Conv2d explains channels-last images and missing batch axes", () => {
    const conv = new Conv2d(3, 4, 3, { seed: 0 });
    const nhwc = tf.zeros([2, 8, 8, 3]);
    const single = tf.zeros([3, 8, 8]);
    expect(() => conv.forward(nhwc)).toThrow(
      "Conv2d(in=3, out=4): input has 8 channels (shape [2, 8, 8, 3]), expected 3 — PyTorch layout is [batch, channels, H, W]; are the channels last?",
    );
    expect(() => conv.forward(single)).toThrow(
      /input has shape \[3, 8, 8\] \(3-D\), expected 4-D \[batch, channels, height, width\]/,
    );
    const tiny = tf.zeros([1, 3, 2, 2]);
    expect(() => conv.forward(tiny)).toThrow(/smaller than the 3×3 kernel/);
    tf.dispose([nhwc, single, tiny]);
    conv.dispose();
  });

  it("MaxPool2d sends each window's gradient to its largest value, also when all values are negative", () => {
    const x = tf.variable(tf.tensor4d([-4, -3, -2, -1, -8, -7, -6, -5], [2, 1, 2, 2]));
    const { value, grads } = tf.variableGrads(() => new MaxPool2d(2).forward(x).sum() as tf.Scalar, [x]);
    expect(Array.from(grads[x.name].dataSync())).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
    tf.dispose([x, value, ...Object.values(grads)]);
  });

  it("MaxPool2d sends a tied window's gradient to its first largest value, as PyTorch does (all-zero windows after a ReLU)", () => {
    // Two 2×2 windows side by side in each of two channels: ties of zeros, ties of 5, a −∞ window.
    const x = tf.variable(
      tf.tensor4d([0, 0, 5, 1, 0, 0, 5, 5, -Infinity, -Infinity, 2, 7, -Infinity, -Infinity, 7, 3], [1, 2, 2, 4]),
    );
    const dy = tf.tensor4d([1, 2, 3, 4], [1, 2, 1, 2]);
    const { value, grads } = tf.variableGrads(() => new MaxPool2d(2).forward(x).mul(dy).sum() as tf.Scalar, [x]);
    expect(Array.from(grads[x.name].dataSync())).toEqual([1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 4, 0, 0, 0, 0]);
    tf.dispose([x, dy, value, ...Object.values(grads)]);
  });

  it("a small CNN learns with Adam and leaks no tensors", () => {
    const cnn = new Sequential(
      new Conv2d(1, 4, 3, { padding: 1, seed: 1 }),
      new ReLU(),
      new MaxPool2d(2),
      new AvgPool2d(2),
      new Flatten(),
      new Linear(4 * 2 * 2, 2, { seed: 2 }),
    );
    const x = tf.randomNormal([8, 1, 8, 8], 0, 1, "float32", 3);
    const labels = tf.tidy(() => x.slice([0, 0, 0, 0], [8, 1, 4, 8]).mean([1, 2, 3]).greater(0).cast("int32"));
    const opt = new Adam(cnn.parameters(), { lr: 0.05 });
    const step = () => {
      const loss = opt.step(() => crossEntropy(cnn.forward(x), labels) as tf.Scalar);
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    };
    const first = step();
    let last = first;
    expectNoLeak(() => {
      for (let i = 0; i < 20; i++) last = step();
    }, "CNN training");
    expect(last).toBeLessThan(first);
    opt.dispose();
    cnn.dispose();
    tf.dispose([x, labels]);
  });
});
