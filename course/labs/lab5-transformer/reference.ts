/**
 * Lab 5's references, instructor side: what each public check's recorded
 * outputs come from. Where lib has the piece (scaled dot-product attention,
 * nn.MultiheadAttention, nn.TransformerEncoderLayer, nn.PositionalEncoding),
 * the reference is lib's, given the lab's interface, so that the notebook's
 * "the check compares your code with dlkit's own implementation" holds.
 */
import * as tf from "@tensorflow/tfjs";
import type {
  AlignmentFn,
  AttentionFn,
  AttentionOutput,
  EncoderBlockLike,
  LayerNormLike,
  LinearLike,
  MultiHeadAttentionLike,
  TransformerPredictorLike,
} from "../../../lib/check/labs/lab5-transformer";
import {
  LayerNorm,
  Linear,
  Module,
  MultiheadAttention,
  PositionalEncoding,
  scaledDotProductAttention as libAttention,
  TransformerEncoderLayer,
} from "../../../lib/nn";

/** Part 1: scores = Q Kᵀ, weights = softmax over the keys, output = weights V. */
export const alignment: AlignmentFn = (queries, keys, values) => {
  const scores = tf.matMul(queries, keys, false, true);
  const weights = tf.softmax(scores, -1);
  return { scores, weights, output: tf.matMul(weights, values) };
};

/** Part 2: lib's scaledDotProductAttention (a bool mask, true = may attend). */
export const scaledDotProductAttention: AttentionFn = (q, k, v, mask) =>
  libAttention(q, k, v, mask ? mask.cast("bool") : undefined);

function projectionState(m: MultiHeadAttentionLike, prefix: string): Record<string, tf.Tensor> {
  const bias = (p: LinearLike) => p.bias!;
  return {
    [`${prefix}in_proj_weight`]: tf.concat([m.qProj.weight, m.kProj.weight, m.vProj.weight], 0),
    [`${prefix}in_proj_bias`]: tf.concat([bias(m.qProj), bias(m.kProj), bias(m.vProj)], 0),
    [`${prefix}out_proj.weight`]: m.outProj.weight,
    [`${prefix}out_proj.bias`]: bias(m.outProj),
  };
}

/**
 * lib's masks say what is blocked (PyTorch's attn_mask: True = blocked); the
 * lab's say what may be attended to, [L, S] or [batch, 1, 1|L, S].
 */
function blockedMask(mask: tf.Tensor | undefined, heads: number, L: number): tf.Tensor | undefined {
  if (!mask) return undefined;
  const blocked = mask.cast("bool").logicalNot();
  if (blocked.rank === 2) return blocked;
  const [b, , , S] = blocked.shape;
  return blocked.broadcastTo([b, heads, L, S]).reshape([b * heads, L, S]);
}

/** Builds a lib module, loads `state` into it, runs `fn`, frees it. */
function withLib<M extends Module, R>(lib: M, state: Record<string, tf.Tensor>, fn: (lib: M) => R): R {
  try {
    lib.loadStateDict(state);
    lib.eval();
    return fn(lib);
  } finally {
    lib.dispose();
  }
}

/** Part 3: the lab's MultiHeadAttention (its four projections), computed by lib's nn.MultiheadAttention with the same weights. */
export class MultiHeadAttention extends Module {
  readonly qProj: Linear;
  readonly kProj: Linear;
  readonly vProj: Linear;
  readonly outProj: Linear;

  constructor(
    readonly dModel: number,
    readonly numHeads: number,
  ) {
    super();
    this.qProj = this.registerModule("q_proj", new Linear(dModel, dModel));
    this.kProj = this.registerModule("k_proj", new Linear(dModel, dModel));
    this.vProj = this.registerModule("v_proj", new Linear(dModel, dModel));
    this.outProj = this.registerModule("out_proj", new Linear(dModel, dModel));
  }

  attend(query: tf.Tensor, key: tf.Tensor = query, value: tf.Tensor = key, mask?: tf.Tensor): AttentionOutput {
    return tf.tidy(() => {
      const lib = new MultiheadAttention(this.dModel, this.numHeads, { batchFirst: true, seed: 0 });
      const { output, weights } = withLib(lib, projectionState(this, ""), (mha) =>
        mha.attend(query, key, value, {
          attnMask: blockedMask(mask, this.numHeads, query.shape[1] as number),
          averageAttnWeights: false,
        }),
      );
      return { output, weights };
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.attend(x).output);
  }
}

/** Part 4: lib's nn.PositionalEncoding table, read back through a zero input. */
export function sinusoidalEncoding(length: number, dModel: number): tf.Tensor {
  const pe = new PositionalEncoding(dModel, { maxLen: length, seed: 0 });
  try {
    return tf.tidy(() => pe.forward(tf.zeros([1, length, dModel])).squeeze([0]));
  } finally {
    pe.dispose();
  }
}

function blockState(b: EncoderBlockLike): Record<string, tf.Tensor> {
  const affine = (p: LayerNormLike) => [p.weight!, p.bias!];
  const [n1w, n1b] = affine(b.norm1);
  const [n2w, n2b] = affine(b.norm2);
  return {
    ...projectionState(b.selfAttn, "self_attn."),
    "linear1.weight": b.linear1.weight,
    "linear1.bias": b.linear1.bias!,
    "linear2.weight": b.linear2.weight,
    "linear2.bias": b.linear2.bias!,
    "norm1.weight": n1w,
    "norm1.bias": n1b,
    "norm2.weight": n2w,
    "norm2.bias": n2b,
  };
}

/** Part 5: the lab's EncoderBlock, computed by lib's nn.TransformerEncoderLayer (post-norm, ReLU, no dropout) with the same weights. */
export class EncoderBlock extends Module {
  readonly selfAttn: MultiHeadAttention;
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;

  constructor(
    readonly dModel: number,
    readonly numHeads: number,
    readonly dimFeedforward: number,
  ) {
    super();
    this.selfAttn = this.registerModule("self_attn", new MultiHeadAttention(dModel, numHeads));
    this.linear1 = this.registerModule("linear1", new Linear(dModel, dimFeedforward));
    this.linear2 = this.registerModule("linear2", new Linear(dimFeedforward, dModel));
    this.norm1 = this.registerModule("norm1", new LayerNorm(dModel));
    this.norm2 = this.registerModule("norm2", new LayerNorm(dModel));
  }

  attend(x: tf.Tensor, mask?: tf.Tensor): AttentionOutput {
    return tf.tidy(() => {
      const lib = new TransformerEncoderLayer(this.dModel, this.numHeads, {
        dimFeedforward: this.dimFeedforward,
        dropout: 0,
        batchFirst: true,
        seed: 0,
      });
      return withLib(lib, blockState(this), (layer) => {
        const { output, weights } = layer.run(x, blockedMask(mask, this.numHeads, x.shape[1] as number));
        return { output, weights: weights[0] };
      });
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.attend(x).output);
  }
}

/** Part 6: the predictor's parts, chained: head(blocks(positional(embed(tokens)))), every block's weights stacked on axis 1. */
export class TransformerPredictor implements TransformerPredictorLike {
  constructor(
    readonly embed: TransformerPredictorLike["embed"],
    readonly positional: TransformerPredictorLike["positional"],
    readonly layers: TransformerPredictorLike["layers"],
    readonly head: TransformerPredictorLike["head"],
  ) {}

  attend(tokens: tf.Tensor, mask?: tf.Tensor): { logits: tf.Tensor; weights: tf.Tensor } {
    return tf.tidy(() => {
      let x = this.positional.forward(this.embed.forward(tokens));
      const maps: tf.Tensor[] = [];
      for (const block of this.layers.items) {
        const { output, weights } = block.attend(x, mask);
        x = output;
        maps.push(weights);
      }
      return { logits: this.head.forward(x), weights: tf.stack(maps, 1) };
    });
  }
}

/** Part 7: the fraction of queries i whose most-attended key is L−1−i. */
export function antiDiagonalFraction(weights: tf.Tensor): number {
  return tf.tidy(() => {
    const L = weights.shape[weights.rank - 1];
    const reversed = tf.sub(L - 1, tf.range(0, L, 1, "int32"));
    return weights.argMax(-1).equal(reversed).toFloat().mean().dataSync()[0];
  });
}

/** Part 7: 1 where key j ≤ query i. */
export const causalMask = (length: number): tf.Tensor => tf.linalg.bandPart(tf.ones([length, length]), -1, 0);
