import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import {
  CosineAnnealingLR,
  LRScheduler,
  LambdaLR,
  LinearLR,
  Optimizer,
  SGD,
  SequentialLR,
  StepLR,
} from "../../../lib/optim";
import { fixture } from "../nn/helpers";

const schedules = fixture<Record<string, number[] | number>>("schedules");

describe("learning-rate schedules", () => {
  let param: tf.Variable;
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
    param = tf.variable(tf.zeros([1]));
  });

  const makers: Record<string, (opt: Optimizer) => LRScheduler> = {
    step: (opt) => new StepLR(opt, { stepSize: 3, gamma: 0.5 }),
    cosine: (opt) => new CosineAnnealingLR(opt, { tMax: 10, etaMin: 0.01 }),
    linear: (opt) => new LinearLR(opt, { startFactor: 0.1, endFactor: 1, totalIters: 4 }),
    warmup_cosine: (opt) =>
      new SequentialLR(
        opt,
        [new LinearLR(opt, { startFactor: 0.1, totalIters: 3 }), new CosineAnnealingLR(opt, { tMax: 8, etaMin: 0.01 })],
        [3],
      ),
  };

  for (const [name, make] of Object.entries(makers)) {
    it(`${name} sets the same learning rates as PyTorch, epoch by epoch`, () => {
      const opt = new SGD([param], { lr: schedules.base_lr as number });
      const scheduler = make(opt);
      const lrs = [opt.lr];
      for (let epoch = 0; epoch < 12; epoch++) {
        scheduler.step();
        lrs.push(scheduler.getLastLr());
      }
      (schedules[name] as number[]).forEach((want, i) => expect(lrs[i], `epoch ${i}`).toBeCloseTo(want, 10));
    });
  }

  it("LambdaLR multiplies the base rate by any function of the epoch", () => {
    const opt = new SGD([param], { lr: 0.2 });
    const scheduler = new LambdaLR(opt, (epoch) => 1 / (epoch + 1));
    expect(opt.lr).toBeCloseTo(0.2);
    scheduler.step();
    expect(opt.lr).toBeCloseTo(0.1);
  });
});
