/**
 * LayerNorm of lib/nn/fused.ts on the wasm backend. Built from tfjs ops a
 * LayerNorm is about nine kernels forward and twenty back (moments,
 * broadcasts, the gradient of each), on every block of a transformer.
 * Rows of a multiple of 4 floats (a model width) run the kit's SIMD kernels
 * (simd/layer-norm.wat), five times faster than JavaScript; other rows a
 * JavaScript pass with statistics in float64.
 */
import { LAYER_NORM, LAYER_NORM_GRAD } from "./fused";
import { simdKernel } from "./simd";
import { KernelArgs, TensorInfo, heap, registerWasmKernel } from "./wasm-kernels";

function layerNorm(args: KernelArgs): TensorInfo[] {
  const { x, weight, bias } = args.inputs;
  const [rows, size] = x.shape;
  const eps = args.attrs.eps as number;
  const memory = heap(args.backend);
  const [y, mean, rstd] = [
    memory.output([rows, size], "float32"),
    memory.output([rows], "float32"),
    memory.output([rows], "float32"),
  ];
  if (size % 4 === 0) {
    const kernel = simdKernel(memory.memory, "layer-norm", "layerNorm");
    kernel(...[x, weight, bias, y, mean, rstd].map((t) => memory.offset(t)), rows, size, eps);
    return [y, mean, rstd];
  }
  const [input, w, b, out, means, rstds] = [x, weight, bias, y, mean, rstd].map((t) => memory.floats(t));
  for (let r = 0; r < rows; r++) {
    const start = r * size;
    let sum = 0;
    for (let c = start; c < start + size; c++) sum += input[c];
    const mu = sum / size;
    let squares = 0;
    for (let c = start; c < start + size; c++) squares += (input[c] - mu) * (input[c] - mu);
    const inverse = 1 / Math.sqrt(squares / size + eps);
    for (let c = 0; c < size; c++) out[start + c] = (input[start + c] - mu) * inverse * w[c] + b[c];
    means[r] = mu;
    rstds[r] = inverse;
  }
  return [y, mean, rstd];
}

/** dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·weight and x̂ the normalized x; dWeight = Σ dy·x̂, dBias = Σ dy over rows. */
function layerNormGrad(args: KernelArgs): TensorInfo[] {
  const { dy, x, mean, rstd, weight } = args.inputs;
  const [rows, size] = x.shape;
  const memory = heap(args.backend);
  const [dx, dWeight, dBias] = [
    memory.output([rows, size], "float32"),
    memory.output([size], "float32"),
    memory.output([size], "float32"),
  ];
  if (size % 4 === 0) {
    memory.floats(dWeight).fill(0);
    memory.floats(dBias).fill(0);
    const kernel = simdKernel(memory.memory, "layer-norm", "layerNormGrad");
    kernel(...[dy, x, mean, rstd, weight, dx, dWeight, dBias].map((t) => memory.offset(t)), rows, size);
    return [dx, dWeight, dBias];
  }
  const [grad, input, means, rstds, w, dInput] = [dy, x, mean, rstd, weight, dx].map((t) => memory.floats(t));
  const [weightTotals, biasTotals] = [new Float64Array(size), new Float64Array(size)];
  for (let r = 0; r < rows; r++) {
    const start = r * size;
    const [mu, inverse] = [means[r], rstds[r]];
    let gSum = 0;
    let gxSum = 0;
    for (let c = 0; c < size; c++) {
      const normalized = (input[start + c] - mu) * inverse;
      const g = grad[start + c] * w[c];
      gSum += g;
      gxSum += g * normalized;
      weightTotals[c] += grad[start + c] * normalized;
      biasTotals[c] += grad[start + c];
    }
    const [gMean, gxMean] = [gSum / size, gxSum / size];
    for (let c = 0; c < size; c++) {
      const normalized = (input[start + c] - mu) * inverse;
      dInput[start + c] = inverse * (grad[start + c] * w[c] - gMean - normalized * gxMean);
    }
  }
  memory.floats(dWeight).set(weightTotals);
  memory.floats(dBias).set(biasTotals);
  return [dx, dWeight, dBias];
}

/** Registers the two kernels; see the top of this file. */
export function installWasmLayerNorm(): void {
  registerWasmKernel(LAYER_NORM, layerNorm);
  registerWasmKernel(LAYER_NORM_GRAD, layerNormGrad);
}
