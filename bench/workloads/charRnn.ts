/**
 * W3, TP4b's char-RNN. One word at a time: the slide's RNN class (i2h and
 * i2o on concat(input, hidden), log-softmax output, initHidden), NLL loss on
 * the last step, SGD, the loss read after every word as the tutorial does.
 * Batched: nn.RNN over fixed-length words and a Linear head, with train.fit.
 */
import * as tf from "@tensorflow/tfjs";
import * as data from "../../lib/data";
import * as nn from "../../lib/nn";
import * as optim from "../../lib/optim";
import * as train from "../../lib/train";
import { Params } from "../specs";
import { Probe, WorkDone } from "./probe";
import { wordChars, wordLength } from "./words";

class SlideRNN extends nn.Module {
  readonly i2h: nn.Linear;
  readonly i2o: nn.Linear;

  constructor(
    inputSize: number,
    readonly hiddenSize: number,
    outputSize: number,
  ) {
    super();
    this.i2h = this.registerModule("i2h", new nn.Linear(inputSize + hiddenSize, hiddenSize));
    this.i2o = this.registerModule("i2o", new nn.Linear(inputSize + hiddenSize, outputSize));
  }

  step(input: tf.Tensor, hidden: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const combined = tf.concat([input, hidden], 1);
    return [nn.functional.logSoftmax(this.i2o.forward(combined), 1), this.i2h.forward(combined)];
  }

  forward(input: tf.Tensor): tf.Tensor {
    return this.step(input, this.initHidden())[0];
  }

  initHidden(): tf.Tensor {
    return tf.zeros([1, this.hiddenSize]);
  }
}

export async function rnnWord(p: Params, probe: Probe): Promise<WorkDone> {
  const words = Array.from({ length: p.words }, (_, i) => wordChars(i, wordLength(i), p.vocab));
  probe.start();
  nn.manualSeed(0);
  const rnn = new SlideRNN(p.vocab, p.hidden, p.classes);
  const opt = new optim.SGD(rnn.parameters(), { lr: p.lr });
  let totalLoss = 0;
  words.forEach((chars, i) => {
    const letters = tf.tidy(() => tf.oneHot(tf.tensor1d(chars, "int32"), p.vocab).toFloat());
    const category = tf.tensor1d([i % p.classes], "int32");
    const loss = opt.step(() => {
      let hidden = rnn.initHidden();
      let output: tf.Tensor | null = null;
      for (let t = 0; t < chars.length; t++) {
        [output, hidden] = rnn.step(letters.slice([t, 0], [1, p.vocab]), hidden);
      }
      probe.sample();
      return nn.nllLoss(output!, category) as tf.Scalar;
    });
    totalLoss += loss.dataSync()[0];
    tf.dispose([loss, letters, category]);
  });
  probe.stop();
  const params = rnn.numParameters();
  rnn.dispose();
  opt.dispose();
  return { steps: p.words, params, detail: { meanLoss: totalLoss / p.words } };
}

class WordClassifier extends nn.Module {
  readonly rnn: nn.RNN;
  readonly head: nn.Linear;

  constructor(vocab: number, hidden: number, classes: number) {
    super();
    this.rnn = this.registerModule("rnn", new nn.RNN(vocab, hidden, { batchFirst: true }));
    this.head = this.registerModule("head", new nn.Linear(hidden, classes));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { output, hN } = this.rnn.run(x);
      output.dispose();
      return this.head.forward(hN.squeeze([0]));
    });
  }
}

export async function rnnBatched(p: Params, probe: Probe): Promise<WorkDone> {
  const chars = Array.from({ length: p.words }, (_, i) => wordChars(i, p.length, p.vocab)).flat();
  const set = {
    x: tf.tidy(() => tf.oneHot(tf.tensor2d(chars, [p.words, p.length], "int32"), p.vocab).toFloat()),
    y: tf.tensor1d(
      Array.from({ length: p.words }, (_, i) => i % p.classes),
      "int32",
    ),
  };
  const loader = new data.DataLoader(set, { batchSize: p.batch, shuffle: true, seed: 0 });
  probe.start();
  nn.manualSeed(0);
  const model = new WordClassifier(p.vocab, p.hidden, p.classes);
  const opt = new optim.SGD(model.parameters(), { lr: p.lr });
  const lossFn = (pred: tf.Tensor, y: tf.Tensor) => {
    probe.sample();
    return nn.crossEntropy(pred, y);
  };
  const history = await train.fit(model, opt, loader, { epochs: p.epochs, lossFn, progress: false });
  probe.stop();
  const params = model.numParameters();
  model.dispose();
  opt.dispose();
  tf.dispose([set.x, set.y]);
  return { steps: p.epochs * loader.length, params, detail: { loss: history.last.loss } };
}
