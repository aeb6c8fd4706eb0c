/**
 * A 2-D convolution and its gradients on the wasm backend, as the kit's own
 * SIMD kernels (simd/conv-forward.wat, simd/conv-filter-gradient.wat,
 * simd/conv-input-gradient.wat).
 *
 * tfjs-backend-wasm (4.22) has no Conv2DBackpropFilter kernel at all, so a
 * convolution's filter had no gradient there, and its Conv2DBackpropInput is
 * a naive loop (12 ms for LeNet's second layer at batch 64, against 1 ms
 * forward). Run as forward convolutions on XNNPACK, the two gradients still
 * took 2.3 and 3.3 ms a LeNet step: layout transposes around them, shapes
 * XNNPACK's tiles suit badly (6 output channels, a 28×28 filter), and the
 * input gradient's zero padding multiplied too. The kernels here read the
 * image and the gradient where they lie, channels last, and compute only the
 * products that exist. tfjs computes each gradient only when it is needed:
 * none for the input of a network's first layer. Forward, XNNPACK ran
 * LeNet's first layer (1 channel in, 6 out) at 14 GFLOP/s; the kernel here
 * reads the window rows where they lie too.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { simdKernel } from "./simd";
import {
  Heap,
  KernelArgs,
  KernelFunc,
  KernelScope,
  TensorInfo,
  heap,
  registerWasmKernel,
  wrapWasmKernel,
} from "./wasm-kernels";

type Shape4 = [number, number, number, number];

function convInfo(inputShape: number[], filterShape: number[], args: KernelArgs): tf.backend_util.Conv2DInfo {
  const { strides, pad, dataFormat, dimRoundingMode } = args.attrs as {
    strides: number | [number, number];
    pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
    dataFormat: "NHWC" | "NCHW";
    dimRoundingMode?: "floor" | "round" | "ceil";
  };
  const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
  return tf.backend_util.computeConv2DInfo(
    inputShape as Shape4,
    filterShape as Shape4,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
}

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

/**
 * Whether the kernels take their tiles of 16 channels (2 pixels or taps ×
 * 16) rather than of 8 (4 × 8): when 16-channel tiles leave no more lanes
 * idle. Both tiles keep 14 values in registers; the wide ones compute two
 * addresses a step instead of four.
 */
function wideTiles(outC: number): boolean {
  return roundUp(outC, 8) === roundUp(outC, 16);
}

/**
 * The image with its zero padding written out, [batch, paddedH, paddedW, C],
 * as the kernels read it: byte strides, and the size in floats.
 */
function paddedImage(info: tf.backend_util.Conv2DInfo) {
  const { top, bottom, left, right } = info.padInfo;
  const height = info.inHeight + top + bottom;
  const width = info.inWidth + left + right;
  const rowFloats = width * info.inChannels;
  return {
    floats: info.batchSize * height * rowFloats,
    imageBytes: 4 * height * rowFloats,
    rowBytes: 4 * rowFloats,
    rowStep: 4 * info.strideHeight * rowFloats,
    pixelStep: 4 * info.strideWidth * info.inChannels,
    /** Where the first image's unpadded part starts, in bytes from the buffer's start. */
    originBytes: 4 * (top * width + left) * info.inChannels,
    unpadded: top + bottom + left + right === 0,
  };
}

/** True when `bytes` more can be read past x's end: the kernels' extra lanes read a few floats beyond. */
function roomAfter(memory: Heap, x: TensorInfo, bytes: number): boolean {
  return memory.offset(x) + 4 * tf.util.sizeFromShape(x.shape) + bytes <= memory.memory.buffer.byteLength;
}

/**
 * y[n, y, x, o] = Σ over kh, kw, c of x[n, y·sh + kh − top, x·sw + kw − left, c] · W[kh, kw, c, o],
 * in tiles of 2 pixels × 16 channels where the channels fill them as well
 * as tiles of 4 × 8 do (LeNet's second layer: 1.23 times faster, two
 * addresses a step instead of four, and a row of 10 pixels covered without
 * recomputing 2 of 12), in tiles of 4 × 8 for rows of 4 pixels or more,
 * on XNNPACK otherwise.
 */
function forward(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs;
    const info = convInfo(x.shape, filter.shape, args);
    const { dilations } = args.attrs as { dilations?: number | [number, number] };
    const dilated = dilations !== undefined && [dilations].flat().some((d) => d !== 1);
    const [kH, kW, inC, outC] = filter.shape;
    const op = roundUp(outC, 8);
    const wide = wideTiles(outC);
    if (info.dataFormat !== "channelsLast" || x.dtype !== "float32" || info.outWidth < (wide ? 2 : 4) || dilated)
      return original(args);
    const window = kW * inC;
    const image = paddedImage(info);
    const memory = heap(args.backend);
    const scope = new KernelScope(args.backend);
    const out = memory.output(info.outShape, "float32");
    const weights = scope.scratch(kH * window * op);
    const padded = image.unpadded ? x : scope.scratch(image.floats);
    const [w, wp] = [memory.floats(filter), memory.floats(weights)];
    wp.fill(0);
    for (let row = 0; row < kH * window; row++) wp.set(w.subarray(row * outC, (row + 1) * outC), row * op);
    if (padded !== x) copyIntoPadding(memory, x, padded, info, image);
    simdKernel(memory.memory, "conv-forward", "convForward")(
      memory.offset(padded),
      memory.offset(weights),
      memory.offset(out),
      info.batchSize,
      info.outHeight,
      info.outWidth,
      kH,
      window,
      op,
      outC,
      image.imageBytes,
      image.rowBytes,
      image.rowStep,
      image.pixelStep,
      wide ? 1 : 0,
    );
    scope.dispose();
    return out;
  };
}

/**
 * dW[kh, kw, c, o] = Σ over images and output pixels (y, x) of
 * x[n, y·sh + kh − top, x·sw + kw − left, c] · dy[n, y, x, o].
 */
function filterGradient(args: KernelArgs): TensorInfo {
  const { x, dy } = args.inputs;
  const filterShape = args.attrs.filterShape as Shape4;
  const info = convInfo(x.shape, filterShape, args);
  if (info.dataFormat !== "channelsLast")
    throw new Error("Conv2DBackpropFilter on wasm: only NHWC (channels last) is supported, as for wasm's Conv2D");
  const [kH, kW, inC, outC] = filterShape;
  const window = kW * inC;
  const [taps, op] = [kH * window, roundUp(outC, 8)];
  const wide = wideTiles(outC);
  const tp = roundUp(taps, 4);
  const image = paddedImage(info);
  const memory = heap(args.backend);
  const scope = new KernelScope(args.backend);
  const out = memory.output(filterShape, "float32");
  const sums = scope.scratch(tp * op);
  const table = scope.scratch(tp);
  const padded = image.unpadded ? x : scope.scratch(image.floats);
  const gradient = roomAfter(memory, dy, 4 * (op - outC)) ? dy : scope.scratch(tf.util.sizeFromShape(dy.shape) + op);
  if (padded !== x) copyIntoPadding(memory, x, padded, info, image);
  if (gradient !== dy) memory.floats(gradient).set(memory.floats(dy));
  const offsets = new Int32Array(memory.memory.buffer, memory.offset(table), tp);
  for (let t = 0; t < taps; t++) offsets[t] = Math.floor(t / window) * image.rowBytes + 4 * (t % window);
  offsets.fill(0, taps);
  simdKernel(memory.memory, "conv-filter-gradient", "convFilterGradient")(
    memory.offset(padded),
    memory.offset(gradient),
    memory.offset(sums),
    memory.offset(table),
    info.batchSize,
    info.outHeight,
    info.outWidth,
    tp,
    op,
    image.imageBytes,
    image.rowStep,
    image.pixelStep,
    4 * outC,
    wide ? 1 : 0,
  );
  const [from, to] = [memory.floats(sums), memory.floats(out)];
  for (let t = 0; t < taps; t++) to.set(from.subarray(t * op, t * op + outC), t * outC);
  scope.dispose();
  return out;
}

function copyIntoPadding(
  memory: Heap,
  x: TensorInfo,
  padded: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  image: ReturnType<typeof paddedImage>,
): void {
  memory.floats(padded).fill(0);
  copyRows(memory, info, image, memory.offset(x), memory.offset(padded), "pad");
}

/**
 * Copies every image row between the plain layout (at byte `plain`) and
 * the padded one (the buffer at byte `padded`): "pad" writes the padded
 * buffer, "crop" reads it.
 */
function copyRows(
  memory: Heap,
  info: tf.backend_util.Conv2DInfo,
  image: ReturnType<typeof paddedImage>,
  plain: number,
  padded: number,
  direction: "pad" | "crop",
): void {
  const rowBytes = 4 * info.inWidth * info.inChannels;
  const plainLayout = { at: plain, row: rowBytes, image: info.inHeight * rowBytes };
  const paddedLayout = { at: padded + image.originBytes, row: image.rowBytes, image: image.imageBytes };
  const [from, to] = direction === "pad" ? [plainLayout, paddedLayout] : [paddedLayout, plainLayout];
  simdKernel(memory.memory, "copy-rows", "copyRows")(
    from.at,
    to.at,
    info.batchSize,
    info.inHeight,
    rowBytes,
    from.row,
    to.row,
    from.image,
    to.image,
  );
}

/**
 * dx[n, y·sh + kh − top, x·sw + kw − left, c] += Σ_o dy[n, y, x, o] ·
 * W[kh, kw, c, o], over every output pixel's window, into a padded buffer
 * with room for the kernel's masked lanes past the last window row.
 */
function inputGradient(original: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs;
    const inputShape = args.attrs.inputShape as Shape4;
    const info = convInfo(inputShape, filter.shape, args);
    if (info.dataFormat !== "channelsLast" || dy.dtype !== "float32") return original(args);
    const [kH, kW, inC, outC] = filter.shape;
    const window = kW * inC;
    const jp = roundUp(window, 16);
    const image = paddedImage(info);
    const memory = heap(args.backend);
    const scope = new KernelScope(args.backend);
    const out = memory.output(inputShape, "float32");
    const turned = scope.scratch(kH * outC * jp);
    const padded = scope.scratch(image.floats + jp);
    const [w, wt] = [memory.floats(filter), memory.floats(turned)];
    wt.fill(0);
    for (let kh = 0; kh < kH; kh++)
      for (let o = 0; o < outC; o++)
        for (let j = 0; j < window; j++) wt[(kh * outC + o) * jp + j] = w[(kh * window + j) * outC + o];
    memory.floats(padded).fill(0);
    simdKernel(memory.memory, "conv-input-gradient", "convInputGradient")(
      memory.offset(dy),
      memory.offset(turned),
      memory.offset(padded),
      info.batchSize,
      info.outHeight,
      info.outWidth,
      kH,
      window,
      jp,
      outC,
      image.imageBytes,
      image.rowBytes,
      image.rowStep,
      image.pixelStep,
    );
    copyRows(memory, info, image, memory.offset(out), memory.offset(padded), "crop");
    scope.dispose();
    return out;
  };
}

/** Registers the convolution and both gradients; see the top of this file. */
export function installWasmConv(): void {
  wrapWasmKernel("Conv2D", forward);
  registerWasmKernel("Conv2DBackpropFilter", filterGradient);
  wrapWasmKernel("Conv2DBackpropInput", inputGradient);
}
