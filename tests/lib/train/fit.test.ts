import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { DataLoader, TensorDataset, blobs, moons } from "../../../lib/data";
import * as nn from "../../../lib/nn";
import * as optim from "../../../lib/optim";
import { accuracy, evaluate, fit } from "../../../lib/train";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
});

function mlp(seed: number): nn.Sequential {
  return new nn.Sequential(new nn.Linear(2, 16, { seed }), new nn.Tanh(), new nn.Linear(16, 2, { seed: seed + 1 }));
}

/** Collects what the progress bar writes in a non-terminal (lines mode). */
function lines(): { stream: { write(t: string): boolean; isTTY: boolean }; text: () => string } {
  let out = "";
  return { stream: { write: (t: string) => ((out += t), true), isTTY: false }, text: () => out };
}

describe("fit", () => {
  it("trains an MLP on moons to high accuracy, logging loss and accuracy per epoch", async () => {
    const ds = new TensorDataset(moons({ n: 400, noise: 0.1, seed: 0 }));
    const { train, test } = ds.split({ test: 0.25, seed: 0 });
    const model = mlp(0);
    const out = lines();
    const history = await fit(
      model,
      new optim.Adam(model.parameters(), { lr: 0.02 }),
      new DataLoader(train, { batchSize: 32, shuffle: true, seed: 0 }),
      {
        epochs: 40,
        lossFn: nn.crossEntropy,
        metrics: { accuracy },
        validation: new DataLoader(test, { batchSize: 100 }),
        progress: "lines",
        progressStream: out.stream,
      },
    );
    expect(history.epochs).toHaveLength(40);
    expect(history.keys).toEqual(["loss", "accuracy", "val_loss", "val_accuracy"]);
    const loss = history.series("loss");
    expect(loss[39]).toBeLessThan(loss[0] / 3);
    expect(history.last.val_accuracy).toBeGreaterThan(0.95);
    const printed = out.text().trimEnd().split("\n");
    expect(printed).toHaveLength(40);
    expect(printed[39]).toMatch(
      /^epoch 40\/40 █{20} 10\/10 {2}loss \d\.\d{4} {2}accuracy \d\.\d{4} {2}val_loss \d\.\d{4} {2}val_accuracy \d\.\d{4} {2}\d+:\d\d elapsed, 0:00 left {2}\(\d+\.\d s\)$/,
    );
    expect(evaluate(model, new DataLoader(test, { batchSize: 7 }), { metrics: { accuracy } }).accuracy).toBeCloseTo(
      history.last.val_accuracy,
      5,
    );
    [ds, train, test].forEach((d) => d.dispose());
  });

  it("keeps tf.memory().numTensors flat across epochs (train, validation, early-stopping copies)", async () => {
    const ds = new TensorDataset(blobs({ n: 120, centers: 2, seed: 1 }));
    const model = mlp(2);
    const counts: number[] = [];
    await fit(
      model,
      new optim.SGD(model.parameters(), { lr: 0.05 }),
      new DataLoader(ds, { batchSize: 16, shuffle: true }),
      {
        epochs: 6,
        lossFn: nn.crossEntropy,
        metrics: { accuracy },
        validation: new DataLoader(ds, { batchSize: 50 }),
        earlyStopping: { patience: 100 },
        readEvery: 3,
        progress: false,
        onEpochEnd: () => void counts.push(tf.memory().numTensors),
      },
    );
    expect(new Set(counts.slice(1)).size).toBe(1);
    ds.dispose();
  });

  it("leaves no tensors behind once it returns", async () => {
    const ds = new TensorDataset(blobs({ n: 64, centers: 2, seed: 3 }));
    const model = mlp(4);
    const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
    const before = tf.memory().numTensors;
    await fit(model, opt, new DataLoader(ds, { batchSize: 16 }), {
      epochs: 3,
      lossFn: nn.crossEntropy,
      earlyStopping: {},
      progress: false,
    });
    expect(tf.memory().numTensors).toBe(before);
    ds.dispose();
  });

  it("stops early when the monitored value stops improving and restores the best weights", async () => {
    const ds = new TensorDataset(blobs({ n: 64, centers: 2, seed: 4 }));
    const model = mlp(5);
    const out = lines();
    // lr 0: the loss never improves after the first epoch.
    const history = await fit(
      model,
      new optim.SGD(model.parameters(), { lr: 0 }),
      new DataLoader(ds, { batchSize: 16 }),
      {
        epochs: 20,
        lossFn: nn.crossEntropy,
        earlyStopping: { patience: 2, monitor: "loss" },
        progress: "lines",
        progressStream: out.stream,
      },
    );
    expect(history.epochs).toHaveLength(3);
    expect(history.stoppedEarly).toMatchObject({ epoch: 3, bestEpoch: 1, monitor: "loss" });
    expect(out.text()).toContain("early stopping: loss has not improved for 2 epochs; best ");
    ds.dispose();
  });

  it("restores the weights of the best epoch, not the last", async () => {
    const ds = new TensorDataset(blobs({ n: 64, centers: 2, seed: 6 }));
    const model = mlp(7);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    let snapshot: number[] = [];
    // Watching the loss with mode "max" makes epoch 1 the best, as the loss falls.
    await fit(model, opt, new DataLoader(ds, { batchSize: 64 }), {
      epochs: 5,
      lossFn: nn.crossEntropy,
      earlyStopping: { patience: 1, monitor: "loss", mode: "max" },
      progress: false,
      onEpochEnd: (log) => {
        if (log.epoch === 1) snapshot = Array.from(model.parameters()[0].dataSync());
      },
    });
    expect(Array.from(model.parameters()[0].dataSync())).toEqual(snapshot);
    ds.dispose();
  });

  it("calls onBatchEnd after every optimizer step, counting steps across epochs (a per-step warm-up)", async () => {
    const ds = new TensorDataset(blobs({ n: 40, centers: 2, seed: 10 }));
    const model = mlp(11);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const warmup = new optim.LambdaLR(opt, (step) => Math.min(1, (step + 1) / 4));
    const seen: { step: number; lr: number }[] = [];
    await fit(model, opt, new DataLoader(ds, { batchSize: 10 }), {
      epochs: 2,
      lossFn: nn.crossEntropy,
      progress: false,
      onBatchEnd: (step) => {
        warmup.step();
        seen.push({ step, lr: opt.lr });
      },
    });
    expect(seen.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    [0.05, 0.075, 0.1, 0.1].forEach((lr, i) => expect(seen[i].lr).toBeCloseTo(lr, 12));
    ds.dispose();
  });

  it("says clearly when the loss becomes NaN", async () => {
    const ds = new TensorDataset(blobs({ n: 32, centers: 2, seed: 8 }));
    const model = mlp(9);
    const before = tf.memory().numTensors;
    const nanLoss = (pred: tf.Tensor) => pred.sum().mul(NaN);
    await expect(
      fit(model, new optim.SGD(model.parameters(), { lr: 0.1 }), new DataLoader(ds, { batchSize: 8 }), {
        epochs: 2,
        lossFn: nanLoss,
        progress: false,
        readEvery: 1,
      }),
    ).rejects.toThrow(
      "fit: the loss became NaN by batch 1: lower the learning rate (now 0.1), or look for log(0) or a division by zero in the loss",
    );
    expect(tf.memory().numTensors).toBe(before);
    ds.dispose();
  });

  it("works with any model and optimizer of the right shape (a student's own)", async () => {
    const w = tf.variable(tf.zeros([2, 2]));
    const model = {
      forward: (x: tf.Tensor) => tf.matMul(x, w),
      parameters: () => [w],
      train: () => model,
      eval: () => model,
    };
    const sgd = {
      lr: 0.5,
      step(lossFn: () => tf.Scalar): tf.Scalar {
        const { value, grads } = tf.variableGrads(lossFn, [w]);
        tf.tidy(() => w.assign(w.sub(grads[w.name].mul(this.lr))));
        tf.dispose(grads);
        return value;
      },
    };
    const ds = blobs({
      n: 100,
      centers: [
        [-2, -2],
        [2, 2],
      ],
      noise: 0.5,
      seed: 0,
    });
    const history = await fit(model, sgd, new DataLoader(ds, { batchSize: 20 }), {
      epochs: 5,
      lossFn: nn.crossEntropy,
      metrics: { accuracy },
      progress: false,
    });
    expect(history.last.accuracy).toBeGreaterThan(0.95);
    tf.dispose([w, ds.x, ds.y]);
  });
});

describe("accuracy", () => {
  it("takes class indices or one-hot targets, and sequences (token accuracy)", () => {
    const pred = tf.tensor2d([
      [2, 1],
      [0, 3],
      [5, 4],
      [1, 2],
    ]);
    expect(accuracy(pred, tf.tensor1d([0, 1, 1, 1], "int32")).dataSync()[0]).toBeCloseTo(0.75);
    expect(
      accuracy(
        pred,
        tf.tensor2d([
          [1, 0],
          [0, 1],
          [1, 0],
          [1, 0],
        ]),
      ).dataSync()[0],
    ).toBeCloseTo(0.75);
    expect(
      accuracy(
        pred.reshape([2, 2, 2]),
        tf.tensor2d(
          [
            [0, 1],
            [0, 0],
          ],
          [2, 2],
          "int32",
        ),
      ).dataSync()[0],
    ).toBeCloseTo(0.75);
    expect(() => accuracy(pred, tf.tensor1d([0, 1], "int32"))).toThrow(
      "accuracy: predictions have shape [4,2] and targets [2]; expected targets of shape [4] (class indices) or [4,2] (one-hot)",
    );
  });
});

describe("evaluate", () => {
  it("averages over examples, not batches, and restores training mode", () => {
    const ds = new TensorDataset(blobs({ n: 10, centers: 2, seed: 0 }));
    const model = mlp(11);
    model.train();
    const byOne = evaluate(model, new DataLoader(ds, { batchSize: 1 }), { lossFn: nn.crossEntropy });
    const byFour = evaluate(model, new DataLoader(ds, { batchSize: 4 }), { lossFn: nn.crossEntropy });
    expect(byFour.loss).toBeCloseTo(byOne.loss, 5);
    expect(model.training).toBe(true);
    ds.dispose();
  });
});
