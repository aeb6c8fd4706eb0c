import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import * as F from "./functional";
import { Module } from "./module";
import { nextSeed } from "./random";

/** Arguments of `nn.Dropout`. */
export interface DropoutArgs {
  /** Seed of the first mask; later calls use the following seeds. Default: from `manualSeed`'s sequence. */
  seed?: number;
}

/**
 * y = x · m / (1 − p) with m ~ Bernoulli(1 − p) in training, y = x in eval
 * mode — like PyTorch's `nn.Dropout`. Each call in training draws a new
 * mask, from a sequence fixed by `seed`.
 *
 * Shape: any input shape → the same shape.
 *
 *   const drop = new nn.Dropout(0.1, { seed: 0 });
 *   drop.eval().forward(x);   // x unchanged
 */
export class Dropout extends Module {
  private calls = 0;
  private readonly seed: number;

  constructor(
    readonly p = 0.5,
    args: DropoutArgs = {},
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: p=${p} is not a probability, expected 0 ≤ p ≤ 1`);
    this.seed = args.seed ?? nextSeed();
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return x.clone();
    return F.dropout(x, this.p, true, this.seed + this.calls++);
  }

  protected extraRepr(): string {
    return `p=${this.p}`;
  }
}
