import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { uniformFanIn } from "./init";
import { ImageLayer } from "./layout";
import { nextSeed } from "./random";
import { check, checkFloat, checkRank, showShape } from "./shapes";

/** One number for both sides, or [height, width]. */
export type Size2 = number | [number, number];

export function pair(size: Size2): [number, number] {
  return typeof size === "number" ? [size, size] : size;
}

/** Arguments of `nn.Conv2d`. */
export interface Conv2dArgs {
  /** Step between windows. Default 1. */
  stride?: Size2;
  /** Zeros added on each side of the image. Default 0. */
  padding?: Size2;
  /** Add a bias per output channel. Default true. */
  bias?: boolean;
  /** Seed of the initial weights. Default: from `manualSeed`'s sequence. */
  seed?: number;
}

/**
 * y[n, o] = b[o] + Σᵢ W[o, i] ⋆ x[n, i] — a 2-D convolution over images,
 * like PyTorch's `nn.Conv2d`, in PyTorch's layout (channels first).
 *
 * Weights start from U(-1/√k, 1/√k) with k = inChannels·kH·kW, as in PyTorch.
 *
 * Shape: input `[batch, inChannels, H, W]` → output `[batch, outChannels, H', W']`
 * with H' = ⌊(H + 2·padding − kH) / stride⌋ + 1 (and the same for W').
 * Weight `[outChannels, inChannels, kH, kW]`, bias `[outChannels]`.
 *
 *   const conv = new nn.Conv2d(1, 6, 5, { padding: 2 });
 *   conv.forward(tf.zeros([8, 1, 28, 28])).shape;   // [8, 6, 28, 28]
 */
export class Conv2d extends ImageLayer {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2,
    args: Conv2dArgs = {},
  ) {
    super();
    this.kernelSize = pair(kernelSize);
    this.stride = pair(args.stride ?? 1);
    this.padding = pair(args.padding ?? 0);
    const [kH, kW] = this.kernelSize;
    const fanIn = inChannels * kH * kW;
    const seed = args.seed ?? nextSeed();
    this.weight = this.registerParameter("weight", uniformFanIn([outChannels, inChannels, kH, kW], fanIn, seed));
    this.bias =
      args.bias === false ? null : this.registerParameter("bias", uniformFanIn([outChannels], fanIn, seed + 1));
  }

  protected checkImages(x: tf.Tensor, shape: readonly number[]): void {
    const layer = `Conv2d(in=${this.inChannels}, out=${this.outChannels})`;
    checkFloat(x, layer);
    checkRank(
      x,
      [4],
      layer,
      "[batch, channels, height, width] — for one image use x.expandDims(0); for [batch, H, W, C] images use x.transpose([0, 3, 1, 2])",
    );
    check(
      shape[1] === this.inChannels,
      layer,
      () =>
        `input has ${shape[1]} channels (shape ${showShape(shape)}), expected ${this.inChannels} — PyTorch layout is [batch, channels, H, W]; are the channels last?`,
    );
    const [pH, pW] = this.padding;
    const [kH, kW] = this.kernelSize;
    const [, , height, width] = shape;
    check(
      height + 2 * pH >= kH && width + 2 * pW >= kW,
      layer,
      () => `input ${showShape(shape)} is smaller than the ${kH}×${kW} kernel — too much pooling before this layer?`,
    );
  }

  /** [batch, H, W, inChannels] → [batch, H', W', outChannels]. */
  protected channelsLast(x: tf.Tensor4D): tf.Tensor {
    const [pH, pW] = this.padding;
    const filter = this.weight.transpose([2, 3, 1, 0]) as tf.Tensor4D;
    // Padding inside the convolution: tf.pad would cost an op, and its gradient a slice.
    const pad: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [pH, pH],
      [pW, pW],
      [0, 0],
    ];
    const y = tf.conv2d(x, filter, this.stride, pad);
    return this.bias ? y.add(this.bias) : y;
  }

  protected extraRepr(): string {
    const [kH, kW] = this.kernelSize;
    let repr = `${this.inChannels}, ${this.outChannels}, kernel_size=(${kH}, ${kW}), stride=(${this.stride.join(", ")})`;
    if (this.padding[0] || this.padding[1]) repr += `, padding=(${this.padding.join(", ")})`;
    return this.bias ? repr : `${repr}, bias=False`;
  }
}
