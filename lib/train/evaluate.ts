/**
 * The mean loss and metrics of a model over a whole loader, in eval mode
 * and without gradients.
 *
 *   evaluate(model, testLoader, { lossFn: nn.crossEntropy, metrics: { accuracy } })
 *   // { loss: 0.31, accuracy: 0.912 }
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Batch } from "../data/dataset";
import { LossFn, MetricFn, Model } from "./types";

/** Options of `train.evaluate`. */
export interface EvaluateOptions {
  /** Reported as "loss" when given. */
  lossFn?: LossFn;
  /** Reported under their names. Default none. */
  metrics?: Record<string, MetricFn>;
}

/** Leaves the model in eval mode, or in the mode it was in if it has a `training` flag. */
export function evaluate(model: Model, loader: Iterable<Batch>, options: EvaluateOptions = {}): Record<string, number> {
  const scores: Record<string, MetricFn> = {
    ...(options.lossFn ? { loss: options.lossFn } : {}),
    ...(options.metrics ?? {}),
  };
  const names = Object.keys(scores);
  const wasTraining = (model as { training?: unknown }).training;
  model.eval();
  // Weighted sums stay on the backend; one read at the end.
  let sums: tf.Tensor[] = names.map(() => tf.scalar(0));
  let count = 0;
  for (const { x, y } of loader) {
    const n = x.shape[0] ?? 1;
    const next = tf.tidy(() => {
      const pred = model.forward(x);
      return names.map((name, i) => sums[i].add(scores[name](pred, y).mul(n)));
    });
    tf.dispose(sums);
    sums = next;
    count += n;
  }
  if (wasTraining === true) model.train();
  const totals = sums.map((s) => s.dataSync()[0]);
  tf.dispose(sums);
  if (count === 0)
    throw new Error(
      "evaluate: the loader gave no batches; is the data set empty, or dropLast on with fewer examples than batchSize?",
    );
  return Object.fromEntries(names.map((name, i) => [name, totals[i] / count]));
}
