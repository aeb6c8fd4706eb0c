/**
 * Max pooling and its gradient on the wasm backend, the gradient with
 * PyTorch's rule.
 *
 * tfjs-backend-wasm's MaxPoolGrad (4.22) starts each window's running
 * maximum at the smallest positive float instead of −∞: a window whose
 * values are all ≤ 0 (all negative, or all zero after a ReLU) sends its
 * gradient nowhere, and ties go to the last maximum. This kernel sends each
 * window's gradient to its first largest value (a NaN wins, as in PyTorch),
 * on the backend's own memory: windows that tile the image with the kit's
 * SIMD kernels (simd/max-pool.wat: 2×2, LeNet's, written out, and any
 * other size), four channels at a time without branches; any other pooling
 * in one pass in JavaScript. The pooling itself over 2×2 windows with stride
 * 2 is the kit's kernel too: the backend's (XNNPACK) took 124 µs on LeNet's
 * first layer at batch 64, 2.5 times as long.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { simdKernel } from "./simd";
import { KernelArgs, KernelFunc, TensorInfo, heap, registerWasmKernel, wrapWasmKernel } from "./wasm-kernels";

type PoolAttributes = {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
};

function poolInfo(inputShape: number[], attrs: PoolAttributes): tf.backend_util.Conv2DInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  return tf.backend_util.computePool2DInfo(
    inputShape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
}

/**
 * Windows that tile the image: stride = window, no padding on any side (the
 * kernels read every cell of every window, and "same" padding of an odd
 * size puts a window's last cells past the image).
 */
function tiling(info: tf.backend_util.Conv2DInfo): boolean {
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const { top, bottom, left, right } = padInfo;
  return strideHeight === filterHeight && strideWidth === filterWidth && top + bottom + left + right === 0;
}

/** 2×2 windows that tile the image, at least 4 channels: the 2×2 kernels' case. */
function twoByTwo(info: tf.backend_util.Conv2DInfo): boolean {
  return info.filterHeight === 2 && info.filterWidth === 2 && tiling(info) && info.inChannels >= 4;
}

function maxPool(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs;
    const info = poolInfo(x.shape, args.attrs as PoolAttributes);
    if (x.dtype !== "float32" || !twoByTwo(info)) return original(args);
    const memory = heap(args.backend);
    const out = memory.output(info.outShape, "float32");
    simdKernel(memory.memory, "max-pool", "maxPool2x2")(
      memory.offset(x),
      memory.offset(out),
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
    );
    return out;
  };
}

function maxPoolGradient(args: KernelArgs): TensorInfo {
  const { dy, input } = args.inputs;
  const info = poolInfo(input.shape, args.attrs as PoolAttributes);
  const memory = heap(args.backend);
  const out = memory.output(input.shape, "float32");
  const x = memory.floats(input);
  const grad = memory.floats(dy);
  const dx = memory.floats(out);
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: channels,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    filterHeight,
    filterWidth,
  } = info;
  const { top, left } = info.padInfo;
  const simd = tiling(info) && channels >= 4;
  // The SIMD kernels write every cell of every window: only cells past the last window are left to zero.
  const everyCell = simd && outHeight * filterHeight === inHeight && outWidth * filterWidth === inWidth;
  if (!everyCell) dx.fill(0);
  if (simd) {
    const geometry = [batchSize, inHeight, inWidth, channels, outHeight, outWidth];
    const offsets = [memory.offset(input), memory.offset(dy), memory.offset(out)];
    if (twoByTwo(info)) simdKernel(memory.memory, "max-pool", "maxPoolGrad2x2")(...offsets, ...geometry);
    else simdKernel(memory.memory, "max-pool", "maxPoolGradTiles")(...offsets, ...geometry, filterHeight, filterWidth);
    return out;
  }
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  let o = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = Math.max(0, oy * strideHeight - top);
      const y1 = Math.min(inHeight, oy * strideHeight - top + filterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = Math.max(0, ox * strideWidth - left);
        const x1 = Math.min(inWidth, ox * strideWidth - left + filterWidth);
        const first = ((n * inHeight + y0) * inWidth + x0) * channels;
        for (let c = 0; c < channels; c++) {
          best[c] = -Infinity;
          where[c] = first + c;
        }
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const base = ((n * inHeight + iy) * inWidth + ix) * channels;
            for (let c = 0; c < channels; c++) {
              const v = x[base + c];
              if (v > best[c] || v !== v) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) dx[where[c]] += grad[o++];
      }
    }
  }
  return out;
}

/** Registers the pooling and its gradient; see the top of this file. */
export function installWasmMaxPool(): void {
  wrapWasmKernel("MaxPool", maxPool);
  registerWasmKernel("MaxPoolGrad", maxPoolGradient);
}
