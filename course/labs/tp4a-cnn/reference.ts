/** TP4a's solutions, the same code as the solution notebook's: release records what they compute. */
import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../../../lib/data/dataset";
import { Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential } from "../../../lib/nn";
import type { Optimizer } from "../../../lib/optim";

export function toModelInput(raw: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => raw.toFloat().div(255).transpose([0, 3, 1, 2]));
}

export function makeLeNet(): Sequential {
  return new Sequential(
    new Conv2d(1, 6, 5, { padding: 2 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(6, 16, 5),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(16 * 5 * 5, 120),
    new ReLU(),
    new Linear(120, 84),
    new ReLU(),
    new Linear(84, 10),
  );
}

export function lossFn(logits: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () => tf.logSoftmax(logits, 1).mul(tf.oneHot(y.toInt(), logits.shape[1]!)).sum(1).mean().neg() as tf.Scalar,
  );
}

export function predict(model: Module, x: tf.Tensor, batchSize: number): tf.Tensor1D {
  model.eval();
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < x.shape[0]!; start += batchSize) {
    const size = Math.min(batchSize, x.shape[0]! - start);
    parts.push(tf.tidy(() => model.forward(x.slice(start, size)).argMax(1)));
  }
  const predicted = tf.concat(parts) as tf.Tensor1D;
  tf.dispose(parts);
  return predicted;
}

export function withNewHead(pretrained: Sequential, numClasses: number): Sequential {
  const head = pretrained.layers[pretrained.layers.length - 1] as Linear;
  return new Sequential(...pretrained.layers.slice(0, -1), new Linear(head.inFeatures, numClasses));
}

export function trainEpoch(
  model: Module,
  optimizer: Optimizer,
  loader: Iterable<Batch>,
  lossFn: (logits: tf.Tensor, y: tf.Tensor) => tf.Scalar,
): number {
  model.train();
  let total = 0;
  let batches = 0;
  for (const { x, y } of loader) {
    const loss = optimizer.step(() => lossFn(model.forward(x), y));
    total += loss.dataSync()[0];
    batches++;
    loss.dispose();
  }
  return total / batches;
}
