import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { Dropout, Flatten, GELU, Module, ReLU, Sigmoid, Softmax, Tanh, functional } from "../../../lib/nn";
import { expectParity, fixture, gradCheckModule, toTensor } from "./helpers";

const cases = fixture("activations");

const modules: Record<string, () => Module> = {
  tanh: () => new Tanh(),
  relu: () => new ReLU(),
  sigmoid: () => new Sigmoid(),
  gelu: () => new GELU(),
  softmax1: () => new Softmax(1),
  softmax_last: () => new Softmax(-1),
  flatten: () => new Flatten(),
};

describe("activations, Flatten and Dropout", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  for (const [name, make] of Object.entries(modules)) {
    it(`${name} matches PyTorch, gradient included, and passes the finite-difference check`, () => {
      const m = make();
      expectParity(m, cases[name], (x) => m.forward(x), name);
      const x = toTensor(cases[name].inputs[0]);
      gradCheckModule(m, [x], (x) => m.forward(x), name, { eps: 1e-3 });
      x.dispose();
    });
  }

  it("Softmax rejects an axis the input does not have", () => {
    const x = tf.zeros([2, 3]);
    expect(() => new Softmax(2).forward(x)).toThrow("Softmax(dim=2): input is 2-D, so dim must be in [-2, 1]");
    x.dispose();
  });

  it("softmax and log-softmax give NaN for a row that is all −∞ and exact zeros for −∞ entries, as PyTorch does", () => {
    const x = tf.tensor2d([
      [-Infinity, -Infinity, -Infinity],
      [1, 2, -Infinity],
    ]);
    const weights = new Softmax(-1).forward(x).dataSync();
    expect(Array.from(weights.slice(0, 3)).every(Number.isNaN)).toBe(true);
    expect(Array.from(weights.slice(3))).toEqual([
      expect.closeTo(1 / (1 + Math.E), 6),
      expect.closeTo(Math.E / (1 + Math.E), 6),
      0,
    ]);
    const logs = functional.logSoftmax(x, 1).dataSync();
    expect(Array.from(logs.slice(3))).toEqual([
      expect.closeTo(-Math.log(1 + Math.E), 5),
      expect.closeTo(1 - Math.log(1 + Math.E), 5),
      -Infinity,
    ]);
    x.dispose();
  });

  it("Dropout zeroes about p of the inputs and rescales the rest in training, and is the identity in eval", () => {
    const drop = new Dropout(0.25, { seed: 7 });
    const x = tf.ones([100, 100]);
    const y = drop.forward(x);
    const values = y.dataSync();
    const zeros = values.filter((v) => v === 0).length / values.length;
    expect(zeros).toBeGreaterThan(0.22);
    expect(zeros).toBeLessThan(0.28);
    expect(values.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    const next = drop.forward(x);
    expect(Array.from(next.dataSync())).not.toEqual(Array.from(values));
    const replay = new Dropout(0.25, { seed: 7 }).forward(x);
    expect(Array.from(replay.dataSync())).toEqual(Array.from(values));
    const evaluated = drop.eval().forward(x);
    expect(Array.from(evaluated.dataSync()).every((v) => v === 1)).toBe(true);
    tf.dispose([x, y, next, replay, evaluated]);
  });

  it("Dropout's gradient is the mask it applied, scaled", () => {
    const drop = new Dropout(0.5, { seed: 1 });
    const x = tf.variable(tf.ones([4, 5]));
    const { grads, value } = tf.variableGrads(() => drop.forward(x).sum() as tf.Scalar, [x]);
    const ones = tf.ones([4, 5]);
    const replay = new Dropout(0.5, { seed: 1 }).forward(ones);
    expect(Array.from(grads[x.name].dataSync())).toEqual(Array.from(replay.dataSync()));
    tf.dispose([x, ones, value, replay, ...Object.values(grads)]);
  });
});
