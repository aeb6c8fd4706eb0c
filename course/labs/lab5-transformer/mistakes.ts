/**
 * Lab 5's catalogue of typical mistakes, instructor side: each a complete
 * wrong implementation and the hint for a student whose outputs equal its
 * outputs. Release records what each computes on the public seeds.
 */
import * as tf from "@tensorflow/tfjs";
import type {
  AlignmentFn,
  AttentionFn,
  AttentionOutput,
  EncoderBlockClass,
  LayerNormLike,
  LinearLike,
  MultiHeadAttentionClass,
  MultiHeadAttentionLike,
  TransformerPredictorClass,
} from "../../../lib/check/labs/lab5-transformer";
import type { Mistake } from "../../lab";
import * as reference from "./reference";

// ---------------------------------------------------------------- part 1

export const alignment: Mistake<AlignmentFn>[] = [
  {
    hint: "the weights sum to 1 over the queries: take the softmax over the keys, the last axis (tf.softmax(scores, -1))",
    fn: (q, k, v) => {
      const scores = tf.matMul(q, k, false, true);
      const weights = tf.softmax(scores.transpose()).transpose();
      return { scores, weights, output: tf.matMul(weights, v) };
    },
  },
  {
    hint: "the output sums the values with the raw scores: turn the scores into weights with a softmax first",
    fn: (q, k, v) => {
      const scores = tf.matMul(q, k, false, true);
      return { scores, weights: tf.softmax(scores, -1), output: tf.matMul(scores, v) };
    },
  },
  {
    hint: "weights = scores / sum(scores) is not a softmax: use exp (tf.softmax), which also keeps negative scores positive",
    fn: (q, k, v) => {
      const scores = tf.matMul(q, k, false, true);
      const weights = scores.div(scores.sum(-1, true));
      return { scores, weights, output: tf.matMul(weights, v) };
    },
  },
  {
    hint: "the scores compare the queries with the values: compare them with the keys (scores = Q Kᵀ)",
    fn: (q, _k, v) => reference.alignment(q, v, v),
  },
];

// ---------------------------------------------------------------- part 2

interface AttentionVariant {
  scale?: number;
  softmaxAxis?: number;
  keysFirst?: boolean;
  maskAfterSoftmax?: boolean;
  maskWithZero?: boolean;
}

function swapLast2(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return x.transpose(perm);
}

/** Scaled dot-product attention, right (variant {}) or with one known mistake. */
function attentionWith(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask: tf.Tensor | undefined,
  variant: AttentionVariant = {},
): AttentionOutput {
  const d = q.shape[q.rank - 1];
  const raw = variant.keysFirst ? tf.matMul(k, q, false, true) : tf.matMul(q, k, false, true);
  let scores = raw.mul(variant.scale ?? 1 / Math.sqrt(d));
  const allowed = mask?.cast("bool").broadcastTo(scores.shape);
  if (allowed && variant.maskWithZero) scores = scores.mul(allowed.cast("float32"));
  else if (allowed && !variant.maskAfterSoftmax) scores = tf.where(allowed, scores, tf.fill(scores.shape, -Infinity));
  let weights = tf.softmax(variant.softmaxAxis === -2 ? swapLast2(scores) : scores);
  if (variant.softmaxAxis === -2) weights = swapLast2(weights);
  if (allowed && variant.maskAfterSoftmax) weights = weights.mul(allowed.cast("float32"));
  return { output: tf.matMul(weights, v), weights };
}

export const scaledDotProductAttention: Mistake<AttentionFn>[] = [
  {
    hint: "missing the 1/√d scale: divide the scores Q Kᵀ by √d_k (d_k = q's last axis) before the softmax",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask, { scale: 1 }),
  },
  {
    hint: "scaled by 1/d instead of 1/√d: divide by Math.sqrt(d_k)",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask, { scale: 1 / q.shape[q.rank - 1] }),
  },
  {
    hint: "softmax over the wrong axis: each query's weights must sum to 1 over the keys, the last axis (tf.softmax(scores, -1))",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask, { softmaxAxis: -2 }),
  },
  {
    hint: "transposed K: the scores are K Qᵀ, one row per key; compute Q Kᵀ (tf.matMul(q, k, false, true)), one row per query",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask, { keysFirst: true }),
  },
  {
    hint: "mask applied after the softmax: the weights no longer sum to 1; fill blocked scores with -Infinity, then take the softmax",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask, { maskAfterSoftmax: true }),
  },
  {
    hint: "blocked keys still get weight: a score of 0 is not blocked (e⁰ = 1); fill blocked scores with -Infinity (tf.where) before the softmax",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask, { maskWithZero: true }),
  },
  {
    hint: "mask inverted: here 1 means 'may attend' (F.scaled_dot_product_attention), the opposite of nn.MultiheadAttention's attn_mask (True = blocked)",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask?.cast("bool").logicalNot()),
  },
];

// ---------------------------------------------------------------- part 3

interface MhaVariant {
  splitWithoutTranspose?: boolean;
  mergeWithoutTranspose?: boolean;
  scaleByModelDim?: boolean;
  noOutputProjection?: boolean;
}

const linear = (x: tf.Tensor, p: LinearLike) => {
  const [outFeatures, inFeatures] = p.weight.shape as [number, number];
  const y = tf
    .matMul(x.reshape([-1, inFeatures]), p.weight, false, true)
    .reshape([...x.shape.slice(0, -1), outFeatures]);
  return p.bias ? y.add(p.bias) : y;
};

/** Multi-head attention from a module's projection weights, with one known mistake. */
function multiHeadWith(
  m: MultiHeadAttentionLike,
  heads: number,
  query: tf.Tensor,
  key: tf.Tensor,
  value: tf.Tensor,
  mask: tf.Tensor | undefined,
  variant: MhaVariant,
): AttentionOutput {
  const [batch, L, E] = query.shape;
  const dh = E / heads;
  const split = (x: tf.Tensor) =>
    variant.splitWithoutTranspose
      ? x.reshape([batch, heads, -1, dh])
      : x.reshape([batch, -1, heads, dh]).transpose([0, 2, 1, 3]);
  const q = split(linear(query, m.qProj));
  const k = split(linear(key, m.kProj));
  const v = split(linear(value, m.vProj));
  const scale = variant.scaleByModelDim ? 1 / Math.sqrt(E) : 1 / Math.sqrt(dh);
  const { output, weights } = attentionWith(q, k, v, mask, { scale });
  const merged = variant.mergeWithoutTranspose
    ? output.reshape([batch, L, E])
    : output.transpose([0, 2, 1, 3]).reshape([batch, L, E]);
  return { output: variant.noOutputProjection ? merged : linear(merged, m.outProj), weights };
}

/** The reference's class with `attend` replaced by one with the mistake. */
function multiHeadClass(variant: MhaVariant): MultiHeadAttentionClass {
  return class extends reference.MultiHeadAttention {
    attend(query: tf.Tensor, key: tf.Tensor = query, value: tf.Tensor = key, mask?: tf.Tensor): AttentionOutput {
      return tf.tidy(() => {
        const { output, weights } = multiHeadWith(this, this.numHeads, query, key, value, mask, variant);
        return { output, weights };
      });
    }
  };
}

export const multiHeadAttention: Mistake<MultiHeadAttentionClass>[] = [
  {
    hint: "heads merged in the wrong order: [batch, heads, L, dh] must become [batch, L, heads, dh] (transpose([0, 2, 1, 3])) before the reshape to [batch, L, dModel]",
    fn: multiHeadClass({ mergeWithoutTranspose: true }),
  },
  {
    hint: "heads split in the wrong order: reshape [batch, L, dModel] to [batch, L, heads, dh] first, then transpose([0, 2, 1, 3]) to [batch, heads, L, dh]",
    fn: multiHeadClass({ splitWithoutTranspose: true }),
  },
  {
    hint: "split and merge reshape without transposing: reshape to [batch, L, heads, dh], then transpose([0, 2, 1, 3]) (and back when merging)",
    fn: multiHeadClass({ splitWithoutTranspose: true, mergeWithoutTranspose: true }),
  },
  {
    hint: "scaled by 1/√dModel: each head's scores are scaled by 1/√(dModel / heads), the size of one head",
    fn: multiHeadClass({ scaleByModelDim: true }),
  },
  {
    hint: "the output projection is missing: apply outProj to the merged heads",
    fn: multiHeadClass({ noOutputProjection: true }),
  },
];

// ---------------------------------------------------------------- part 4

interface SineVariant {
  swap?: boolean;
  halves?: boolean;
  exponentPerDim?: boolean;
  fromOne?: boolean;
}

function sinusoidalWith(length: number, dModel: number, variant: SineVariant): tf.Tensor {
  const values = new Float32Array(length * dModel);
  for (let pos = 0; pos < length; pos++) {
    for (let i = 0; i < dModel; i += 2) {
      const exponent = variant.exponentPerDim ? i / 2 / dModel : i / dModel;
      const angle = (variant.fromOne ? pos + 1 : pos) / 10000 ** exponent;
      const [a, b] = variant.swap ? [Math.cos(angle), Math.sin(angle)] : [Math.sin(angle), Math.cos(angle)];
      if (variant.halves) {
        values[pos * dModel + i / 2] = a;
        values[pos * dModel + dModel / 2 + i / 2] = b;
      } else {
        values[pos * dModel + i] = a;
        values[pos * dModel + i + 1] = b;
      }
    }
  }
  return tf.tensor2d(values, [length, dModel]);
}

type SineFn = (length: number, dModel: number) => tf.Tensor;

export const sinusoidalEncoding: Mistake<SineFn>[] = [
  {
    hint: "sin and cos swapped: even columns 2i get sin, odd columns 2i+1 get cos",
    fn: (L, d) => sinusoidalWith(L, d, { swap: true }),
  },
  {
    hint: "sin in the first half and cos in the second: interleave them instead (column 2i sin, column 2i+1 cos)",
    fn: (L, d) => sinusoidalWith(L, d, { halves: true }),
  },
  {
    hint: "frequencies too close together: the exponent is 2i/dModel for the pair (2i, 2i+1), not i/dModel",
    fn: (L, d) => sinusoidalWith(L, d, { exponentPerDim: true }),
  },
  {
    hint: "positions counted from 1: the first token is at position 0 (its row is sin 0 = 0, cos 0 = 1)",
    fn: (L, d) => sinusoidalWith(L, d, { fromOne: true }),
  },
];

// ---------------------------------------------------------------- part 5

interface BlockVariant {
  noAttentionResidual?: boolean;
  noFeedForwardResidual?: boolean;
  preNorm?: boolean;
  noActivation?: boolean;
}

function layerNorm(x: tf.Tensor, p: LayerNormLike): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  let y = x.sub(mean).div(variance.add(1e-5).sqrt());
  if (p.weight) y = y.mul(p.weight);
  return p.bias ? y.add(p.bias) : y;
}

/** The reference's block with `attend` replaced by one with the mistake (its attention is right). */
function encoderBlockClass(variant: BlockVariant): EncoderBlockClass {
  return class extends reference.EncoderBlock {
    attend(x: tf.Tensor, mask?: tf.Tensor): AttentionOutput {
      return tf.tidy(() => {
        const attend = (h: tf.Tensor) => this.selfAttn.attend(h, h, h, mask);
        const feedForward = (h: tf.Tensor) => {
          const hidden = linear(h, this.linear1);
          return linear(variant.noActivation ? hidden : hidden.relu(), this.linear2);
        };
        if (variant.preNorm) {
          const { output, weights } = attend(layerNorm(x, this.norm1));
          const h = x.add(output);
          return { output: h.add(feedForward(layerNorm(h, this.norm2))), weights };
        }
        const { output, weights } = attend(x);
        const h = layerNorm(variant.noAttentionResidual ? output : x.add(output), this.norm1);
        const f = feedForward(h);
        return { output: layerNorm(variant.noFeedForwardResidual ? f : h.add(f), this.norm2), weights };
      });
    }
  };
}

export const encoderBlock: Mistake<EncoderBlockClass>[] = [
  {
    hint: "the skip connection around attention is missing: norm1(x + attention(x)), not norm1(attention(x))",
    fn: encoderBlockClass({ noAttentionResidual: true }),
  },
  {
    hint: "the skip connection around the MLP is missing: norm2(h + mlp(h)), not norm2(mlp(h))",
    fn: encoderBlockClass({ noFeedForwardResidual: true }),
  },
  {
    hint: "both skip connections are missing: add the block's input back before each LayerNorm",
    fn: encoderBlockClass({ noAttentionResidual: true, noFeedForwardResidual: true }),
  },
  {
    hint: "layer norm before the sublayer (pre-norm, x + attention(norm1(x))): this lab's block, like the original Transformer and PyTorch's default, normalises after the skip: norm1(x + attention(x))",
    fn: encoderBlockClass({ preNorm: true }),
  },
  { hint: "the MLP has no non-linearity: linear2(relu(linear1(h)))", fn: encoderBlockClass({ noActivation: true }) },
];

// ---------------------------------------------------------------- part 6

interface PredictorVariant {
  noPositions?: boolean;
  blocksOnEmbeddings?: boolean;
  stackOnAxis0?: boolean;
  maskDropped?: boolean;
}

function predictorClass(variant: PredictorVariant): TransformerPredictorClass {
  return class extends reference.TransformerPredictor {
    attend(tokens: tf.Tensor, mask?: tf.Tensor): { logits: tf.Tensor; weights: tf.Tensor } {
      return tf.tidy(() => {
        const embedded = this.embed.forward(tokens);
        const first = variant.noPositions ? embedded : this.positional.forward(embedded);
        let x = first;
        const maps: tf.Tensor[] = [];
        for (const block of this.layers.items) {
          const { output, weights } = block.attend(
            variant.blocksOnEmbeddings ? first : x,
            variant.maskDropped ? undefined : mask,
          );
          x = output;
          maps.push(weights);
        }
        return { logits: this.head.forward(x), weights: tf.stack(maps, variant.stackOnAxis0 ? 0 : 1) };
      });
    }
  };
}

export const transformerPredictor: Mistake<TransformerPredictorClass>[] = [
  {
    hint: "the logits ignore the positions: add the positional encoding to the embeddings before the first block: this.positional.forward(this.embed.forward(tokens))",
    fn: predictorClass({ noPositions: true }),
  },
  {
    hint: "every block reads the embeddings: run the blocks one after the other on x (x = block.attend(x).output), and the head on the last block's output",
    fn: predictorClass({ blocksOnEmbeddings: true }),
  },
  {
    hint: "stack the layers' weights on axis 1: tf.stack(maps, 1) gives [batch, layers, heads, L, L]",
    fn: predictorClass({ stackOnAxis0: true }),
  },
  {
    hint: "the mask does not reach the blocks: pass it on, block.attend(x, mask)",
    fn: predictorClass({ maskDropped: true }),
  },
];

// ---------------------------------------------------------------- part 7

type FractionFn = (weights: tf.Tensor) => number;

const fractionAt = (weights: tf.Tensor, axis: number, diagonal: boolean): number =>
  tf.tidy(() => {
    const L = weights.shape[weights.rank - 1];
    const target = diagonal ? tf.range(0, L, 1, "int32") : tf.sub(L - 1, tf.range(0, L, 1, "int32"));
    return weights.argMax(axis).equal(target).toFloat().mean().dataSync()[0];
  });

export const antiDiagonalFraction: Mistake<FractionFn>[] = [
  {
    hint: "that counts the diagonal (key i): the reversal's key for query i is L − 1 − i",
    fn: (w) => fractionAt(w, -1, true),
  },
  {
    hint: "arg-max over the queries: each query's most-attended key is the arg-max of its row, the last axis (argMax(-1))",
    fn: (w) => fractionAt(w, -2, false),
  },
];

export const causalMask: Mistake<(length: number) => tf.Tensor>[] = [
  {
    hint: "that lets each query see the future: keep the lower triangle (key j ≤ query i), tf.linalg.bandPart(ones, -1, 0)",
    fn: (L) => tf.linalg.bandPart(tf.ones([L, L]), 0, -1),
  },
  {
    hint: "the diagonal is blocked: a token may attend to itself (j ≤ i, not j < i)",
    fn: (L) => tf.linalg.bandPart(tf.ones([L, L]), -1, 0).sub(tf.eye(L)),
  },
];
