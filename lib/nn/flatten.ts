import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Module } from "./module";

/** Arguments of `nn.Flatten`. */
export interface FlattenArgs {
  /** First axis to flatten. Default 1 (keep the batch axis). */
  startDim?: number;
  /** Last axis to flatten, negative counts from the end. Default -1. */
  endDim?: number;
}

/**
 * Flattens axes startDim…endDim into one, like PyTorch's `nn.Flatten`
 * (by default everything but the batch axis).
 *
 * Shape: `[batch, C, H, W]` → `[batch, C·H·W]`.
 *
 *   new nn.Flatten().forward(tf.zeros([8, 6, 5, 5])).shape;   // [8, 150]
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(args: FlattenArgs = {}) {
    super();
    this.startDim = args.startDim ?? 1;
    this.endDim = args.endDim ?? -1;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const start = this.startDim < 0 ? x.rank + this.startDim : this.startDim;
    const end = this.endDim < 0 ? x.rank + this.endDim : this.endDim;
    if (start >= end) return x.clone();
    const merged = x.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
    return x.reshape([...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
  }

  protected extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
