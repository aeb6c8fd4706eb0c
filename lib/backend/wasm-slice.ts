/**
 * Slices on the wasm backend that read only the part they return.
 *
 * tfjs-backend-wasm's Slice (4.22) first copies the whole input out of the
 * wasm memory (readSync), then picks the slice from the copy. Unpack and
 * SplitV call it once per piece, so cutting a sequence [10, 64, 128] into
 * its 10 steps copies it 10 times: 0.65 ms, where the pieces themselves are
 * 0.3 MB. Here the input is read in place, in runs of its last axis; Unpack
 * and SplitV are rebuilt on this slice.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import {
  AnyKernelFunc,
  IN_PLACE_DTYPES,
  KernelArgs,
  KernelFunc,
  TensorInfo,
  WasmBackend,
  heap,
  wrapWasmKernel,
} from "./wasm-kernels";

/** x[begin : begin + size] (every axis), read from the wasm memory in place. */
function sliceInPlace(backend: WasmBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const memory = heap(backend);
  const out = memory.output(size, x.dtype);
  const source = memory.values(x);
  const target = memory.values(out);
  const rank = x.shape.length;
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1] * x.shape[i + 1];
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const from = begin.reduce((offset, b, i) => offset + b * strides[i], 0);
    target.set(source.subarray(from, from + target.length));
    return out;
  }
  // Runs of the last axis, the outer axes counted like an odometer.
  const run = size[rank - 1];
  const index = new Array<number>(rank - 1).fill(0);
  let from = begin.reduce((offset, b, i) => offset + b * strides[i], 0);
  for (let to = 0; to < target.length; to += run) {
    if (run === 1) target[to] = source[from];
    else target.set(source.subarray(from, from + run), to);
    for (let k = rank - 2; k >= 0; k--) {
      index[k]++;
      from += strides[k];
      if (index[k] < size[k]) break;
      from -= strides[k] * size[k];
      index[k] = 0;
    }
  }
  return out;
}

function slice(original: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs;
    if (!IN_PLACE_DTYPES.includes(x.dtype)) return original(args);
    const [begin, size] = tf.slice_util.parseSliceParams(
      x as tf.TensorInfo as tf.Tensor,
      args.attrs.begin as number[],
      args.attrs.size as number[],
    );
    return sliceInPlace(args.backend, x, begin, size);
  };
}

/** The pieces of x along `axis`, each `size` long on that axis. */
function pieces(args: KernelArgs, x: TensorInfo, axis: number, sizes: number[]): TensorInfo[] {
  const begin = x.shape.map(() => 0);
  return sizes.map((s) => {
    const size = x.shape.map((d, i) => (i === axis ? s : d));
    const piece = sliceInPlace(args.backend, x, begin, size);
    begin[axis] += s;
    return piece;
  });
}

function unpack(original: KernelFunc): AnyKernelFunc {
  return (args: KernelArgs) => {
    // Unpack names its input "value".
    const x = args.inputs.value;
    if (!IN_PLACE_DTYPES.includes(x.dtype)) return original(args);
    const axis = tf.util.parseAxisParam(args.attrs.axis as number, x.shape)[0];
    const shape = x.shape.filter((_, i) => i !== axis);
    return pieces(args, x, axis, new Array<number>(x.shape[axis]).fill(1)).map((t) => ({ ...t, shape }));
  };
}

function splitV(original: KernelFunc): AnyKernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs;
    if (!IN_PLACE_DTYPES.includes(x.dtype)) return original(args);
    const axis = tf.util.parseAxisParam(args.attrs.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(
      x as tf.TensorInfo as tf.Tensor,
      args.attrs.numOrSizeSplits as number | number[],
      axis,
    );
    return pieces(args, x, axis, sizes);
  };
}

/** Registers Slice, Unpack and SplitV; see the top of this file. */
export function installWasmSlices(): void {
  for (const [name, wrap] of [
    ["Slice", slice],
    ["Unpack", unpack],
    ["SplitV", splitV],
  ] as const) {
    wrapWasmKernel(name, wrap);
  }
}
