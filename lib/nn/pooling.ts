/**
 * Max and average pooling over image windows, like PyTorch's `nn.MaxPool2d`
 * and `nn.AvgPool2d`, in PyTorch's channels-first layout.
 *
 * Shape: input `[batch, C, H, W]` → output `[batch, C, H', W']` with
 * H' = ⌊(H + 2·padding − kernel) / stride⌋ + 1.
 *
 *   new nn.MaxPool2d(2).forward(tf.zeros([8, 6, 28, 28])).shape;   // [8, 6, 14, 14]
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Size2, pair } from "./conv2d";
import { ImageLayer } from "./layout";
import { check, checkFloat, checkRank, showShape } from "./shapes";

/** Arguments of `nn.MaxPool2d` and `nn.AvgPool2d`. */
export interface Pool2dArgs {
  /** Step between windows. Default: the kernel size (windows do not overlap). */
  stride?: Size2;
  /** Padding on each side: −∞ for max pooling, zeros (counted in the mean) for average pooling. Default 0. */
  padding?: Size2;
}

abstract class Pool2d extends ImageLayer {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];

  constructor(kernelSize: Size2, args: Pool2dArgs = {}) {
    super();
    this.kernelSize = pair(kernelSize);
    this.stride = pair(args.stride ?? kernelSize);
    this.padding = pair(args.padding ?? 0);
    const [kH, kW] = this.kernelSize;
    if (2 * this.padding[0] > kH || 2 * this.padding[1] > kW) {
      throw new Error(`${this.constructor.name}: padding should be at most half the kernel size`);
    }
  }

  protected abstract pool(x: tf.Tensor4D): tf.Tensor4D;

  /** The value padded cells take. */
  protected abstract padValue: number;

  protected checkImages(x: tf.Tensor, shape: readonly number[]): void {
    const layer = `${this.constructor.name}(kernel=${this.kernelSize.join("×")})`;
    checkFloat(x, layer);
    checkRank(x, [4], layer, "[batch, channels, height, width]");
    const [pH, pW] = this.padding;
    const [, , height, width] = shape;
    check(
      height + 2 * pH >= this.kernelSize[0] && width + 2 * pW >= this.kernelSize[1],
      layer,
      () => `input ${showShape(shape)} is smaller than the pooling window`,
    );
  }

  protected channelsLast(x: tf.Tensor4D): tf.Tensor4D {
    const [pH, pW] = this.padding;
    // tf.pad costs time even with zero padding (its gradient is a slice, slow on wasm): only when needed.
    const padded =
      pH || pW
        ? (x.pad(
            [
              [0, 0],
              [pH, pH],
              [pW, pW],
              [0, 0],
            ],
            this.padValue,
          ) as tf.Tensor4D)
        : x;
    return this.pool(padded);
  }

  protected extraRepr(): string {
    return `kernel_size=${this.kernelSize.join("×")}, stride=${this.stride.join("×")}, padding=${this.padding.join("×")}`;
  }
}

/**
 * y = the largest value in each window; the gradient goes to the first
 * largest value of each window, as in PyTorch (on wasm, lib/backend
 * replaces the backend's MaxPoolGrad, which gets this wrong).
 */
export class MaxPool2d extends Pool2d {
  protected padValue = -Infinity;

  protected pool(x: tf.Tensor4D): tf.Tensor4D {
    return tf.maxPool(x, this.kernelSize, this.stride, "valid");
  }
}

/** y = the mean of each window (padding zeros included, PyTorch's default). */
export class AvgPool2d extends Pool2d {
  protected padValue = 0;

  protected pool(x: tf.Tensor4D): tf.Tensor4D {
    return tf.avgPool(x, this.kernelSize, this.stride, "valid");
  }
}
