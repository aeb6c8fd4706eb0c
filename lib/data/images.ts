/**
 * Image classification sets as tensors: pixels scaled to [0, 1], labels as
 * class indices, in PyTorch's channels-first layout unless asked otherwise.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");

/** Axis order of an image set's x: "nchw" [n, 1, h, w], "nhwc" [n, h, w, 1] or "flat" [n, h·w]. */
export type ImageLayout = "nchw" | "nhwc" | "flat";

/** Options of the image loaders (`mnistDigits`, `fashionMnist`, `idxImages`). */
export interface ImageOptions {
  /** "nchw" [n,1,28,28] like PyTorch and nn.Conv2d (default), "nhwc" [n,28,28,1] like tfjs, "flat" [n,784]. */
  layout?: ImageLayout;
  /** Keep only the first `limit` images. Default all. */
  limit?: number;
}

/** Images and their labels: x float32 [n, 1, h, w] (or as `layout` says), y int32 [n]. */
export interface ImageSet {
  /** float32 in [0, 1]. */
  x: tf.Tensor;
  /** int32 class indices [n]. */
  y: tf.Tensor1D;
  /** The name of each class index. */
  classes: string[];
}

/** Builds the tensors from 8-bit pixels ([n·h·w], row-major) and labels. */
export function imageSet(
  pixels: Uint8Array,
  labels: ArrayLike<number>,
  height: number,
  width: number,
  classes: string[],
  options: ImageOptions,
): ImageSet {
  const total = labels.length;
  const n = Math.min(total, options.limit ?? total);
  const layout = options.layout ?? "nchw";
  const shape =
    layout === "flat" ? [n, height * width] : layout === "nhwc" ? [n, height, width, 1] : [n, 1, height, width];
  const values = new Float32Array(n * height * width);
  for (let i = 0; i < values.length; i++) values[i] = pixels[i] / 255;
  return {
    x: tf.tensor(values, shape, "float32"),
    y: tf.tensor1d(Int32Array.from(Array.prototype.slice.call(labels, 0, n) as number[]), "int32"),
    classes,
  };
}
