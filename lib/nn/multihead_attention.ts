import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import * as F from "./functional";
import { xavierUniform } from "./init";
import { Linear } from "./linear";
import { Module } from "./module";
import { nextSeed } from "./random";
import { AttentionResult, scaledDotProductAttention } from "./scaled_dot_product_attention";
import { check, checkFloat, checkRank, showShape } from "./shapes";

/** Arguments of `nn.MultiheadAttention`. */
export interface MultiheadAttentionArgs {
  /** Dropout on the attention weights, in training. Default 0. */
  dropout?: number;
  /** Biases of the input and output projections. Default true. */
  bias?: boolean;
  /** Tensors are `[batch, seq, E]` instead of `[seq, batch, E]`. Default false, as in PyTorch. */
  batchFirst?: boolean;
  /** Seed of the initial weights and dropout masks. Default: from `manualSeed`'s sequence. */
  seed?: number;
}

/** Options of `MultiheadAttention`'s `attend`. */
export interface AttendOptions {
  /** bool `[batch, S]`: true marks padding keys that no query may attend to. */
  keyPaddingMask?: tf.Tensor;
  /** `[L, S]` or `[batch·heads, L, S]`: bool (true = blocked) or float (added to the scores). */
  attnMask?: tf.Tensor;
  /** Average the weights over heads (`[batch, L, S]`) or keep them per head (`[batch, heads, L, S]`). Default true. */
  averageAttnWeights?: boolean;
}

/**
 * MultiHead(Q, K, V) = Concat(head₁, …, head_h) W_Oᵀ + b_O, with
 * headᵢ = Attention(Q W_Qᵢᵀ + b_Qᵢ, K W_Kᵢᵀ + b_Kᵢ, V W_Vᵢᵀ + b_Vᵢ) — PyTorch's
 * `nn.MultiheadAttention`, with its parameters: `in_proj_weight` `[3E, E]`
 * (W_Q, W_K, W_V stacked), `in_proj_bias` `[3E]`, and the Linear `out_proj`.
 * Each head works on E/h of the embedding.
 *
 * Masks use PyTorch's MultiheadAttention convention (true = blocked):
 *   - attnMask `[L, S]` or `[batch·heads, L, S]`: bool (true = may not attend) or float (added);
 *   - keyPaddingMask `[batch, S]`: bool, true for padding keys to ignore.
 *
 * Shape: query `[batch, L, E]`, key and value `[batch, S, E]` with batchFirst
 * (else `[L, batch, E]`, `[S, batch, E]`) → output like the query; weights
 * `[batch, L, S]` (averaged over heads) or `[batch, heads, L, S]`.
 *
 *   const mha = new nn.MultiheadAttention(32, 4, { batchFirst: true });
 *   const { output, weights } = mha.attend(x, x, x, { averageAttnWeights: false });
 */
export class MultiheadAttention extends Module {
  readonly inProjWeight: tf.Variable;
  readonly inProjBias: tf.Variable | null;
  readonly outProj: Linear;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  private readonly seed: number;
  private dropoutCalls = 0;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    args: MultiheadAttentionArgs = {},
  ) {
    super();
    if (embedDim % numHeads !== 0) {
      throw new Error(
        `MultiheadAttention: embedDim=${embedDim} is not divisible by numHeads=${numHeads}; each head gets embedDim / numHeads features`,
      );
    }
    this.headDim = embedDim / numHeads;
    this.dropout = args.dropout ?? 0;
    this.batchFirst = args.batchFirst ?? false;
    this.seed = args.seed ?? nextSeed();
    this.inProjWeight = this.registerParameter("in_proj_weight", xavierUniform([3 * embedDim, embedDim], this.seed));
    this.inProjBias = args.bias === false ? null : this.registerParameter("in_proj_bias", tf.zeros([3 * embedDim]));
    this.outProj = this.registerModule(
      "out_proj",
      new Linear(embedDim, embedDim, { bias: args.bias, seed: this.seed + 1 }),
    );
    if (this.outProj.bias) tf.tidy(() => this.outProj.bias!.assign(tf.zerosLike(this.outProj.bias!)));
  }

  /** Self-attention when only the query is given; returns the output only (see `attend` for the weights). */
  forward(query: tf.Tensor, key?: tf.Tensor, value?: tf.Tensor): tf.Tensor {
    const { output, weights } = this.attend(query, key, value);
    weights.dispose();
    return output;
  }

  /** The output and the attention weights (key defaults to the query, value to the key). */
  attend(
    query: tf.Tensor,
    key: tf.Tensor = query,
    value: tf.Tensor = key,
    options: AttendOptions = {},
  ): AttentionResult {
    const layer = `MultiheadAttention(${this.embedDim}, heads=${this.numHeads})`;
    const layout = this.batchFirst ? "[batch, seq, embedDim]" : "[seq, batch, embedDim] (or set batchFirst: true)";
    for (const [name, x] of [
      ["query", query],
      ["key", key],
      ["value", value],
    ] as const) {
      checkFloat(x, layer);
      checkRank(x, [3], layer, layout);
      check(
        x.shape[2] === this.embedDim,
        layer,
        () => `${name} has shape ${showShape(x.shape)}, expected last axis ${this.embedDim} — layout ${layout}`,
      );
    }
    return tf.tidy(() => {
      const [q, k, v] = [query, key, value].map((x) => (this.batchFirst ? x : x.transpose([1, 0, 2])));
      const [batch, L] = q.shape as number[];
      const S = k.shape[1] as number;
      check(
        v.shape[1] === S && k.shape[0] === batch && v.shape[0] === batch,
        layer,
        () => `key ${showShape(key.shape)} and value ${showShape(value.shape)} must have the same batch and length`,
      );
      const heads = (projected: tf.Tensor) =>
        projected.reshape([batch, -1, this.numHeads, this.headDim]).transpose([0, 2, 1, 3]); // [batch, heads, seq, headDim]
      let qkv: tf.Tensor[];
      if (query === key && key === value) {
        // Self-attention: one product with the packed in_proj weight, as PyTorch does, then one transpose to
        // [3, batch, heads, seq, headDim], whose three parts are contiguous: cut apart without a copy.
        const packed = F.linear(q.reshape([-1, this.embedDim]), this.inProjWeight, this.inProjBias);
        qkv = tf.unstack(packed.reshape([batch, L, 3, this.numHeads, this.headDim]).transpose([2, 0, 3, 1, 4]));
      } else {
        const weights = tf.split(this.inProjWeight, 3, 0);
        const biases = this.inProjBias ? tf.split(this.inProjBias, 3, 0) : [null, null, null];
        qkv = [q, k, v].map((x, i) => heads(F.linear(x.reshape([-1, this.embedDim]), weights[i], biases[i])));
      }
      const mask = this.combinedMask(options, batch, L, S, layer);
      const dropout =
        this.training && this.dropout > 0 ? { p: this.dropout, seed: this.seed + 2 + this.dropoutCalls++ } : undefined;
      const attention = scaledDotProductAttention(qkv[0], qkv[1], qkv[2], mask, dropout);
      const merged = attention.output.transpose([0, 2, 1, 3]).reshape([batch, L, this.embedDim]);
      const out = this.outProj.forward(merged);
      const weights = options.averageAttnWeights === false ? attention.weights : attention.weights.mean(1);
      return { output: this.batchFirst ? out : out.transpose([1, 0, 2]), weights };
    });
  }

  /** Both masks as one additive float mask `[batch, heads, L, S]` (−∞ where blocked), or undefined. */
  private combinedMask(
    options: AttendOptions,
    batch: number,
    L: number,
    S: number,
    layer: string,
  ): tf.Tensor | undefined {
    const additive = (m: tf.Tensor) =>
      m.dtype === "float32" ? m : tf.where(m.cast("bool"), tf.fill(m.shape, -Infinity), tf.zeros(m.shape));
    let mask: tf.Tensor | undefined;
    const { attnMask, keyPaddingMask } = options;
    if (attnMask) {
      const ok =
        tf.util.arraysEqual(attnMask.shape, [L, S]) ||
        tf.util.arraysEqual(attnMask.shape, [batch * this.numHeads, L, S]);
      check(
        ok,
        layer,
        () =>
          `attnMask has shape ${showShape(attnMask.shape)}, expected [L, S] = ${showShape([L, S])} or [batch·heads, L, S]`,
      );
      mask = attnMask.rank === 2 ? additive(attnMask) : additive(attnMask).reshape([batch, this.numHeads, L, S]);
    }
    if (keyPaddingMask) {
      check(
        tf.util.arraysEqual(keyPaddingMask.shape, [batch, S]),
        layer,
        () =>
          `keyPaddingMask has shape ${showShape(keyPaddingMask.shape)}, expected [batch, S] = ${showShape([batch, S])}`,
      );
      const padding = additive(keyPaddingMask).reshape([batch, 1, 1, S]);
      mask = mask ? mask.add(padding) : padding;
    }
    return mask;
  }

  protected extraRepr(): string {
    return `embed_dim=${this.embedDim}, num_heads=${this.numHeads}`;
  }
}
