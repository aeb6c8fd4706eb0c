import * as tf from "@tensorflow/tfjs";
import { Module } from "./module";

/**
 * y = fₙ(… f₂(f₁(x))) — modules applied one after the other, like
 * PyTorch's `nn.Sequential`. Children are named "0", "1", …, so parameters
 * read "0.weight", "2.bias", as in PyTorch.
 *
 *   const mlp = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 2));
 *   const logits = mlp.forward(x);   // [batch, 2]
 */
export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers.map((layer, i) => this.registerModule(String(i), layer));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      this.layers.reduce((h, layer, i) => {
        try {
          return layer.forward(h);
        } catch (err) {
          // Say which entry failed: a student's Sequential often holds several Linear layers.
          if (err instanceof Error && !err.message.startsWith("Sequential"))
            err.message = `Sequential (${i}): ${err.message}`;
          throw err;
        }
      }, x),
    );
  }
}

/**
 * A list of modules whose parameters are registered ("0.*", "1.*", …) but
 * which the owner calls itself, like PyTorch's `nn.ModuleList`.
 */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[];

  constructor(items: M[]) {
    super();
    this.items = items.map((item, i) => this.registerModule(String(i), item));
  }

  forward(): tf.Tensor {
    throw new Error("ModuleList has no forward: loop over .items and call each one");
  }
}
