/**
 * Trains a model, epoch by epoch, like Keras's `fit` around PyTorch's loop:
 *
 *   PyTorch                                   dlkit
 *   for epoch in range(10):                   const history = await fit(model, opt, loader, {
 *     for x, y in loader:                       epochs: 10,
 *       opt.zero_grad()                         lossFn: nn.crossEntropy,
 *       loss = loss_fn(model(x), y)             metrics: { accuracy },
 *       loss.backward()                         validation: testLoader,
 *       opt.step()                            });
 *
 * It shows a progress bar, returns a History, can stop early, and keeps
 * `tf.memory().numTensors` flat: every batch's tensors are freed, and the
 * loss is read from the backend only every `readEvery` steps.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Batch } from "../data/dataset";
import { EarlyStopping, EarlyStoppingOptions } from "./earlyStopping";
import { evaluate } from "./evaluate";
import { EpochLog, History } from "./history";
import { ProgressBar, ProgressMode, ProgressOptions } from "./progress";
import { LossFn, MetricFn, Model, Optimizer } from "./types";

/** Options of `train.fit`. */
export interface FitOptions {
  /** The batch's mean loss from the model's output and the targets (nn.crossEntropy, say). */
  lossFn: LossFn;
  /** Default 10. */
  epochs?: number;
  /** Logged under their names, and as val_<name> on the validation data. Default none. */
  metrics?: Record<string, MetricFn>;
  /** Evaluated at the end of every epoch (a DataLoader). Default none. */
  validation?: Iterable<Batch>;
  /** Default none: train all epochs. */
  earlyStopping?: EarlyStoppingOptions;
  /** Called after every epoch (a live plot, a learning-rate change); awaited. */
  onEpochEnd?: (log: EpochLog, history: History) => void | Promise<void>;
  /**
   * Called after every optimizer step, with the steps taken so far (from 1):
   * where a per-step schedule such as a warm-up advances (PyTorch's
   * `scheduler.step()` inside the batch loop).
   */
  onBatchEnd?: (step: number) => void;
  /** Progress bar mode, or false for none. Default "auto". */
  progress?: ProgressMode | false;
  /** Where the terminal progress bar writes. Default process.stdout. */
  progressStream?: ProgressOptions["stream"];
  /** Steps between two reads of the running loss (each read waits for the backend). Default 10. */
  readEvery?: number;
}

/** Trains in place; resolves to the History. The model is left in eval mode. */
export async function fit(
  model: Model,
  optimizer: Optimizer,
  loader: Iterable<Batch> & { length?: number },
  options: FitOptions,
): Promise<History> {
  const epochs = options.epochs ?? 10;
  const metrics = options.metrics ?? {};
  const readEvery = options.readEvery ?? 10;
  const batches = loader.length ?? unknownLength(loader);
  const history = new History();
  const progress = new ProgressBar(epochs, batches, {
    mode: options.progress === false ? "none" : options.progress,
    stream: options.progressStream,
  });
  const stopper = options.earlyStopping
    ? new EarlyStopping(options.earlyStopping, options.validation !== undefined)
    : null;
  const parameters = model.parameters();
  let steps = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = Date.now();
      model.train();
      const values = await trainEpoch({
        model,
        optimizer,
        loader,
        lossFn: options.lossFn,
        metrics,
        readEvery,
        onRead: (batch, running) => progress.batch(epoch, batch, running),
        onStep: () => options.onBatchEnd?.(++steps),
      });
      if (options.validation) {
        const scores = evaluate(model, options.validation, { lossFn: options.lossFn, metrics });
        for (const [k, v] of Object.entries(scores)) values[`val_${k}`] = v;
      }
      const log: EpochLog = { epoch, seconds: (Date.now() - started) / 1000, values };
      history.epochs.push(log);
      progress.epochEnd(log);
      await options.onEpochEnd?.(log, history);
      if (stopper?.update(epoch, values, parameters)) {
        history.stoppedEarly = { epoch, bestEpoch: stopper.bestEpoch, monitor: stopper.monitor, best: stopper.best };
        progress.note(
          `early stopping: ${stopper.monitor} has not improved for ${epoch - stopper.bestEpoch} epochs; best ${stopper.best.toFixed(4)} at epoch ${stopper.bestEpoch}` +
            (options.earlyStopping?.restoreBest === false ? "" : " (its weights restored)"),
        );
        break;
      }
    }
  } finally {
    stopper?.finish(parameters);
    model.eval();
  }
  return history;
}

/** What one epoch of `fit` trains with, and whom it tells. */
interface EpochRun {
  model: Model;
  optimizer: Optimizer;
  loader: Iterable<Batch>;
  lossFn: LossFn;
  metrics: Record<string, MetricFn>;
  /** Steps between two reads of the running values. */
  readEvery: number;
  /** Called at every read, with the batches so far and the running means. */
  onRead: (batch: number, running: Record<string, number>) => void;
  /** Called after every optimizer step. */
  onStep: () => void;
}

/** One pass over the loader; resolves to the epoch's mean loss and metrics. */
async function trainEpoch({
  model,
  optimizer,
  loader,
  lossFn,
  metrics,
  readEvery,
  onRead,
  onStep,
}: EpochRun): Promise<Record<string, number>> {
  const names = ["loss", ...Object.keys(metrics)];
  // Running sums of (value × batch size) stay on the backend between reads.
  let sums: tf.Tensor[] = names.map(() => tf.scalar(0));
  let count = 0;
  let step = 0;
  let current: Batch | null = null;
  const read = async (): Promise<Record<string, number>> => {
    const totals = await Promise.all(sums.map((s) => s.data()));
    const running = Object.fromEntries(names.map((name, i) => [name, totals[i][0] / count]));
    if (!Number.isFinite(running.loss)) {
      throw new Error(
        `fit: the loss became ${running.loss} by batch ${step}: lower the learning rate (now ${optimizer.lr}), or look for log(0) or a division by zero in the loss`,
      );
    }
    return running;
  };
  try {
    for (const batch of loader) {
      current = batch;
      const { x, y } = batch;
      const n = x.shape[0] ?? 1;
      let pred: tf.Tensor | null = null;
      const loss = optimizer.step(() => {
        const out = model.forward(x);
        pred = tf.keep(out);
        return scalarLoss(lossFn(out, y));
      });
      const next = tf.tidy(() => {
        const values = [loss, ...Object.values(metrics).map((m) => m(pred!, y))];
        return values.map((v, i) => sums[i].add(v.mul(n)));
      });
      tf.dispose([loss, pred!, ...sums]);
      sums = next;
      onStep();
      count += n;
      step++;
      if (step % readEvery === 0) {
        onRead(step, await read());
        // Lets the notebook's display messages go out while the loop runs.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    current = null;
    if (count === 0)
      throw new Error(
        "fit: the training loader gave no batches; is the data set empty, or dropLast on with fewer examples than batchSize?",
      );
    const values = await read();
    onRead(step, values);
    return values;
  } finally {
    tf.dispose(sums);
    // A batch the loop was interrupted in is ours to free (see DataLoader).
    if (current) tf.dispose([current.x, current.y]);
  }
}

function scalarLoss(loss: tf.Tensor): tf.Scalar {
  if (loss.rank !== 0) {
    throw new Error(
      `fit: lossFn returned shape [${loss.shape}]; expected a scalar (the batch mean): reduce it with .mean()`,
    );
  }
  return loss as tf.Scalar;
}

function unknownLength(loader: Iterable<Batch>): never {
  throw new Error(
    `fit: the loader must say how many batches it has (a DataLoader does, through .length); got ${loader.constructor?.name ?? typeof loader}`,
  );
}
