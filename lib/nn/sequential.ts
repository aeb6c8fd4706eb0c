import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { ChannelsLast, channelsLastLayer, toChannelsFirst, toChannelsLast } from "./layout";
import { Module } from "./module";

/**
 * y = fₙ(… f₂(f₁(x))) — modules applied one after the other, like
 * PyTorch's `nn.Sequential`. Children are named "0", "1", …, so parameters
 * read "0.weight", "2.bias", as in PyTorch. A run of image layers (Conv2d,
 * ReLU, MaxPool2d, ...) works channels last from its first layer to its
 * last, with one transpose at each end (lib/nn/layout.ts): same values.
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
    const layouts = this.layers.map(channelsLastLayer);
    return tf.tidy(() => {
      let h = x;
      let channelsLast = false;
      this.layers.forEach((layer, i) => {
        try {
          const imageLayer = layouts[i];
          if (imageLayer && h.rank === 4 && (channelsLast || this.runWorksChannelsLast(layouts, i))) {
            if (!channelsLast) h = toChannelsLast(h);
            channelsLast = true;
            h = imageLayer.forwardChannelsLast(h);
          } else {
            if (channelsLast) h = toChannelsFirst(h);
            channelsLast = false;
            h = layer.forward(h);
          }
        } catch (err) {
          // Say which entry failed: a student's Sequential often holds several Linear layers.
          if (err instanceof Error && !err.message.startsWith("Sequential"))
            err.message = `Sequential (${i}): ${err.message}`;
          throw err;
        }
      });
      return channelsLast ? toChannelsFirst(h) : h;
    });
  }

  /** Whether the run of channels-last layers from `start` holds one that works channels last anyway. */
  private runWorksChannelsLast(layouts: (ChannelsLast | null)[], start: number): boolean {
    for (let i = start; i < layouts.length && layouts[i]; i++) if (layouts[i]!.worksChannelsLast) return true;
    return false;
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
