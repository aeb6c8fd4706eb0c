/**
 * W4, lab 5 with the kit's layers: Embedding, sine PositionalEncoding, one
 * TransformerEncoderLayer, a Linear head; Adam, train.fit one epoch at a
 * time with token accuracy on the held-out set, until it reaches the
 * target. The time is time-to-accuracy.
 */
import * as tf from "@tensorflow/tfjs";
import * as data from "../../lib/data";
import * as nn from "../../lib/nn";
import * as optim from "../../lib/optim";
import * as train from "../../lib/train";
import { Params } from "../specs";
import { Probe, WorkDone } from "./probe";
import { reverseSets } from "./reverseData";

class Reverser extends nn.Module {
  readonly embed: nn.Embedding;
  readonly positional: nn.PositionalEncoding;
  readonly encoder: nn.TransformerEncoderLayer;
  readonly head: nn.Linear;

  constructor(p: Params) {
    super();
    this.embed = this.registerModule("embed", new nn.Embedding(p.vocab, p.dModel));
    this.positional = this.registerModule("positional", new nn.PositionalEncoding(p.dModel, { maxLen: p.length }));
    this.encoder = this.registerModule(
      "encoder",
      new nn.TransformerEncoderLayer(p.dModel, p.heads, { dimFeedforward: p.ff, dropout: 0, batchFirst: true }),
    );
    this.head = this.registerModule("head", new nn.Linear(p.dModel, p.vocab));
  }

  forward(tokens: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.head.forward(this.encoder.forward(this.positional.forward(this.embed.forward(tokens)))));
  }
}

export async function transformer(p: Params, probe: Probe): Promise<WorkDone> {
  const sets = reverseSets(p);
  const loader = new data.DataLoader(sets.train, { batchSize: p.batch, shuffle: true, seed: 0 });
  const heldOut = new data.DataLoader(sets.heldOut, { batchSize: 500 });
  probe.start();
  nn.manualSeed(0);
  const model = new Reverser(p);
  const opt = new optim.Adam(model.parameters(), { lr: p.lr });
  const lossFn = (logits: tf.Tensor, y: tf.Tensor) => {
    probe.sample();
    return nn.crossEntropy(logits.reshape([-1, p.vocab]), y.flatten());
  };
  let epochs = 0;
  let accuracy = 0;
  while (epochs < p.maxEpochs && accuracy < p.target) {
    const history = await train.fit(model, opt, loader, {
      epochs: 1,
      lossFn,
      metrics: { accuracy: train.accuracy },
      validation: heldOut,
      progress: false,
    });
    accuracy = history.last.val_accuracy;
    epochs++;
  }
  probe.stop();
  const params = model.numParameters();
  model.dispose();
  opt.dispose();
  tf.dispose([sets.train.x, sets.train.y, sets.heldOut.x, sets.heldOut.y]);
  return {
    steps: epochs * loader.length,
    params,
    detail: { epochs, heldOutAccuracy: accuracy, reached: accuracy >= p.target },
  };
}
