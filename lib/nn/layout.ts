/**
 * Image layout: the kit's layers take and give images channels first,
 * `[batch, C, H, W]`, as PyTorch does, but tfjs's convolutions and pooling
 * work channels last, `[batch, H, W, C]`. Each image layer alone transposes
 * its input and its output; a Sequential runs a stack of them (Conv2d,
 * ReLU, MaxPool2d, Conv2d, ...) channels last from the first to the last and
 * transposes once at each end. Every transpose is a pass over the
 * activations, forward and backward: 18 of them a LeNet step, a tenth of its
 * time on wasm. The values are the same either way.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { ensureBackendKernels } from "../backend";
import { Module } from "./module";

/** A layer that can run on images laid out channels last (see the top of this file). */
export interface ChannelsLast {
  /** What `forward` computes, for x and the result laid out `[batch, H, W, C]`. */
  forwardChannelsLast(x: tf.Tensor): tf.Tensor;
  /**
   * True for layers that work channels last anyway (convolution, pooling):
   * a Sequential switches layout for them. Elementwise layers (ReLU) work in
   * either layout and only keep a run going.
   */
  readonly worksChannelsLast: boolean;
}

/** `[batch, C, H, W]` → `[batch, H, W, C]`; a reshape for one channel, where the data is already in that order. */
export function toChannelsLast(x: tf.Tensor): tf.Tensor4D {
  const [batch, channels, height, width] = x.shape;
  return (channels === 1 ? x.reshape([batch, height, width, 1]) : x.transpose([0, 2, 3, 1])) as tf.Tensor4D;
}

/** `[batch, H, W, C]` → `[batch, C, H, W]`. */
export function toChannelsFirst(x: tf.Tensor): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  return (channels === 1 ? x.reshape([batch, 1, height, width]) : x.transpose([0, 3, 1, 2])) as tf.Tensor4D;
}

/** The shape a channels-last tensor has for the user: `[batch, C, H, W]`, for error messages. */
export function channelsFirstShape(shape: readonly number[]): number[] {
  const [batch, height, width, channels] = shape;
  return [batch, channels, height, width];
}

/**
 * A layer on images (convolution, pooling): it checks its input as the user
 * sees it, channels first, and computes channels last, either after a
 * transpose of its own (`forward`) or inside a Sequential's run
 * (`forwardChannelsLast`).
 */
export abstract class ImageLayer extends Module implements ChannelsLast {
  readonly worksChannelsLast = true;

  /** Throws when x, whose shape for the user (channels first) is `shape`, is no input for this layer. */
  protected abstract checkImages(x: tf.Tensor, shape: readonly number[]): void;

  /** The layer on `[batch, H, W, C]` images, giving `[batch, H', W', C']`. */
  protected abstract channelsLast(x: tf.Tensor4D): tf.Tensor;

  forward(x: tf.Tensor): tf.Tensor {
    this.checkImages(x, x.shape);
    ensureBackendKernels();
    return tf.tidy(() => toChannelsFirst(this.channelsLast(toChannelsLast(x))));
  }

  forwardChannelsLast(x: tf.Tensor): tf.Tensor {
    this.checkImages(x, channelsFirstShape(x.shape));
    ensureBackendKernels();
    return tf.tidy(() => this.channelsLast(x as tf.Tensor4D));
  }
}

/** The prototype on `module`'s chain that defines `name` itself. */
function definer(module: Module, name: string): object | null {
  for (let p = Object.getPrototypeOf(module); p; p = Object.getPrototypeOf(p))
    if (Object.prototype.hasOwnProperty.call(p, name)) return p;
  return null;
}

/**
 * `module` as a channels-last layer, or null. A subclass that overrides
 * `forward` (a student's own ReLU, say) and not `forwardChannelsLast` is
 * run through its `forward`, so what it does is never skipped.
 */
export function channelsLastLayer(module: Module): (Module & ChannelsLast) | null {
  const candidate = module as Module & Partial<ChannelsLast>;
  if (typeof candidate.forwardChannelsLast !== "function" || Object.prototype.hasOwnProperty.call(module, "forward"))
    return null;
  return definer(module, "forward") === definer(module, "forwardChannelsLast")
    ? (candidate as Module & ChannelsLast)
    : null;
}
