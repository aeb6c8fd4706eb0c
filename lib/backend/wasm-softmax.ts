/**
 * The fused log-softmax and softmax cross-entropy of lib/nn/fused.ts on the
 * wasm backend: one pass per row in JavaScript on the wasm memory, sums in
 * float64. A log-softmax built from tfjs ops is seven kernels forward and
 * four back; a cross-entropy, about fifteen.
 */
import { LOG_SOFTMAX, LOG_SOFTMAX_GRAD, SOFTMAX_CROSS_ENTROPY } from "../nn/fused";
import { KernelArgs, TensorInfo, heap, replaceWasmKernel } from "./wasm-kernels";

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

function softmaxCrossEntropy(args: KernelArgs): TensorInfo[] {
  const { logits, target } = args.inputs;
  const [rows, classes] = logits.shape;
  const reduction = args.attrs.reduction as string;
  const memory = heap(args.backend);
  const loss = memory.output(reduction === "none" ? [rows] : [], "float32");
  const delta = memory.output([rows, classes], "float32");
  const [x, labels, lossValues, d] = [memory.floats(logits), memory.values(target), memory.floats(loss), memory.floats(delta)];
  const scale = reduction === "mean" ? 1 / rows : 1;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * classes;
    const lse = logSumExp(x, start, classes);
    const rowLoss = lse - x[start + labels[r]];
    if (reduction === "none") lossValues[r] = rowLoss;
    total += rowLoss;
    for (let c = 0; c < classes; c++) d[start + c] = (Math.exp(x[start + c] - lse) - (c === labels[r] ? 1 : 0)) * scale;
  }
  if (reduction !== "none") lossValues[0] = total * scale;
  return [loss, delta];
}

/** Registers the three kernels; see the top of this file. */
export function installWasmSoftmax(): void {
  replaceWasmKernel(LOG_SOFTMAX, () => logSoftmax);
  replaceWasmKernel(LOG_SOFTMAX_GRAD, () => logSoftmaxGrad);
  replaceWasmKernel(SOFTMAX_CROSS_ENTROPY, () => softmaxCrossEntropy as unknown as (args: KernelArgs) => TensorInfo);
}
