/**
 * W1, lab 1 with nn modules: Sequential(Linear, Tanh, Linear), cross-entropy,
 * SGD over a shuffled DataLoader, the epoch's last loss read once per epoch.
 */
import * as tf from "@tensorflow/tfjs";
import * as data from "../../lib/data";
import * as nn from "../../lib/nn";
import * as optim from "../../lib/optim";
import { Params } from "../specs";
import { Probe, WorkDone } from "./probe";

export async function mlp(p: Params, probe: Probe): Promise<WorkDone> {
  const set = data.moons({ n: p.n, seed: 0 });
  const loader = new data.DataLoader(set, { batchSize: p.batch, shuffle: true, seed: 0, dropLast: true });
  probe.start();
  nn.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(2, p.hidden), new nn.Tanh(), new nn.Linear(p.hidden, 2));
  const opt = new optim.SGD(model.parameters(), { lr: p.lr });
  const epochs = Math.ceil(p.steps / loader.length);
  let steps = 0;
  let lastLoss = NaN;
  for (let epoch = 0; epoch < epochs; epoch++) {
    let loss: tf.Scalar | null = null;
    for (const { x, y } of loader) {
      loss?.dispose();
      loss = opt.step(() => {
        const l = nn.crossEntropy(model.forward(x), y) as tf.Scalar;
        probe.sample();
        return l;
      });
      steps++;
    }
    lastLoss = loss!.dataSync()[0];
    loss!.dispose();
  }
  probe.stop();
  const params = model.numParameters();
  model.dispose();
  opt.dispose();
  tf.dispose([set.x, set.y]);
  return { steps, params, detail: { epochs, lastLoss } };
}
