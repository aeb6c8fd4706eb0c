/**
 * W2, TP4a's LeNet-5 (ReLU, max pooling) on 28×28 images: trained with
 * train.fit and Adam, then evaluated on 10,000 images with train.evaluate.
 */
import * as tf from "@tensorflow/tfjs";
import * as data from "../../lib/data";
import * as nn from "../../lib/nn";
import * as optim from "../../lib/optim";
import * as train from "../../lib/train";
import { Params } from "../specs";
import { syntheticImages } from "./images";
import { Probe, WorkDone } from "./probe";

export function leNet5(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(16 * 5 * 5, 120),
    new nn.ReLU(),
    new nn.Linear(120, 84),
    new nn.ReLU(),
    new nn.Linear(84, 10),
  );
}

export async function lenetTrain(p: Params, probe: Probe): Promise<WorkDone> {
  const set = syntheticImages(p.batch * p.steps, 0);
  const loader = new data.DataLoader(set, { batchSize: p.batch, shuffle: true, seed: 0 });
  probe.start();
  nn.manualSeed(0);
  const model = leNet5();
  const opt = new optim.Adam(model.parameters(), { lr: p.lr });
  const lossFn = (pred: tf.Tensor, y: tf.Tensor) => {
    probe.sample();
    return nn.crossEntropy(pred, y);
  };
  const history = await train.fit(model, opt, loader, { epochs: 1, lossFn, progress: false });
  probe.stop();
  const params = model.numParameters();
  model.dispose();
  opt.dispose();
  tf.dispose([set.x, set.y]);
  return { steps: loader.length, params, detail: { loss: history.last.loss } };
}

export async function lenetInfer(p: Params, probe: Probe): Promise<WorkDone> {
  const set = syntheticImages(p.images, 1);
  const loader = new data.DataLoader(set, { batchSize: p.batch });
  probe.start();
  nn.manualSeed(0);
  const model = leNet5();
  const accuracy = (pred: tf.Tensor, y: tf.Tensor) => {
    probe.sample();
    return train.accuracy(pred, y);
  };
  const scores = train.evaluate(model, loader, { metrics: { accuracy } });
  probe.stop();
  const params = model.numParameters();
  model.dispose();
  tf.dispose([set.x, set.y]);
  return { steps: loader.length, params, detail: { accuracy: scores.accuracy } };
}
