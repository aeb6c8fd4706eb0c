/** A fully connected layer (torch.nn.Linear); its doc sits on the class, where editors and Shift+Tab find it. */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import * as F from "./functional";
import { uniformFanIn } from "./init";
import { Module } from "./module";
import { check, checkFloat, showShape } from "./shapes";
import { nextSeed } from "./random";

/** Arguments of `nn.Linear`. */
export interface LinearArgs {
  /** Add the bias b. Default true. */
  bias?: boolean;
  /** Seed of the initial weights. Default: the next seed of `manualSeed`'s sequence. */
  seed?: number;
}

/**
 * y = x Wᵀ + b — a fully connected layer, like PyTorch's `nn.Linear`.
 *
 * The weight is stored `[outFeatures, inFeatures]` as in PyTorch, and both
 * weight and bias start from U(-1/√in, 1/√in).
 *
 * Shape: input `[batch, *, inFeatures]` → output `[batch, *, outFeatures]`.
 *
 * @param inFeatures - size of each input sample (the last axis of x)
 * @param outFeatures - size of each output sample
 * @param args - `bias` (default true), `seed` (default: the next of `manualSeed`'s sequence)
 *
 * @example
 * const fc = new nn.Linear(2, 4);
 * const y = fc.forward(tf.randomNormal([8, 2]));   // [8, 4]
 * fc.weight.shape;                                 // [4, 2]
 */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    args: LinearArgs = {},
  ) {
    super();
    const seed = args.seed ?? nextSeed();
    this.weight = this.registerParameter("weight", uniformFanIn([outFeatures, inFeatures], inFeatures, seed));
    this.bias =
      args.bias === false ? null : this.registerParameter("bias", uniformFanIn([outFeatures], inFeatures, seed + 1));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const layer = `Linear(in=${this.inFeatures})`;
    checkFloat(x, layer);
    check(x.rank >= 1, layer, () => "input is a scalar, expected [batch, inFeatures]");
    const features = x.shape[x.rank - 1];
    check(
      features === this.inFeatures,
      layer,
      () =>
        `input has ${features} features (shape ${showShape(x.shape)}), expected ${this.inFeatures} — did you forget the bias column or transpose X?`,
    );
    // A reshape is an op (and a saved tensor for backprop) on tfjs, a tidy scope a cost per call: both only when x is not [batch, in].
    if (x.rank === 2) return F.linear(x, this.weight, this.bias);
    return tf.tidy(() =>
      F.linear(x.reshape([-1, this.inFeatures]), this.weight, this.bias).reshape([
        ...x.shape.slice(0, -1),
        this.outFeatures,
      ]),
    );
  }

  protected extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? "True" : "False"}`;
  }
}
