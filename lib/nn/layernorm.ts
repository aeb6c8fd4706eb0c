import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { LAYER_NORM } from "../backend/fused";
import { fusedForward } from "./fused";
import { Module } from "./module";
import { check, checkFloat, showShape } from "./shapes";

/** Arguments of `nn.LayerNorm`. */
export interface LayerNormArgs {
  /** Added to the variance. Default 1e-5. */
  eps?: number;
  /** Learn γ ("weight") and β ("bias"). Default true. */
  elementwiseAffine?: boolean;
}

/**
 * y = (x − E[x]) / √(Var[x] + ε) · γ + β, with mean and (biased) variance
 * over the last axes — PyTorch's `nn.LayerNorm`. γ starts at 1, β at 0.
 *
 * Shape: input `[*, ...normalizedShape]` → the same shape; e.g.
 * `[batch, seq, dModel]` with normalizedShape = dModel.
 *
 *   const norm = new nn.LayerNorm(64);
 *   norm.forward(tf.randomNormal([2, 10, 64]));   // each token: mean 0, variance 1
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly weight: tf.Variable | null;
  readonly bias: tf.Variable | null;

  constructor(normalizedShape: number | number[], args: LayerNormArgs = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
    this.eps = args.eps ?? 1e-5;
    const affine = args.elementwiseAffine ?? true;
    this.weight = affine ? this.registerParameter("weight", tf.ones(this.normalizedShape)) : null;
    this.bias = affine ? this.registerParameter("bias", tf.zeros(this.normalizedShape)) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const layer = `LayerNorm(${showShape(this.normalizedShape)})`;
    checkFloat(x, layer);
    const k = this.normalizedShape.length;
    check(
      tf.util.arraysEqual(x.shape.slice(-k), this.normalizedShape),
      layer,
      () =>
        `input has shape ${showShape(x.shape)}, expected its last ${k === 1 ? "axis" : `${k} axes`} to be ${showShape(this.normalizedShape)}`,
    );
    if (this.weight && this.bias && fusedForward(LAYER_NORM))
      return this.normalizeAsOneKernel(x, this.weight, this.bias);
    return tf.tidy(() => {
      const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
      const { mean, variance } = tf.moments(x, axes, true);
      let y = x.sub(mean).div(variance.add(this.eps).sqrt());
      if (this.weight) y = y.mul(this.weight);
      if (this.bias) y = y.add(this.bias);
      return y;
    });
  }

  /** The same, one kernel forward and one back (nn/fused.ts), on the rows of the normalized size. */
  private normalizeAsOneKernel(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor {
    const size = weight.size;
    return tf.tidy(() => {
      const flat = (t: tf.Tensor, shape: number[]) => (tf.util.arraysEqual(t.shape, shape) ? t : t.reshape(shape));
      const inputs = { x: flat(x, [x.size / size, size]), weight: flat(weight, [size]), bias: flat(bias, [size]) };
      const [y, mean, rstd] = tf.engine().runKernel(LAYER_NORM, inputs, { eps: this.eps }) as unknown as tf.Tensor[];
      // The gradient tape keeps its own handles on the row statistics, when a gradient is being taken.
      tf.dispose([mean, rstd]);
      return flat(y, x.shape);
    });
  }

  protected extraRepr(): string {
    const eps = this.eps < 1e-3 ? this.eps.toExponential() : String(this.eps);
    return `(${this.normalizedShape.join(", ")},), eps=${eps}, elementwise_affine=${this.weight ? "True" : "False"}`;
  }
}
