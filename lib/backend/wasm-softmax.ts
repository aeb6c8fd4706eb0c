/**
 * Softmax and its gradient, and the fused log-softmax, softmax
 * cross-entropy and NLL loss of lib/nn/fused.ts, on the wasm backend.
 * tfjs-backend-wasm's Softmax (4.22) takes 6.5 ns a float (0.85 ms on a
 * transformer's attention scores, [128, 4, 16, 16]), and tfjs builds its
 * gradient from four ops: rows of a multiple of 4 floats run the kit's SIMD
 * kernels (simd/softmax.wat) instead. The others are one pass per row in
 * JavaScript on the wasm memory, sums in float64; a log-softmax built from
 * tfjs ops is seven kernels forward and four back, a cross-entropy about
 * fifteen.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { LOG_SOFTMAX, LOG_SOFTMAX_GRAD, NLL_LOSS, SOFTMAX_CROSS_ENTROPY, SOFTMAX_GRAD } from "./fused";
import { simdKernel } from "./simd";
import { KernelArgs, KernelFunc, TensorInfo, heap, registerWasmKernel, wrapWasmKernel } from "./wasm-kernels";

/** log Σ exp(row), stably: the maximum taken out first. A row of −∞ gives NaN, as in PyTorch. */
function logSumExp(x: Float32Array, start: number, length: number): number {
  let max = -Infinity;
  for (let c = 0; c < length; c++) if (x[start + c] > max || x[start + c] !== x[start + c]) max = x[start + c];
  let sum = 0;
  for (let c = 0; c < length; c++) sum += Math.exp(x[start + c] - max);
  return max + Math.log(sum);
}

function logSoftmax(args: KernelArgs): TensorInfo {
  const { x } = args.inputs;
  const classes = x.shape[x.shape.length - 1];
  const memory = heap(args.backend);
  const out = memory.output(x.shape, "float32");
  const [input, output] = [memory.floats(x), memory.floats(out)];
  for (let start = 0; start < input.length; start += classes) {
    const lse = logSumExp(input, start, classes);
    for (let c = start; c < start + classes; c++) output[c] = input[c] - lse;
  }
  return out;
}

function logSoftmaxGrad(args: KernelArgs): TensorInfo {
  const { dy, y } = args.inputs;
  const classes = y.shape[y.shape.length - 1];
  const memory = heap(args.backend);
  const out = memory.output(y.shape, "float32");
  const [grad, logProbs, dx] = [memory.floats(dy), memory.floats(y), memory.floats(out)];
  for (let start = 0; start < grad.length; start += classes) {
    let total = 0;
    for (let c = start; c < start + classes; c++) total += grad[c];
    for (let c = start; c < start + classes; c++) dx[c] = grad[c] - Math.exp(logProbs[c]) * total;
  }
  return out;
}

/**
 * A loss kernel of lib/nn/fused.ts: `row` writes one row's gradient for
 * dy = 1, times `scale`, into `d`, and returns the row's loss.
 */
function rowsLoss(
  row: (x: Float32Array, start: number, classes: number, label: number, scale: number, d: Float32Array) => number,
): (args: KernelArgs) => TensorInfo[] {
  return (args) => {
    const { scores, target } = args.inputs;
    const [rows, classes] = scores.shape;
    const reduction = args.attrs.reduction as string;
    const memory = heap(args.backend);
    const loss = memory.output(reduction === "none" ? [rows] : [], "float32");
    const delta = memory.output([rows, classes], "float32");
    const [x, labels, lossValues, d] = [
      memory.floats(scores),
      memory.values(target),
      memory.floats(loss),
      memory.floats(delta),
    ];
    const scale = reduction === "mean" ? 1 / rows : 1;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const value = row(x, r * classes, classes, labels[r], scale, d);
      if (reduction === "none") lossValues[r] = value;
      total += value;
    }
    if (reduction !== "none") lossValues[0] = total * scale;
    return [loss, delta];
  };
}

const softmaxCrossEntropy = rowsLoss((x, start, classes, label, scale, d) => {
  // One exp per element: exp(x − max) is kept in d until the sum is known.
  let max = -Infinity;
  for (let c = start; c < start + classes; c++) if (x[c] > max || x[c] !== x[c]) max = x[c];
  let sum = 0;
  for (let c = start; c < start + classes; c++) sum += d[c] = Math.exp(x[c] - max);
  for (let c = start; c < start + classes; c++) d[c] = (d[c] / sum - (c === start + label ? 1 : 0)) * scale;
  return max + Math.log(sum) - x[start + label];
});

const nllLoss = rowsLoss((x, start, classes, label, scale, d) => {
  d.fill(0, start, start + classes);
  d[start + label] = -scale;
  return -x[start + label];
});

function softmax(original: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { logits } = args.inputs;
    const size = logits.shape[logits.shape.length - 1];
    const elements = tf.util.sizeFromShape(logits.shape);
    if (logits.dtype !== "float32" || size % 4 !== 0 || elements === 0) return original(args);
    const memory = heap(args.backend);
    const out = memory.output(logits.shape, "float32");
    simdKernel(memory.memory, "softmax", "softmax")(memory.offset(logits), memory.offset(out), elements / size, size);
    return out;
  };
}

/** dy and y = softmax(x) over the last axis → dx = y·dy − y·Σ(y·dy); see nn/fused.ts. */
function softmaxGrad(args: KernelArgs): TensorInfo {
  const { dy, y } = args.inputs;
  const size = y.shape[y.shape.length - 1];
  const elements = tf.util.sizeFromShape(y.shape);
  const memory = heap(args.backend);
  const out = memory.output(y.shape, "float32");
  if (size % 4 === 0) {
    simdKernel(memory.memory, "softmax", "softmaxGrad")(
      memory.offset(dy),
      memory.offset(y),
      memory.offset(out),
      elements / size,
      size,
    );
    return out;
  }
  const [grad, probs, dx] = [memory.floats(dy), memory.floats(y), memory.floats(out)];
  for (let start = 0; start < elements; start += size) {
    let total = 0;
    for (let c = start; c < start + size; c++) total += grad[c] * probs[c];
    for (let c = start; c < start + size; c++) dx[c] = grad[c] * probs[c] - total * probs[c];
  }
  return out;
}

/** Registers the kernels; see the top of this file. */
export function installWasmSoftmax(): void {
  wrapWasmKernel("Softmax", softmax);
  registerWasmKernel(SOFTMAX_GRAD, softmaxGrad);
  registerWasmKernel(LOG_SOFTMAX, logSoftmax);
  registerWasmKernel(LOG_SOFTMAX_GRAD, logSoftmaxGrad);
  registerWasmKernel(SOFTMAX_CROSS_ENTROPY, softmaxCrossEntropy);
  registerWasmKernel(NLL_LOSS, nllLoss);
}
