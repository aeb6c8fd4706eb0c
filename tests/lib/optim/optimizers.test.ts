import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { Linear, Sequential, Tanh, crossEntropy, mse } from "../../../lib/nn";
import { Adam, AdamW, Optimizer, SGD, clipGradNorm } from "../../../lib/optim";
import { TensorJson, expectClose, expectNoLeak, fixture, loadTorchState, toStateDict, toTensor } from "../nn/helpers";

interface Trajectory {
  args: Record<string, number | boolean | number[]>;
  losses: number[];
  states: Record<string, TensorJson>[];
}

const cases = fixture<Record<string, unknown>>("optim");

const optimizers: Record<string, (params: tf.Variable[]) => Optimizer> = {
  sgd: (p) => new SGD(p, { lr: 0.1 }),
  sgd_momentum: (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
  sgd_nesterov: (p) => new SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true }),
  adam: (p) => new Adam(p, { lr: 0.01 }),
  adam_wd_amsgrad: (p) => new Adam(p, { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.1, amsgrad: true }),
  adamw: (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.1 }),
};

describe("optimizers", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  for (const [name, make] of Object.entries(optimizers)) {
    it(`${name} follows PyTorch's trajectory over 5 steps`, () => {
      const want = cases[name] as Trajectory;
      const model = new Linear(3, 2);
      loadTorchState(model, cases.start as Record<string, TensorJson>);
      const x = toTensor(cases.x as TensorJson);
      const y = toTensor(cases.y as TensorJson);
      const opt = make(model.parameters());
      want.states.forEach((state, step) => {
        opt.zeroGrad();
        const loss = opt.step(() => mse(model.forward(x), y) as tf.Scalar);
        expect(loss.dataSync()[0]).toBeCloseTo(want.losses[step], 5);
        loss.dispose();
        for (const [key, value] of Object.entries(model.stateDict())) {
          expectClose(value, state[key], `${name} step ${step + 1} ${key}`);
        }
      });
      opt.dispose();
      model.dispose();
      tf.dispose([x, y]);
    });

    it(`${name} trains a small MLP without leaking tensors`, () => {
      const model = new Sequential(new Linear(2, 8, { seed: 1 }), new Tanh(), new Linear(8, 2, { seed: 2 }));
      const x = tf.randomNormal([16, 2], 0, 1, "float32", 3);
      const labels = tf.tidy(() => x.sum(1).greater(0).cast("int32"));
      const opt = make(model.parameters());
      const trainStep = () => {
        const loss = opt.step(() => crossEntropy(model.forward(x), labels) as tf.Scalar);
        const value = loss.dataSync()[0];
        loss.dispose();
        return value;
      };
      const first = trainStep();
      let last = first;
      expectNoLeak(() => {
        for (let i = 0; i < 30; i++) last = trainStep();
      }, name);
      expect(last).toBeLessThan(first);
      opt.dispose();
      model.dispose();
      tf.dispose([x, labels]);
    });
  }

  it("applyGradients takes tf.variableGrads's map or a list in parameter order, and the lr can change", () => {
    const model = new Linear(3, 2, { seed: 0 });
    const opt = new SGD(model.parameters(), { lr: 0.5 });
    opt.lr = 1;
    const before = model.weight.dataSync().slice();
    const ones = model.parameters().map((p) => tf.onesLike(p));
    opt.applyGradients(ones);
    model.weight.dataSync().forEach((v, i) => expect(before[i] - v).toBeCloseTo(1, 6));
    const byName = { [model.weight.name]: ones[0] };
    opt.applyGradients(byName);
    model.weight.dataSync().forEach((v, i) => expect(before[i] - v).toBeCloseTo(2, 6));
    tf.dispose(ones);
    model.dispose();
  });

  it("refuses an empty parameter list and a gradient of the wrong shape", () => {
    expect(() => new Adam([])).toThrow("Adam: got an empty parameter list — pass model.parameters()");
    const model = new Linear(3, 2, { seed: 0 });
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const wrong = [tf.zeros([3, 2]), tf.zeros([2])];
    expect(() => opt.applyGradients(wrong)).toThrow("SGD: gradient 0 has shape [3,2], but its parameter has [2,3]");
    tf.dispose(wrong);
    model.dispose();
  });

  it("clipGradNorm scales gradients to the max norm like clip_grad_norm_ and reports the norm before", () => {
    const clip = cases.clip as {
      grads: Record<string, TensorJson>;
      max_norm: number;
      total_norm: number;
      clipped: Record<string, TensorJson>;
    };
    const grads = toStateDict(clip.grads);
    const result = clipGradNorm(grads, clip.max_norm);
    expect(result.totalNorm).toBeCloseTo(clip.total_norm, 4);
    for (const key of Object.keys(grads)) expectClose(result.grads[key], clip.clipped[key], `clipped ${key}`);
    const small = clipGradNorm(result.grads, 100);
    for (const key of Object.keys(grads)) expectClose(small.grads[key], result.grads[key], `unclipped ${key}`);
    tf.dispose([grads, result.grads, small.grads].flatMap((g) => Object.values(g)));
  });
});
