import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { GELU, ReLU } from "./activations";
import { Dropout } from "./dropout";
import { LayerNorm } from "./layernorm";
import { Linear } from "./linear";
import { Module } from "./module";
import { MultiheadAttention } from "./multihead_attention";
import { nextSeed } from "./random";
import { ModuleList } from "./sequential";

/** Arguments of `nn.TransformerEncoderLayer`. */
export interface TransformerEncoderLayerArgs {
  /** Hidden size of the feed-forward part. Default 2048. */
  dimFeedforward?: number;
  /** Dropout probability everywhere in the block. Default 0.1. */
  dropout?: number;
  /** The feed-forward activation. Default "relu". */
  activation?: "relu" | "gelu";
  /** ε of both LayerNorms. Default 1e-5. */
  layerNormEps?: number;
  /** Tensors are `[batch, seq, dModel]`. Default false, as in PyTorch. */
  batchFirst?: boolean;
  /** Normalise before attention and FF (pre-norm) instead of after. Default false. */
  normFirst?: boolean;
  /** Seed of the initial weights and dropout masks. Default: from `manualSeed`'s sequence. */
  seed?: number;
}

/** An encoder's output with the self-attention weights, for attention maps. */
export interface EncoderResult {
  output: tf.Tensor;
  /** Per-head weights `[batch, heads, seq, seq]`: one tensor per layer for an encoder. */
  weights: tf.Tensor[];
}

/**
 * One encoder block of the Transformer, PyTorch's `nn.TransformerEncoderLayer`:
 *
 *   post-norm (default):  x = norm1(x + SelfAttention(x));  x = norm2(x + FF(x))
 *   pre-norm (normFirst): x = x + SelfAttention(norm1(x));  x = x + FF(norm2(x))
 *
 * with FF(x) = linear2(dropout(activation(linear1(x)))), dropout after the
 * attention and after FF, and PyTorch's parameter names (self_attn.*,
 * linear1.*, linear2.*, norm1.*, norm2.*).
 *
 * Shape: src `[batch, seq, dModel]` with batchFirst (else `[seq, batch, dModel]`)
 * → the same shape. Masks as in `MultiheadAttention` (true = blocked).
 *
 *   const block = new nn.TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true });
 *   const y = block.forward(x);   // [batch, seq, 32]
 */
export class TransformerEncoderLayer extends Module {
  readonly selfAttn: MultiheadAttention;
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  readonly activation: ReLU | GELU;
  readonly normFirst: boolean;

  constructor(
    readonly dModel: number,
    readonly nhead: number,
    args: TransformerEncoderLayerArgs = {},
  ) {
    super();
    const seed = args.seed ?? nextSeed();
    const p = args.dropout ?? 0.1;
    const ff = args.dimFeedforward ?? 2048;
    const eps = args.layerNormEps ?? 1e-5;
    this.normFirst = args.normFirst ?? false;
    this.selfAttn = this.registerModule(
      "self_attn",
      new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: args.batchFirst, seed }),
    );
    this.linear1 = this.registerModule("linear1", new Linear(dModel, ff, { seed: seed + 10 }));
    this.dropout = this.registerModule("dropout", new Dropout(p, { seed: seed + 20 }));
    this.linear2 = this.registerModule("linear2", new Linear(ff, dModel, { seed: seed + 30 }));
    this.norm1 = this.registerModule("norm1", new LayerNorm(dModel, { eps }));
    this.norm2 = this.registerModule("norm2", new LayerNorm(dModel, { eps }));
    this.dropout1 = this.registerModule("dropout1", new Dropout(p, { seed: seed + 40 }));
    this.dropout2 = this.registerModule("dropout2", new Dropout(p, { seed: seed + 50 }));
    this.activation = args.activation === "gelu" ? new GELU() : new ReLU();
  }

  forward(src: tf.Tensor, srcMask?: tf.Tensor, srcKeyPaddingMask?: tf.Tensor): tf.Tensor {
    const { output, weights } = this.run(src, srcMask, srcKeyPaddingMask);
    tf.dispose(weights);
    return output;
  }

  /** The output and this block's per-head attention weights `[batch, heads, seq, seq]`. */
  run(src: tf.Tensor, srcMask?: tf.Tensor, srcKeyPaddingMask?: tf.Tensor): EncoderResult {
    return tf.tidy(() => {
      const attend = (x: tf.Tensor) => {
        const { output, weights } = this.selfAttn.attend(x, x, x, {
          attnMask: srcMask,
          keyPaddingMask: srcKeyPaddingMask,
          averageAttnWeights: false,
        });
        return { y: this.dropout1.forward(output), weights };
      };
      const feedForward = (x: tf.Tensor) =>
        this.dropout2.forward(
          this.linear2.forward(this.dropout.forward(this.activation.forward(this.linear1.forward(x)))),
        );
      if (this.normFirst) {
        const { y, weights } = attend(this.norm1.forward(src));
        const x = src.add(y);
        return { output: x.add(feedForward(this.norm2.forward(x))), weights: [weights] };
      }
      const { y, weights } = attend(src);
      const x = this.norm1.forward(src.add(y));
      return { output: this.norm2.forward(x.add(feedForward(x))), weights: [weights] };
    }) as EncoderResult;
  }

  protected extraRepr(): string {
    return this.normFirst ? "norm_first=True" : "";
  }
}

/** Arguments of `nn.TransformerEncoder`. */
export interface TransformerEncoderArgs {
  /** A LayerNorm applied after the last layer (as PyTorch's `norm` argument). Default none. */
  norm?: LayerNorm;
}

/**
 * A stack of encoder layers, PyTorch's `nn.TransformerEncoder`; parameters
 * are named layers.0.self_attn.in_proj_weight, …, as in PyTorch.
 * `makeLayer(i)` builds layer i (PyTorch deep-copies one layer instead).
 *
 *   const encoder = new nn.TransformerEncoder((i) => new nn.TransformerEncoderLayer(32, 4, { batchFirst: true }), 2);
 */
export class TransformerEncoder extends Module {
  readonly layers: ModuleList<TransformerEncoderLayer>;
  readonly norm: LayerNorm | null;

  constructor(
    makeLayer: (index: number) => TransformerEncoderLayer,
    readonly numLayers: number,
    args: TransformerEncoderArgs = {},
  ) {
    super();
    this.layers = this.registerModule(
      "layers",
      new ModuleList(Array.from({ length: numLayers }, (_, i) => makeLayer(i))),
    );
    this.norm = args.norm ? this.registerModule("norm", args.norm) : null;
  }

  forward(src: tf.Tensor, mask?: tf.Tensor, srcKeyPaddingMask?: tf.Tensor): tf.Tensor {
    const { output, weights } = this.run(src, mask, srcKeyPaddingMask);
    tf.dispose(weights);
    return output;
  }

  /** The output and every layer's per-head attention weights, to draw attention maps. */
  run(src: tf.Tensor, mask?: tf.Tensor, srcKeyPaddingMask?: tf.Tensor): EncoderResult {
    return tf.tidy(() => {
      const weights: tf.Tensor[] = [];
      let x = src;
      for (const layer of this.layers.items) {
        const result = layer.run(x, mask, srcKeyPaddingMask);
        x = result.output;
        weights.push(...result.weights);
      }
      return { output: this.norm ? this.norm.forward(x) : x, weights };
    }) as EncoderResult;
  }
}
