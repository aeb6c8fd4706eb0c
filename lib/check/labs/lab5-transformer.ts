/**
 * Lab 5's checks: a transformer from scratch. Each compares a student's
 * piece with lib's own implementation (same weights), prints one line, and
 * names the likely mistake when it differs.
 *
 *   check.assertOk(check.lab5.scaledDotProductAttention(scaledDotProductAttention));
 *   // ✔ scaledDotProductAttention: matches the reference on 3 random inputs
 *
 * `{ thorough: true }` tries more shapes (a heads axis, L ≠ S, other sizes):
 * what a grader's hidden tests run.
 */
import * as tf from "@tensorflow/tfjs";
import { MultiheadAttention } from "../../nn/multihead_attention";
import { PositionalEncoding } from "../../nn/positional_encoding";
import { scaledDotProductAttention as libAttention } from "../../nn/scaled_dot_product_attention";
import { TransformerEncoderLayer } from "../../nn/transformer";
import { checkFunction, Mistake, thrown } from "../checkFunction";
import { asNotImplemented, NotImplementedError } from "../notImplemented";
import { report, Verdict } from "../verdict";

export interface Lab5CheckOptions {
  /** More shapes and seeds than the visible check: for hidden tests. Default false. */
  thorough?: boolean;
}

export interface AttentionOutput {
  output: tf.Tensor;
  weights: tf.Tensor;
}

/** Q, K, V (and a 0/1 mask, 1 = may attend) → the output and the weights. */
export type AttentionFn = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask?: tf.Tensor) => AttentionOutput;

export interface LinearLike {
  weight: tf.Tensor;
  bias: tf.Tensor | null;
}

export interface LayerNormLike {
  weight: tf.Tensor | null;
  bias: tf.Tensor | null;
}

interface Disposable {
  parameters(): tf.Variable[];
  dispose(): void;
}

/** The lab's MultiHeadAttention: four projections and `attend`. */
export interface MultiHeadAttentionLike extends Disposable {
  qProj: LinearLike;
  kProj: LinearLike;
  vProj: LinearLike;
  outProj: LinearLike;
  attend(query: tf.Tensor, key?: tf.Tensor, value?: tf.Tensor, mask?: tf.Tensor): AttentionOutput;
}

/** The lab's EncoderBlock: PyTorch's TransformerEncoderLayer names. */
export interface EncoderBlockLike extends Disposable {
  selfAttn: MultiHeadAttentionLike;
  linear1: LinearLike;
  linear2: LinearLike;
  norm1: LayerNormLike;
  norm2: LayerNormLike;
  attend(x: tf.Tensor, mask?: tf.Tensor): AttentionOutput;
}

/** The lab's TransformerPredictor: tokens → logits and every layer's attention. */
export interface TransformerPredictorLike {
  embed: { forward(tokens: tf.Tensor): tf.Tensor };
  positional: { forward(x: tf.Tensor): tf.Tensor };
  layers: { items: EncoderBlockLike[] };
  head: { forward(x: tf.Tensor): tf.Tensor };
  attend(tokens: tf.Tensor, mask?: tf.Tensor): { logits: tf.Tensor; weights: tf.Tensor };
}

// "every component matches lib's implementation (same weights) to 1e-5"
const TOLERANCE = { rtol: 1e-5, atol: 1e-5 };

const randn = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed);

/** Calls the student's code, turning a stub's error into NotImplementedError and adding a hint to known errors. */
function guarded<A extends unknown[], R>(fn: (...args: A) => R, explain?: (message: string) => string | undefined): (...args: A) => R {
  return (...args: A) => {
    try {
      return fn(...args);
    } catch (err) {
      const e = asNotImplemented(err) ?? err;
      if (e instanceof Error && !(e instanceof NotImplementedError) && explain) {
        const why = explain(e.message);
        if (why) e.message = `${e.message.split("\n")[0]} (${why})`;
      }
      throw e;
    }
  };
}

const SOFTMAX_LAST_AXIS = "tf.softmax works on the last axis only, which is the keys' axis here: tf.softmax(scores) or tf.softmax(scores, -1)";
const explainSoftmaxError = (message: string) => (/softmax along a non-last dimension/i.test(message) ? SOFTMAX_LAST_AXIS : undefined);

const causal = (L: number) => tf.linalg.bandPart(tf.ones([L, L]), -1, 0);

/** Keys each sequence may attend to: the last `blocked[b]` keys of sequence b are padding. */
function padding(batch: number, S: number, blocked: number[]): tf.Tensor {
  const rows = Array.from({ length: batch }, (_, b) => Array.from({ length: S }, (_, j) => (j < S - blocked[b] ? 1 : 0)));
  return tf.tensor(rows, [batch, 1, S]);
}

// ---------------------------------------------------------------- part 1

export type AlignmentFn = (queries: tf.Tensor, keys: tf.Tensor, values: tf.Tensor) => { scores: tf.Tensor; weights: tf.Tensor; output: tf.Tensor };

function alignmentReference(queries: tf.Tensor, keys: tf.Tensor, values: tf.Tensor) {
  const scores = tf.matMul(queries, keys, false, true);
  const weights = tf.softmax(scores, -1);
  return { scores, weights, output: tf.matMul(weights, values) };
}

/** Part 1: scores = Q Kᵀ, weights = softmax over the keys, output = weights V. */
export function alignment(student: AlignmentFn, options: Lab5CheckOptions = {}): Verdict {
  const n = options.thorough ? 7 : 5;
  const hints: Mistake<[tf.Tensor, tf.Tensor, tf.Tensor]>[] = [
    {
      hint: "the weights sum to 1 over the queries: take the softmax over the keys, the last axis (tf.softmax(scores, -1))",
      mistake: (q, k, v) => {
        const scores = tf.matMul(q, k, false, true);
        const weights = tf.softmax(scores.transpose()).transpose();
        return { scores, weights, output: tf.matMul(weights, v) };
      },
    },
    {
      hint: "the output sums the values with the raw scores: turn the scores into weights with a softmax first",
      mistake: (q, k, v) => {
        const scores = tf.matMul(q, k, false, true);
        return { scores, weights: tf.softmax(scores, -1), output: tf.matMul(scores, v) };
      },
    },
    {
      hint: "weights = scores / sum(scores) is not a softmax: use exp (tf.softmax), which also keeps negative scores positive",
      mistake: (q, k, v) => {
        const scores = tf.matMul(q, k, false, true);
        const weights = scores.div(scores.sum(-1, true));
        return { scores, weights, output: tf.matMul(weights, v) };
      },
    },
    {
      hint: "the scores compare the queries with the values: compare them with the keys (scores = Q Kᵀ)",
      mistake: (q, _k, v) => alignmentReference(q, v, v),
    },
  ];
  return checkFunction(guarded(student, explainSoftmaxError), alignmentReference, {
    name: "alignment",
    trials: options.thorough ? 5 : 3,
    ...TOLERANCE,
    // Values as wide as the keys, so that a student who mixes them up gets a wrong number, not a shape error.
    inputs: (seed) => [randn([3, 4], seed), randn([n, 4], seed + 100), randn([n, 4], seed + 200)],
    hints,
  });
}

// ---------------------------------------------------------------- part 2

const libAttentionWithMask: AttentionFn = (q, k, v, mask) => libAttention(q, k, v, mask ? mask.cast("bool") : undefined);

/** The attention mistakes students make, each a complete wrong implementation. */
export const attentionMistakes: Record<string, { fn: AttentionFn; hint: string }> = {
  missingScale: {
    hint: "missing the 1/√d scale: divide the scores Q Kᵀ by √d_k (d_k = q's last axis) before the softmax",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask, { scale: 1 }),
  },
  scaleByD: {
    hint: "scaled by 1/d instead of 1/√d: divide by Math.sqrt(d_k)",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask, { scale: 1 / q.shape[q.rank - 1] }),
  },
  softmaxOverQueries: {
    hint: "softmax over the wrong axis: each query's weights must sum to 1 over the keys, the last axis (tf.softmax(scores, -1))",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask, { softmaxAxis: -2 }),
  },
  keysTimesQueries: {
    hint: "transposed K: the scores are K Qᵀ, one row per key; compute Q Kᵀ (tf.matMul(q, k, false, true)), one row per query",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask, { keysFirst: true }),
  },
  maskAfterSoftmax: {
    hint: "mask applied after the softmax: the weights no longer sum to 1; fill blocked scores with -Infinity, then take the softmax",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask, { maskAfterSoftmax: true }),
  },
  maskWithZero: {
    hint: "blocked keys still get weight: a score of 0 is not blocked (e⁰ = 1); fill blocked scores with -Infinity (tf.where) before the softmax",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask, { maskWithZero: true }),
  },
  maskInverted: {
    hint: "mask inverted: here 1 means 'may attend' (F.scaled_dot_product_attention), the opposite of nn.MultiheadAttention's attn_mask (True = blocked)",
    fn: (q, k, v, mask) => attentionWith(q, k, v, mask?.cast("bool").logicalNot()),
  },
};

interface AttentionVariant {
  scale?: number;
  softmaxAxis?: number;
  keysFirst?: boolean;
  maskAfterSoftmax?: boolean;
  maskWithZero?: boolean;
}

function attentionWith(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask: tf.Tensor | undefined, variant: AttentionVariant = {}): AttentionOutput {
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

function swapLast2(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return x.transpose(perm);
}

/** Trial t's inputs: no mask, a causal mask, padding with L ≠ S; thorough adds a heads axis and other sizes. */
function attentionInputs(thorough: boolean) {
  return (seed: number): [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor?] => {
    const trial = seed % 100;
    const r = (shape: number[], offset: number) => randn(shape, seed * 7 + offset);
    switch (trial) {
      case 0:
        return [r([2, 5, 8], 1), r([2, 5, 8], 2), r([2, 5, 8], 3)];
      case 1:
        return [r([2, 6, 8], 1), r([2, 6, 8], 2), r([2, 6, 3], 3), causal(6)];
      case 2:
        return [r([2, 4, 8], 1), r([2, 6, 8], 2), r([2, 6, 5], 3), padding(2, 6, [0, 2])];
      case 3:
        // A heads axis, as multi-head attention calls it: [batch, heads, L, d].
        return [r([2, 3, 5, 4], 1), r([2, 3, 5, 4], 2), r([2, 3, 5, 4], 3), causal(5)];
      default:
        return [r([1, 2, 7, 16], 1), r([1, 2, 7, 16], 2), r([1, 2, 7, 16], 3)];
    }
  };
}

const explainAttentionError = (message: string): string | undefined => {
  if (/softmax along a non-last dimension/i.test(message)) return SOFTMAX_LAST_AXIS;
  if (/perm|rank/i.test(message)) return "k.transpose([0, 2, 1]) only fits 3-D inputs: swap just the last two axes, tf.matMul(q, k, false, true), so a heads axis works too";
  if (/inner (shapes|dimensions)|must match/i.test(message)) return "Q Kᵀ needs K transposed on its last two axes: tf.matMul(q, k, false, true)";
  return undefined;
};

/** Part 2: softmax(Q Kᵀ / √d_k, masked) V, against lib's nn.scaledDotProductAttention. */
export function scaledDotProductAttention(student: AttentionFn, options: Lab5CheckOptions = {}): Verdict {
  return checkFunction(guarded(student, explainAttentionError), libAttentionWithMask, {
    name: "scaledDotProductAttention",
    trials: options.thorough ? 5 : 3,
    ...TOLERANCE,
    inputs: attentionInputs(options.thorough ?? false),
    hints: Object.values(attentionMistakes).map(({ fn, hint }) => ({ hint, mistake: fn })),
  });
}

// ---------------------------------------------------------------- part 3

interface MhaVariant {
  splitWithoutTranspose?: boolean;
  mergeWithoutTranspose?: boolean;
  scaleByModelDim?: boolean;
  noOutputProjection?: boolean;
}

const linear = (x: tf.Tensor, p: LinearLike) => {
  const [outFeatures, inFeatures] = p.weight.shape as [number, number];
  const y = tf.matMul(x.reshape([-1, inFeatures]), p.weight, false, true).reshape([...x.shape.slice(0, -1), outFeatures]);
  return p.bias ? y.add(p.bias) : y;
};

/** Multi-head attention from the student's projection weights, right (variant {}) or with one known mistake. */
function multiHeadWith(m: MultiHeadAttentionLike, heads: number, query: tf.Tensor, key: tf.Tensor, value: tf.Tensor, mask: tf.Tensor | undefined, variant: MhaVariant): AttentionOutput {
  const [batch, L, E] = query.shape;
  const dh = E / heads;
  const split = (x: tf.Tensor) =>
    variant.splitWithoutTranspose ? x.reshape([batch, heads, -1, dh]) : x.reshape([batch, -1, heads, dh]).transpose([0, 2, 1, 3]);
  const q = split(linear(query, m.qProj));
  const k = split(linear(key, m.kProj));
  const v = split(linear(value, m.vProj));
  const scale = variant.scaleByModelDim ? 1 / Math.sqrt(E) : 1 / Math.sqrt(dh);
  const { output, weights } = attentionWith(q, k, v, mask, { scale });
  const merged = variant.mergeWithoutTranspose ? output.reshape([batch, L, E]) : output.transpose([0, 2, 1, 3]).reshape([batch, L, E]);
  return { output: variant.noOutputProjection ? merged : linear(merged, m.outProj), weights };
}

const MHA_MISTAKES: { variant: MhaVariant; hint: string }[] = [
  {
    variant: { mergeWithoutTranspose: true },
    hint: "heads merged in the wrong order: [batch, heads, L, dh] must become [batch, L, heads, dh] (transpose([0, 2, 1, 3])) before the reshape to [batch, L, dModel]",
  },
  {
    variant: { splitWithoutTranspose: true },
    hint: "heads split in the wrong order: reshape [batch, L, dModel] to [batch, L, heads, dh] first, then transpose([0, 2, 1, 3]) to [batch, heads, L, dh]",
  },
  {
    variant: { splitWithoutTranspose: true, mergeWithoutTranspose: true },
    hint: "split and merge reshape without transposing: reshape to [batch, L, heads, dh], then transpose([0, 2, 1, 3]) (and back when merging)",
  },
  {
    variant: { scaleByModelDim: true },
    hint: "scaled by 1/√dModel: each head's scores are scaled by 1/√(dModel / heads), the size of one head",
  },
  { variant: { noOutputProjection: true }, hint: "the output projection is missing: apply outProj to the merged heads" },
];

/** Sets every parameter to seeded random values: biases and norms that start at 0 and 1 would hide mistakes. */
function randomise(params: tf.Variable[], seed: number): void {
  tf.tidy(() => params.forEach((p, i) => p.assign(randn(p.shape, seed + 31 * i).mul(0.5))));
}

function projectionState(m: MultiHeadAttentionLike, prefix: string): Record<string, tf.Tensor> {
  const need = (p: LinearLike, name: string) => {
    if (!p.bias) throw new Error(`lab5 check: ${name} has no bias; build the projections with nn.Linear(dModel, dModel) as given`);
    return p.bias;
  };
  return {
    [`${prefix}in_proj_weight`]: tf.concat([m.qProj.weight, m.kProj.weight, m.vProj.weight], 0),
    [`${prefix}in_proj_bias`]: tf.concat([need(m.qProj, "qProj"), need(m.kProj, "kProj"), need(m.vProj, "vProj")], 0),
    [`${prefix}out_proj.weight`]: m.outProj.weight,
    [`${prefix}out_proj.bias`]: need(m.outProj, "outProj"),
  };
}

/** lib's MultiheadAttention carrying the student's weights (PyTorch stacks W_Q, W_K, W_V into in_proj_weight). */
export function libMultiheadAttentionFrom(m: MultiHeadAttentionLike, dModel: number, heads: number): MultiheadAttention {
  const lib = new MultiheadAttention(dModel, heads, { batchFirst: true, seed: 0 });
  const state = tf.tidy(() => projectionState(m, ""));
  lib.loadStateDict(state);
  tf.dispose(Object.values(state).filter((t) => !(t instanceof tf.Variable)));
  return lib;
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

function mhaInputs(dModel: number, thorough: boolean) {
  return (seed: number): [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor?] => {
    const r = (shape: number[], offset: number) => randn(shape, seed * 7 + offset);
    const x = r([2, 5, dModel], 1);
    switch (seed % 100) {
      case 0:
        return [x, x, x];
      case 1:
        return [r([2, 6, dModel], 1), r([2, 6, dModel], 1), r([2, 6, dModel], 1), causal(6)];
      case 2:
        return [r([2, 4, dModel], 1), r([2, 6, dModel], 2), r([2, 6, dModel], 3)];
      default:
        return thorough ? [r([3, 7, dModel], 1), r([3, 7, dModel], 2), r([3, 7, dModel], 3), padding(3, 7, [0, 3, 1]).expandDims(1)] : [x, x, x];
    }
  };
}

/** Part 3: the student's MultiHeadAttention against lib's nn.MultiheadAttention with the same weights. */
export function multiHeadAttention(MultiHeadAttention: new (dModel: number, numHeads: number) => MultiHeadAttentionLike, options: Lab5CheckOptions = {}): Verdict {
  const sizes: [number, number][] = options.thorough ? [[8, 2], [12, 3]] : [[8, 2]];
  let verdict: Verdict | null = null;
  for (const [dModel, heads] of sizes) {
    const student = new MultiHeadAttention(dModel, heads);
    randomise(student.parameters(), dModel);
    const lib = libMultiheadAttentionFrom(student, dModel, heads);
    try {
      verdict = checkFunction(guarded((q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask?: tf.Tensor) => student.attend(q, k, v, mask), explainAttentionError),
        (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask?: tf.Tensor) =>
          lib.attend(q, k, v, { attnMask: blockedMask(mask, heads, q.shape[1] as number), averageAttnWeights: false }),
        {
          name: `MultiHeadAttention(dModel=${dModel}, heads=${heads})`,
          trials: options.thorough ? 4 : 3,
          ...TOLERANCE,
          inputs: mhaInputs(dModel, options.thorough ?? false),
          hints: MHA_MISTAKES.map(({ variant, hint }) => ({ hint, mistake: (q, k, v, mask) => multiHeadWith(student, heads, q, k, v, mask, variant) })),
        });
    } finally {
      student.dispose();
      lib.dispose();
    }
    if (!verdict.ok) return verdict;
  }
  return verdict!;
}

// ---------------------------------------------------------------- part 4

/** PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(…): lib's table, read back through a zero input. */
function sinusoidalReference(length: number, dModel: number): tf.Tensor {
  const pe = new PositionalEncoding(dModel, { maxLen: length, seed: 0 });
  const table = tf.tidy(() => pe.forward(tf.zeros([1, length, dModel])).squeeze([0]));
  pe.dispose();
  return table;
}

function sinusoidalWith(length: number, dModel: number, variant: { swap?: boolean; halves?: boolean; exponentPerDim?: boolean; fromOne?: boolean }): tf.Tensor {
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

/** Part 4: the sine table, against lib's nn.PositionalEncoding. */
export function sinusoidalEncoding(student: (length: number, dModel: number) => tf.Tensor, options: Lab5CheckOptions = {}): Verdict {
  const sizes: [number, number][] = [[16, 32], [10, 8], [7, 6], [50, 64], [3, 2]];
  return checkFunction(guarded(student), sinusoidalReference, {
    name: "sinusoidalEncoding",
    trials: options.thorough ? sizes.length : 3,
    ...TOLERANCE,
    inputs: (seed) => sizes[seed % sizes.length],
    hints: [
      { hint: "sin and cos swapped: even columns 2i get sin, odd columns 2i+1 get cos", mistake: (L, d) => sinusoidalWith(L, d, { swap: true }) },
      {
        hint: "sin in the first half and cos in the second: interleave them instead (column 2i sin, column 2i+1 cos)",
        mistake: (L, d) => sinusoidalWith(L, d, { halves: true }),
      },
      {
        hint: "frequencies too close together: the exponent is 2i/dModel for the pair (2i, 2i+1), not i/dModel",
        mistake: (L, d) => sinusoidalWith(L, d, { exponentPerDim: true }),
      },
      { hint: "positions counted from 1: the first token is at position 0 (its row is sin 0 = 0, cos 0 = 1)", mistake: (L, d) => sinusoidalWith(L, d, { fromOne: true }) },
    ],
  });
}

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

function blockWith(b: EncoderBlockLike, heads: number, x: tf.Tensor, mask: tf.Tensor | undefined, variant: BlockVariant): AttentionOutput {
  const attend = (h: tf.Tensor) => multiHeadWith(b.selfAttn, heads, h, h, h, mask, {});
  const feedForward = (h: tf.Tensor) => {
    const hidden = linear(h, b.linear1);
    return linear(variant.noActivation ? hidden : hidden.relu(), b.linear2);
  };
  if (variant.preNorm) {
    const { output, weights } = attend(layerNorm(x, b.norm1));
    const h = x.add(output);
    return { output: h.add(feedForward(layerNorm(h, b.norm2))), weights };
  }
  const { output, weights } = attend(x);
  const h = layerNorm(variant.noAttentionResidual ? output : x.add(output), b.norm1);
  const f = feedForward(h);
  return { output: layerNorm(variant.noFeedForwardResidual ? f : h.add(f), b.norm2), weights };
}

const BLOCK_MISTAKES: { variant: BlockVariant; hint: string }[] = [
  { variant: { noAttentionResidual: true }, hint: "the skip connection around attention is missing: norm1(x + attention(x)), not norm1(attention(x))" },
  { variant: { noFeedForwardResidual: true }, hint: "the skip connection around the MLP is missing: norm2(h + mlp(h)), not norm2(mlp(h))" },
  { variant: { noAttentionResidual: true, noFeedForwardResidual: true }, hint: "both skip connections are missing: add the block's input back before each LayerNorm" },
  {
    variant: { preNorm: true },
    hint: "layer norm before the sublayer (pre-norm, x + attention(norm1(x))): this lab's block, like the original Transformer and PyTorch's default, normalises after the skip: norm1(x + attention(x))",
  },
  { variant: { noActivation: true }, hint: "the MLP has no non-linearity: linear2(relu(linear1(h)))" },
];

function blockState(b: EncoderBlockLike): Record<string, tf.Tensor> {
  const affine = (p: LayerNormLike, name: string): tf.Tensor[] => {
    if (!p.weight || !p.bias) throw new Error(`lab5 check: ${name} has no weight or bias; build it with nn.LayerNorm(dModel) as given`);
    return [p.weight, p.bias];
  };
  const [n1w, n1b] = affine(b.norm1, "norm1");
  const [n2w, n2b] = affine(b.norm2, "norm2");
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

/** Part 5: the student's EncoderBlock against lib's nn.TransformerEncoderLayer (post-norm, ReLU, no dropout) with the same weights. */
export function encoderBlock(EncoderBlock: new (dModel: number, numHeads: number, dimFeedforward: number) => EncoderBlockLike, options: Lab5CheckOptions = {}): Verdict {
  const sizes: [number, number, number][] = options.thorough ? [[8, 2, 16], [12, 3, 24]] : [[8, 2, 16]];
  let verdict: Verdict | null = null;
  for (const [dModel, heads, ff] of sizes) {
    const student = new EncoderBlock(dModel, heads, ff);
    randomise(student.parameters(), 100 + dModel);
    const lib = new TransformerEncoderLayer(dModel, heads, { dimFeedforward: ff, dropout: 0, batchFirst: true, seed: 0 });
    const state = tf.tidy(() => blockState(student));
    lib.loadStateDict(state);
    tf.dispose(Object.values(state).filter((t) => !(t instanceof tf.Variable)));
    lib.eval();
    try {
      verdict = checkFunction(guarded((x: tf.Tensor, mask?: tf.Tensor) => student.attend(x, mask), explainAttentionError),
        (x: tf.Tensor, mask?: tf.Tensor) => {
          const { output, weights } = lib.run(x, blockedMask(mask, heads, x.shape[1] as number));
          return { output, weights: weights[0] };
        },
        {
          name: `EncoderBlock(dModel=${dModel}, heads=${heads}, dimFeedforward=${ff})`,
          trials: options.thorough ? 3 : 2,
          ...TOLERANCE,
          inputs: (seed): [tf.Tensor, tf.Tensor?] => (seed % 2 === 0 ? [randn([2, 5, dModel], seed)] : [randn([2, 6, dModel], seed), causal(6)]),
          hints: BLOCK_MISTAKES.map(({ variant, hint }) => ({ hint, mistake: (x, mask) => blockWith(student, heads, x, mask, variant) })),
        });
    } finally {
      student.dispose();
      lib.dispose();
    }
    if (!verdict.ok) return verdict;
  }
  return verdict!;
}

// ---------------------------------------------------------------- part 6

/** Part 6: the predictor's shapes, and its output equal to head(blocks(positional(embed(tokens)))) from its own parts. */
export function transformerPredictor(model: TransformerPredictorLike, tokens: tf.Tensor): Verdict {
  const name = "TransformerPredictor";
  let verdict: Verdict | null = null;
  tf.tidy(() => {
    let got: { logits: tf.Tensor; weights: tf.Tensor };
    try {
      got = guarded(() => model.attend(tokens))();
    } catch (err) {
      verdict = thrown(name, asNotImplemented(err) ?? err);
      return;
    }
    const [batch, L] = tokens.shape;
    const layers = model.layers.items.length;
    let x = model.positional.forward(model.embed.forward(tokens));
    const maps: tf.Tensor[] = [];
    for (const layer of model.layers.items) {
      const r = layer.attend(x);
      x = r.output;
      maps.push(r.weights);
    }
    const expected = { logits: model.head.forward(x), weights: tf.stack(maps, 1) };
    const withoutPositions = model.head.forward(model.layers.items.reduce((h, layer) => layer.attend(h).output, model.embed.forward(tokens)));
    const vocab = expected.logits.shape[2];
    const heads = expected.weights.shape[2];
    if (!tf.util.arraysEqual(got.logits.shape, expected.logits.shape)) {
      verdict = { ok: false, message: `${name}: logits have shape [${got.logits.shape}]; expected [batch, L, vocab] = [${batch},${L},${vocab}]` };
    } else if (!tf.util.arraysEqual(got.weights.shape, expected.weights.shape)) {
      verdict = {
        ok: false,
        message: `${name}: weights have shape [${got.weights.shape}]; expected [batch, layers, heads, L, L] = [${batch},${layers},${heads},${L},${L}]`,
        hint: "stack the layers' weights on axis 1: tf.stack(maps, 1)",
      };
    } else if (maxAbsDiff(got.logits, withoutPositions) < 1e-5 && maxAbsDiff(expected.logits, withoutPositions) > 1e-5) {
      verdict = { ok: false, message: `${name}: the logits ignore the positions`, hint: "add the positional encoding to the embeddings before the first block: this.positional.forward(this.embed.forward(tokens))" };
    } else if (maxAbsDiff(got.logits, expected.logits) > 1e-5 || maxAbsDiff(got.weights, expected.weights) > 1e-5) {
      verdict = {
        ok: false,
        message: `${name}: output differs from head(blocks(positional(embed(tokens)))) (max |Δ| ${maxAbsDiff(got.logits, expected.logits).toPrecision(3)})`,
        hint: "run the blocks one after the other on x, and the head on the last block's output",
      };
    } else {
      verdict = { ok: true, message: `${name}: logits [${got.logits.shape}] and attention [${got.weights.shape}] (batch, layers, heads, L, L) as expected` };
    }
  });
  return report(verdict!);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
}

/** Part 6: the bar on held-out sequences. */
export function heldOutAccuracy(accuracy: number, bar = 0.99): Verdict {
  if (typeof accuracy !== "number" || !Number.isFinite(accuracy)) {
    return report({ ok: false, message: `held-out accuracy is ${String(accuracy)}; expected a number between 0 and 1` });
  }
  if (accuracy >= bar) return report({ ok: true, message: `held-out token accuracy ${(100 * accuracy).toFixed(2)}% ≥ ${100 * bar}%` });
  return report({
    ok: false,
    message: `held-out token accuracy ${(100 * accuracy).toFixed(2)}% < ${100 * bar}%`,
    hint: accuracy < 0.2
      ? "about chance (10%): is the loss taken over the right axis (logits [batch·L, vocab] against targets [batch·L]), and is the positional encoding added?"
      : "train longer, or check the learning rate and warm-up (a loss stuck near 1.2 is a model that learnt half the positions)",
  });
}

// ---------------------------------------------------------------- part 7

function antiDiagonalReference(weights: tf.Tensor): number {
  return tf.tidy(() => {
    const L = weights.shape[weights.rank - 1];
    const target = tf.sub(L - 1, tf.range(0, L, 1, "int32"));
    return weights.argMax(-1).equal(target).toFloat().mean().dataSync()[0];
  });
}

function diagonalMistake(weights: tf.Tensor): number {
  return tf.tidy(() => {
    const L = weights.shape[weights.rank - 1];
    return weights.argMax(-1).equal(tf.range(0, L, 1, "int32")).toFloat().mean().dataSync()[0];
  });
}

function perQueryMistake(weights: tf.Tensor): number {
  return tf.tidy(() => {
    const L = weights.shape[weights.rank - 1];
    return weights.argMax(-2).equal(tf.sub(L - 1, tf.range(0, L, 1, "int32"))).toFloat().mean().dataSync()[0];
  });
}

/** Attention weights [batch, L, L] whose rows point at L−1−i for some queries and elsewhere for the rest. */
function reversingWeights(seed: number): tf.Tensor {
  return tf.tidy(() => {
    const [batch, L] = [4, 9];
    const noise = randn([batch, L, L], seed).mul(0.5);
    const anti = tf.reverse(tf.eye(L), [1]).mul(3);
    const diag = tf.eye(L).mul(3);
    const pick = tf.randomUniform([batch, L, 1], 0, 1, "float32", seed + 1);
    // About half the rows favour the anti-diagonal, a quarter the diagonal, a quarter neither.
    const boost = tf.where(pick.less(0.5), anti.broadcastTo([batch, L, L]), tf.where(pick.less(0.75), diag.broadcastTo([batch, L, L]), tf.zeros([batch, L, L])));
    return tf.softmax(noise.add(boost), -1);
  });
}

/** Part 7: the fraction of queries i whose most-attended key is L−1−i. */
export function antiDiagonalFraction(student: (weights: tf.Tensor) => number, options: Lab5CheckOptions = {}): Verdict {
  return checkFunction(guarded(student), antiDiagonalReference, {
    name: "antiDiagonalFraction",
    trials: options.thorough ? 5 : 3,
    ...TOLERANCE,
    inputs: (seed) => [reversingWeights(seed)],
    hints: [
      { hint: "that counts the diagonal (key i): the reversal's key for query i is L − 1 − i", mistake: diagonalMistake },
      { hint: "arg-max over the queries: each query's most-attended key is the arg-max of its row, the last axis (argMax(-1))", mistake: perQueryMistake },
    ],
  });
}

/** Part 7: the best head's anti-diagonal fraction against the bar. */
export function reversesInSomeHead(fractions: number[][], bar = 0.9): Verdict {
  const flat = fractions.flatMap((row, layer) => row.map((value, head) => ({ layer, head, value })));
  if (flat.length === 0 || flat.some((f) => !Number.isFinite(f.value))) {
    return report({ ok: false, message: "expected one anti-diagonal fraction per layer and head ([layers][heads] numbers)" });
  }
  const best = flat.reduce((a, b) => (b.value > a.value ? b : a));
  const where = `layer ${best.layer + 1}, head ${best.head + 1}`;
  if (best.value >= bar) return report({ ok: true, message: `${where} attends to key L−1−i for ${(100 * best.value).toFixed(1)}% of queries (≥ ${100 * bar}%)` });
  return report({
    ok: false,
    message: `the best head (${where}) attends to key L−1−i for ${(100 * best.value).toFixed(1)}% of queries (< ${100 * bar}%)`,
    hint: "train until the held-out accuracy is above 99%; with several layers, the reversal can be split between them",
  });
}

/** Part 7: a causal mask [L, L], 1 where query i may attend to key j ≤ i. */
export function causalMask(student: (length: number) => tf.Tensor, options: Lab5CheckOptions = {}): Verdict {
  const lengths = [5, 1, 16, 8, 3];
  return checkFunction(guarded(student), (L: number) => causal(L), {
    name: "causalMask",
    trials: options.thorough ? lengths.length : 3,
    ...TOLERANCE,
    inputs: (seed) => [lengths[seed % lengths.length]],
    hints: [
      { hint: "that lets each query see the future: keep the lower triangle (key j ≤ query i), tf.linalg.bandPart(ones, -1, 0)", mistake: (L: number) => tf.linalg.bandPart(tf.ones([L, L]), 0, -1) },
      { hint: "the diagonal is blocked: a token may attend to itself (j ≤ i, not j < i)", mistake: (L: number) => tf.linalg.bandPart(tf.ones([L, L]), -1, 0).sub(tf.eye(L)) },
    ],
  });
}
