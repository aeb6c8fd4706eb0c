/**
 * The gradients of a 2-D convolution on the wasm backend, as forward
 * convolutions that XNNPACK runs.
 *
 * tfjs-backend-wasm (4.22) has no Conv2DBackpropFilter kernel at all, so a
 * convolution's filter had no gradient there, and its Conv2DBackpropInput is
 * a naive loop (12 ms for LeNet's second layer at batch 64, against 1 ms
 * forward). With both registered here, tf.conv2d trains on wasm like on any
 * backend, and tfjs computes each gradient only when it is needed: none for
 * the input of a network's first layer.
 */
import * as tf from "@tensorflow/tfjs";
import { KernelArgs, KernelFunc, KernelScope, TensorInfo, registerWasmKernel, wrapWasmKernel } from "./wasm-kernels";

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

function conv2d(
  scope: KernelScope,
  x: TensorInfo,
  filter: TensorInfo,
  pad: [number, number, number, number],
  dilations: [number, number],
): TensorInfo {
  const [top, bottom, left, right] = pad;
  const explicit = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  return scope.run(
    "Conv2D",
    { x, filter },
    { strides: [1, 1], pad: explicit, dataFormat: "NHWC", dilations, dimRoundingMode: undefined },
  );
}

/**
 * dW[i, j, c, o] = Σ over images n and output pixels (y, x) of
 * x[n, y·s + i − top, x·s + j − left, c] · dy[n, y, x, o]: the input, with
 * its images as channels, convolved by the output gradient as the filter,
 * dilated by the stride.
 */
function filterGradient(args: KernelArgs): TensorInfo {
  const { x, dy } = args.inputs;
  const filterShape = args.attrs.filterShape as Shape4;
  const info = convInfo(x.shape, filterShape, args);
  if (info.dataFormat !== "channelsLast")
    throw new Error("Conv2DBackpropFilter on wasm: only NHWC (channels last) is supported, as for wasm's Conv2D");
  const [kH, kW, inC, outC] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  const scope = new KernelScope(args.backend);
  const images = scope.transpose(x, [3, 1, 2, 0]);
  const filter = scope.transpose(dy, [1, 2, 0, 3]);
  const full = conv2d(scope, images, filter, [top, bottom, left, right], [info.strideHeight, info.strideWidth]);
  // [inC, ≥kH, ≥kW, outC]: rows and columns past the kernel come from input pixels no window reached.
  const cropped =
    full.shape[1] === kH && full.shape[2] === kW
      ? full
      : scope.run("Slice", { x: full }, { begin: [0, 0, 0, 0], size: [inC, kH, kW, outC] });
  const dw = scope.result(scope.transpose(cropped, [1, 2, 0, 3]));
  scope.dispose();
  return dw;
}

/**
 * dx = dy convolved by the filter turned by 180° with in and out channels
 * swapped, padded so that every window that covered an input pixel counts.
 * Stride 1 only (the padding would need dy dilated otherwise); other cases
 * keep the backend's loop.
 */
function inputGradient(original: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs;
    const info = convInfo(args.attrs.inputShape as number[], filter.shape, args);
    const [kH, kW] = [info.filterHeight, info.filterWidth];
    const { top, bottom, left, right } = info.padInfo;
    const fits = Math.max(top, bottom) < kH && Math.max(left, right) < kW;
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dataFormat !== "channelsLast" || !fits)
      return original(args);
    const scope = new KernelScope(args.backend);
    const turned = scope.transpose(scope.run("Reverse", { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
    const dx = scope.result(
      conv2d(scope, dy, turned, [kH - 1 - top, kH - 1 - bottom, kW - 1 - left, kW - 1 - right], [1, 1]),
    );
    scope.dispose();
    return dx;
  };
}

/** Registers both gradients; see the top of this file. */
export function installWasmConv(): void {
  registerWasmKernel("Conv2DBackpropFilter", filterGradient);
  wrapWasmKernel("Conv2DBackpropInput", inputGradient);
}
