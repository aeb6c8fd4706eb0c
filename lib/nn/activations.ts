/**
 * Element-wise activations as modules, for use inside `Sequential`.
 * Shape: any input shape → the same shape.
 *
 *   new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 2), new nn.Softmax(-1));
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import * as F from "./functional";
import { Module } from "./module";
import { check, checkFloat } from "./shapes";

/** tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ). */
export class Tanh extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    checkFloat(x, "Tanh");
    return tf.tanh(x);
  }
}

/** ReLU(x) = max(0, x). */
export class ReLU extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    checkFloat(x, "ReLU");
    return tf.relu(x);
  }

  /** Elementwise: any layout (for Sequential's channels-last runs, lib/nn/layout.ts). */
  readonly worksChannelsLast = false;

  forwardChannelsLast(x: tf.Tensor): tf.Tensor {
    return this.forward(x);
  }
}

/** σ(x) = 1 / (1 + e⁻ˣ). */
export class Sigmoid extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    checkFloat(x, "Sigmoid");
    return tf.sigmoid(x);
  }
}

/** GELU(x) = ½ x (1 + erf(x / √2)), the exact (not tanh-approximated) form. */
export class GELU extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    checkFloat(x, "GELU");
    return F.gelu(x);
  }
}

/**
 * softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along `dim` (PyTorch makes you choose;
 * here it defaults to the last axis, the class axis of `[batch, classes]`).
 */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkFloat(x, "Softmax");
    check(
      this.dim >= -x.rank && this.dim < x.rank,
      `Softmax(dim=${this.dim})`,
      () => `input is ${x.rank}-D, so dim must be in [${-x.rank}, ${x.rank - 1}]`,
    );
    return F.softmax(x, this.dim);
  }

  protected extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
