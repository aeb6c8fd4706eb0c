/**
 * The gradient of max pooling on the wasm backend, with PyTorch's rule.
 *
 * tfjs-backend-wasm's MaxPoolGrad (4.22) starts each window's running
 * maximum at the smallest positive float instead of −∞: a window whose
 * values are all ≤ 0 (all negative, or all zero after a ReLU) sends its
 * gradient nowhere, and ties go to the last maximum. This kernel sends each
 * window's gradient to its first largest value (a NaN wins, as in PyTorch),
 * on the backend's own memory: windows that tile the image with the kit's
 * SIMD kernels (simd/max-pool-grad-tiles.wat: 2×2, LeNet's, written out, and
 * any other size), four channels at a time without branches; any other
 * pooling in one pass in JavaScript.
 */
import * as tf from "@tensorflow/tfjs";
import { simdKernel } from "./simd";
import { KernelArgs, TensorInfo, heap, registerWasmKernel } from "./wasm-kernels";

function maxPoolGradient(args: KernelArgs): TensorInfo {
  const { dy, input } = args.inputs;
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
    dimRoundingMode?: "floor" | "round" | "ceil";
  };
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
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
  const tiles = strideHeight === filterHeight && strideWidth === filterWidth && top === 0 && left === 0;
  // The tiling kernel writes every cell of a window; only cells past the last window are left to zero.
  if (!tiles || outHeight * filterHeight < inHeight || outWidth * filterWidth < inWidth || channels < 4) dx.fill(0);
  if (tiles && channels >= 4) {
    const geometry = [batchSize, inHeight, inWidth, channels, outHeight, outWidth];
    const offsets = [memory.offset(input), memory.offset(dy), memory.offset(out)];
    if (filterHeight === 2 && filterWidth === 2)
      simdKernel(memory.memory, "max-pool-grad-tiles", "maxPoolGrad2x2")(...offsets, ...geometry);
    else
      simdKernel(memory.memory, "max-pool-grad-tiles", "maxPoolGradTiles")(
        ...offsets,
        ...geometry,
        filterHeight,
        filterWidth,
      );
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

/** Registers the gradient; see the top of this file. */
export function installWasmMaxPoolGrad(): void {
  registerWasmKernel("MaxPoolGrad", maxPoolGradient);
}
