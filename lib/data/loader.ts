import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Batch, Dataset, TensorDataset } from "./dataset";
import { Random, hash32 } from "./random";

/** Options of `data.DataLoader`. */
export interface DataLoaderOptions {
  /** Examples per batch. Default 32. */
  batchSize?: number;
  /** A new random order every epoch. Default false (the data set's order). */
  shuffle?: boolean;
  /** Seed of the shuffles. Default 0. */
  seed?: number;
  /** Drop the last batch when it is smaller than batchSize. Default false. */
  dropLast?: boolean;
}

/**
 * Batches of a data set, like PyTorch's DataLoader: each `for ... of` is one
 * epoch and yields {x: [batchSize, ...], y: [batchSize, ...]}; with `shuffle`
 * every epoch gets its own order, derived from the seed and the epoch number,
 * so a run is the same every time.
 *
 *   const loader = new DataLoader(train, { batchSize: 32, shuffle: true, seed: 0 });
 *   for (const { x, y } of loader) { ... }
 *
 * Who disposes: the loader. A batch is disposed when the next one is asked
 * for and after the last one, so a loop that runs to the end leaks nothing.
 * A batch you `break` out of the loop with, or keep past its step, is yours:
 * `clone()` it to keep it, dispose it when done.
 */
export class DataLoader implements Iterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** How many epochs have started; the next `for ... of` is epoch `epoch`. */
  epoch = 0;

  /** Takes a Dataset, or {x, y} tensors (kept, not copied). */
  constructor(data: Dataset | Batch, options: DataLoaderOptions = {}) {
    this.dataset = "batch" in data && typeof data.batch === "function" ? data : new TensorDataset(data as Batch);
    this.batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new Error(`DataLoader: batchSize must be a positive integer, got ${options.batchSize}`);
    }
    this.shuffle = options.shuffle ?? false;
    this.seed = options.seed ?? 0;
    this.dropLast = options.dropLast ?? false;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The example indices of each batch of the given epoch. */
  batchIndices(epoch: number): number[][] {
    const n = this.dataset.length;
    const order = this.shuffle
      ? new Random(hash32(this.seed, epoch)).permutation(n)
      : Array.from({ length: n }, (_, i) => i);
    const batches: number[][] = [];
    for (let start = 0; start < n; start += this.batchSize) batches.push(order.slice(start, start + this.batchSize));
    if (this.dropLast && batches.length && batches[batches.length - 1].length < this.batchSize) batches.pop();
    return batches;
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const batches = this.batchIndices(this.epoch++);
    let previous: Batch | null = null;
    for (const indices of batches) {
      if (previous) tf.dispose([previous.x, previous.y]);
      previous = this.dataset.batch(indices);
      yield previous;
    }
    if (previous) tf.dispose([previous.x, previous.y]);
  }
}
