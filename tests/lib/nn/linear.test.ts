import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { Linear, Sequential, Tanh, functional, manualSeed } from "../../../lib/nn";
import { expectParity, fixture, gradCheckModule, toTensor } from "./helpers";

const cases = fixture("linear");

describe("Linear", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  it("matches PyTorch's nn.Linear on 2-D and 3-D input, with and without bias", () => {
    const layers = { "2d": new Linear(3, 4), "3d": new Linear(3, 2), nobias: new Linear(3, 2, { bias: false }) };
    for (const [name, layer] of Object.entries(layers)) {
      expectParity(layer, cases[name], (x) => layer.forward(x), `Linear ${name}`);
      layer.dispose();
    }
  });

  it("loads a PyTorch Sequential MLP's state dict by its names (0.weight, 2.bias) and matches it", () => {
    const mlp = new Sequential(new Linear(2, 4), new Tanh(), new Linear(4, 2));
    expect(mlp.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expectParity(mlp, cases.mlp, (x) => mlp.forward(x), "MLP");
    mlp.dispose();
  });

  it("stores the weight as [out, in] and starts from U(-1/√in, 1/√in), reproducibly for a seed", () => {
    const layer = new Linear(16, 300, { seed: 3 });
    expect(layer.weight.shape).toEqual([300, 16]);
    const w = layer.weight.dataSync();
    expect(Math.max(...w)).toBeLessThanOrEqual(0.25);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-0.25);
    expect(Math.max(...w)).toBeGreaterThan(0.24);
    const again = new Linear(16, 300, { seed: 3 });
    expect(Array.from(again.weight.dataSync())).toEqual(Array.from(w));
    manualSeed(0);
    const a = new Linear(2, 2);
    const b = new Linear(2, 2);
    expect(Array.from(a.weight.dataSync())).not.toEqual(Array.from(b.weight.dataSync()));
    tf.dispose([layer, again, a, b].flatMap((m) => m.parameters()));
  });

  it("has gradients that agree with finite differences", () => {
    const layer = new Linear(3, 4, { seed: 1 });
    const x = toTensor(cases["2d"].inputs[0]);
    gradCheckModule(layer, [x], (x) => layer.forward(x), "Linear");
    tf.dispose([x, ...layer.parameters()]);
  });

  it("says which layer got how many features, and the likely fix", () => {
    const layer = new Linear(4, 2);
    const x = tf.zeros([5, 3]);
    expect(() => layer.forward(x)).toThrow(
      "Linear(in=4): input has 3 features (shape [5, 3]), expected 4 — did you forget the bias column or transpose X?",
    );
    const ints = tf.zeros([5, 4], "int32");
    expect(() => layer.forward(ints)).toThrow(/Linear\(in=4\): input has dtype int32, expected float32/);
    tf.dispose([x, ints, ...layer.parameters()]);
  });

  it("functional.linear names the shapes it got and the ones it expected", () => {
    const [x, w, b] = [tf.zeros([5, 3]), tf.zeros([4, 3]), tf.zeros([4])];
    expect(() => functional.linear(tf.zeros([2, 5, 3]), w, b)).toThrow(
      "linear: got x [2, 5, 3], weight [4, 3], bias [4], expected x [rows, in] and weight [out, in] — for more axes, use nn.Linear or reshape x to [-1, in]",
    );
    expect(() => functional.linear(x, tf.zeros([3, 4]), null)).toThrow(
      /linear: got x \[5, 3\], weight \[3, 4\], expected x \[rows, in\]/,
    );
    expect(() => functional.linear(x, w, tf.zeros([3]))).toThrow(
      "linear: got x [5, 3], weight [4, 3], bias [3], expected bias [out] = [4]",
    );
    expect(functional.linear(x, w, b).shape).toEqual([5, 4]);
    tf.dispose([x, w, b]);
  });

  it("inside a Sequential, the error also says which entry failed", () => {
    const mlp = new Sequential(new Linear(2, 4), new Tanh(), new Linear(3, 2));
    const x = tf.zeros([5, 2]);
    expect(() => mlp.forward(x)).toThrow(
      "Sequential (2): Linear(in=3): input has 4 features (shape [5, 4]), expected 3",
    );
    x.dispose();
    mlp.dispose();
  });
});
