import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Random } from "./random";

/** Inputs and targets of the same examples, first axis = example. */
export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
}

/** Anything a DataLoader can draw batches from. */
export interface Dataset {
  readonly length: number;
  /** The examples at these indices, as new tensors the caller owns. */
  batch(indices: number[]): Batch;
}

/** Options of `TensorDataset.split`. */
export interface SplitOptions {
  /** Fraction of the examples in the test part. Default 0.2. */
  test?: number;
  /** Seed of the shuffle before splitting. Default 0. */
  seed?: number;
}

/**
 * A data set of examples held as two tensors, like PyTorch's TensorDataset:
 * example i is (x[i], y[i]), with x [n, ...features] and y [n, ...targets].
 *
 *   const ds = new TensorDataset(moons({ n: 200, seed: 0 }));
 *   const { train, test } = ds.split({ test: 0.2, seed: 0 });
 */
export class TensorDataset implements Dataset {
  /** Inputs, [n, ...features]. */
  readonly x: tf.Tensor;
  /** Targets, [n, ...targets]. */
  readonly y: tf.Tensor;

  /** Keeps the tensors it is given (does not copy them): dispose them with `dispose()`. */
  constructor(data: Batch) {
    if (data.x.shape[0] !== data.y.shape[0]) {
      throw new Error(
        `TensorDataset: x has ${data.x.shape[0]} examples (shape [${data.x.shape}]) but y has ${data.y.shape[0]} (shape [${data.y.shape}]); ` +
          "the first axis must count examples in both",
      );
    }
    this.x = data.x;
    this.y = data.y;
  }

  /** Number of examples. */
  get length(): number {
    return this.x.shape[0] ?? 0;
  }

  /** The examples at these indices, as new tensors the caller owns. */
  batch(indices: number[]): Batch {
    return tf.tidy(() => {
      const at = tf.tensor1d(indices, "int32");
      return { x: tf.gather(this.x, at), y: tf.gather(this.y, at) };
    });
  }

  /** A seeded random split into two new data sets (new tensors; this one is unchanged). */
  split(options: SplitOptions = {}): { train: TensorDataset; test: TensorDataset } {
    const fraction = options.test ?? 0.2;
    if (!(fraction > 0 && fraction < 1))
      throw new Error(`split: test must be a fraction between 0 and 1, got ${fraction}`);
    const order = new Random(options.seed ?? 0).permutation(this.length);
    const nTest = Math.round(this.length * fraction);
    return {
      test: new TensorDataset(this.batch(order.slice(0, nTest))),
      train: new TensorDataset(this.batch(order.slice(nTest))),
    };
  }

  /** Frees x and y. */
  dispose(): void {
    tf.dispose([this.x, this.y]);
  }
}
