/**
 * Lab 5's checks: a transformer from scratch. Each runs a student's piece
 * through a probe on seeded inputs and compares its outputs with those of
 * lib's own implementation (same inputs, same weights), recorded at release
 * in lib/check/records/lab5-transformer.json; it prints one line and names
 * the likely mistake when they differ.
 *
 *   check.assertOk(check.lab5.scaledDotProductAttention(scaledDotProductAttention));
 *   // ✔ scaledDotProductAttention: matches the reference on 5 random inputs
 *
 * A probe's inputs come in a few shapes (no mask, a causal mask, padding with
 * L ≠ S, a heads axis, other sizes), one per seed: shape `seed % n` of the
 * probe's `shapes`. Hidden tests record `{ cases: shapes }` cases, which
 * covers every shape (the cases' seeds are a prime stride apart).
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { reverseTask } from "../../data/sequences";
import { checkRecorded } from "../checkRecorded";
import type { ErrorHint, Probe } from "../probe";
import { randn, withModule } from "../probeHelpers";
import { thrown } from "../thrown";
import { report, Verdict } from "../verdict";

const LAB = "lab5-transformer";

/** What the lab's attention functions return. */
export interface AttentionOutput {
  /** The weighted averages of the values, `[..., L, d_v]`. */
  output: tf.Tensor;
  /** The attention weights, each row summing to 1, `[..., L, S]`. */
  weights: tf.Tensor;
}

/** Q, K, V (and a 0/1 mask, 1 = may attend) → the output and the weights. */
export type AttentionFn = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask?: tf.Tensor) => AttentionOutput;

/** Part 1's `alignment(queries [L, d], keys [S, d], values [S, d])`: scores = Q Kᵀ [L, S], their softmax over the keys, and weights·V [L, d]. */
export type AlignmentFn = (
  queries: tf.Tensor,
  keys: tf.Tensor,
  values: tf.Tensor,
) => { scores: tf.Tensor; weights: tf.Tensor; output: tf.Tensor };

/** What the checks read of a linear layer: PyTorch's names and shapes. */
export interface LinearLike {
  /** `[outFeatures, inFeatures]`. */
  weight: tf.Tensor;
  /** `[outFeatures]`, or null without bias. */
  bias: tf.Tensor | null;
}

/** What the checks read of a layer norm: its affine parameters. */
export interface LayerNormLike {
  /** The scale γ `[dModel]`, or null without affine parameters. */
  weight: tf.Tensor | null;
  /** The shift β `[dModel]`, or null. */
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

/** The student's MultiHeadAttention class, `new (dModel, numHeads)`, as the checks construct it. */
export type MultiHeadAttentionClass = new (dModel: number, numHeads: number) => MultiHeadAttentionLike;

/** The lab's EncoderBlock: PyTorch's TransformerEncoderLayer names. */
export interface EncoderBlockLike extends Disposable {
  selfAttn: MultiHeadAttentionLike;
  linear1: LinearLike;
  linear2: LinearLike;
  norm1: LayerNormLike;
  norm2: LayerNormLike;
  attend(x: tf.Tensor, mask?: tf.Tensor): AttentionOutput;
}

/** The student's EncoderBlock class, `new (dModel, numHeads, dimFeedforward)`, as the checks construct it. */
export type EncoderBlockClass = new (dModel: number, numHeads: number, dimFeedforward: number) => EncoderBlockLike;

/** What the predictor's `attend` may use of a block. */
export interface BlockLike {
  attend(x: tf.Tensor, mask?: tf.Tensor): AttentionOutput;
  forward(x: tf.Tensor): tf.Tensor;
}

/** The lab's TransformerPredictor: tokens → logits and every layer's attention. */
export interface TransformerPredictorLike {
  embed: { forward(tokens: tf.Tensor): tf.Tensor };
  positional: { forward(x: tf.Tensor): tf.Tensor };
  layers: { items: BlockLike[] };
  head: { forward(x: tf.Tensor): tf.Tensor };
  attend(tokens: tf.Tensor, mask?: tf.Tensor): { logits: tf.Tensor; weights: tf.Tensor };
}

/** The student's TransformerPredictor class, whatever its constructor takes: the check swaps in its own parts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TransformerPredictorClass = abstract new (...args: any[]) => TransformerPredictorLike;

/** A trained model, as the notebook's `model`: tokens → logits, and the attention of every layer and head. */
export interface TrainedPredictor {
  forward(tokens: tf.Tensor): tf.Tensor;
  attend(tokens: tf.Tensor, mask?: tf.Tensor): { logits: tf.Tensor; weights: tf.Tensor };
}

// "every component matches lib's implementation (same weights) to 1e-5"
const TOLERANCE = { rtol: 1e-5, atol: 1e-5 };

/** The seeds of one probe run's random draws, one after the other: distinct for every draw of every seed, never 0. */
function seedsFrom(seed: number): () => number {
  let k = 0;
  return () => seed * 101 + ++k;
}

const causal = (L: number) => tf.linalg.bandPart(tf.ones([L, L]), -1, 0);

/** Keys each sequence may attend to, [batch, 1, S]: the last `blocked[b]` keys of sequence b are padding. */
function padding(S: number, blocked: number[]): tf.Tensor {
  const rows = blocked.map((n) => Array.from({ length: S }, (_, j) => (j < S - n ? 1 : 0)));
  return tf.tensor(rows, [blocked.length, 1, S]);
}

/** How many input shapes each probe draws from (`seed % shapes`): a hidden test records that many cases to see them all. */
export const shapes = {
  alignment: 2,
  scaledDotProductAttention: 5,
  multiHeadAttention: 4,
  sinusoidalEncoding: 3,
  encoderBlock: 3,
  transformerPredictor: 2,
  antiDiagonalFraction: 1,
  causalMask: 5,
} as const;

/** The shape of `seed`'s inputs, out of `n`. */
const shapeOf = (seed: number, n: number) => seed % n;

const SOFTMAX_LAST_AXIS =
  "tf.softmax works on the last axis only, which is the keys' axis here: tf.softmax(scores) or tf.softmax(scores, -1)";
const softmaxError: ErrorHint = { when: /softmax along a non-last dimension/i, hint: SOFTMAX_LAST_AXIS };
const attentionErrors: ErrorHint[] = [
  softmaxError,
  {
    when: /perm|rank/i,
    hint: "k.transpose([0, 2, 1]) only fits 3-D inputs: swap just the last two axes, tf.matMul(q, k, false, true), so a heads axis works too",
  },
  {
    when: /inner (shapes|dimensions)|must match/i,
    hint: "Q Kᵀ needs K transposed on its last two axes: tf.matMul(q, k, false, true)",
  },
];

/**
 * Sets the named parameters to seeded random values, the same for the
 * student's module and the reference: biases and norms that start at 0 and 1
 * would hide mistakes.
 */
function seedWeights(named: [string, tf.Tensor | null][], next: () => number): void {
  for (const [name, p] of named) {
    if (!(p instanceof tf.Variable)) {
      throw new Error(
        `${name} is ${p ? "not a trainable variable" : "missing"}: build the layers with nn.Linear and nn.LayerNorm as given`,
      );
    }
    tf.tidy(() => p.assign(randn(p.shape, next()).mul(0.5)));
  }
}

const linearWeights = (p: LinearLike, name: string): [string, tf.Tensor | null][] => [
  [`${name}.weight`, p.weight],
  [`${name}.bias`, p.bias],
];

const attentionWeights = (m: MultiHeadAttentionLike, prefix = ""): [string, tf.Tensor | null][] =>
  (["qProj", "kProj", "vProj", "outProj"] as const).flatMap((name) => linearWeights(m[name], prefix + name));

// ---------------------------------------------------------------- part 1

/** Part 1: two queries against 3 or 5 patches (values as wide as the keys, so mixing them up gives wrong numbers, not a shape error). */
const alignmentProbe: Probe<AlignmentFn> = {
  lab: LAB,
  name: "alignment",
  tolerance: TOLERANCE,
  errorHints: [softmaxError],
  run: (alignment, seed) => {
    const next = seedsFrom(seed);
    const n = [3, 5][shapeOf(seed, shapes.alignment)];
    return alignment(randn([2, 3], next()), randn([n, 3], next()), randn([n, 3], next()));
  },
};

/** Part 1: scores = Q Kᵀ, weights = softmax over the keys, output = weights V. */
export function alignment(student: AlignmentFn): Verdict {
  return checkRecorded(alignmentProbe, student);
}

// ---------------------------------------------------------------- part 2

/** Part 2: no mask; a causal mask; padding with L ≠ S; a heads axis ([batch, heads, L, d]) with a causal mask; heads with padding [batch, 1, 1, S]. */
const attentionProbe: Probe<AttentionFn> = {
  lab: LAB,
  name: "scaledDotProductAttention",
  tolerance: TOLERANCE,
  errorHints: attentionErrors,
  run: (attention, seed) => {
    const next = seedsFrom(seed);
    const r = (shape: number[]) => randn(shape, next());
    switch (shapeOf(seed, shapes.scaledDotProductAttention)) {
      case 0:
        return attention(r([1, 3, 4]), r([1, 3, 4]), r([1, 3, 2]));
      case 1:
        return attention(r([1, 3, 4]), r([1, 3, 4]), r([1, 3, 2]), causal(3));
      case 2:
        return attention(r([2, 2, 4]), r([2, 3, 4]), r([2, 3, 2]), padding(3, [0, 1]));
      case 3:
        return attention(r([1, 2, 3, 4]), r([1, 2, 3, 4]), r([1, 2, 3, 1]), causal(3));
      default:
        return attention(r([2, 2, 2, 4]), r([2, 2, 3, 4]), r([2, 2, 3, 1]), padding(3, [1, 0]).expandDims(1));
    }
  },
};

/** Part 2: softmax(Q Kᵀ / √d_k, masked) V, against lib's nn.scaledDotProductAttention. */
export function scaledDotProductAttention(student: AttentionFn): Verdict {
  return checkRecorded(attentionProbe, student);
}

// ---------------------------------------------------------------- part 3

/**
 * Part 3: the student's class, built inside `withManualSeed` and given seeded
 * weights by name: self-attention and a causal mask with 2 heads;
 * cross-attention with L ≠ S, and padding [batch, 1, 1, S], with 3 heads.
 */
const multiHeadProbe: Probe<MultiHeadAttentionClass> = {
  lab: LAB,
  name: "multiHeadAttention",
  tolerance: TOLERANCE,
  errorHints: attentionErrors,
  run: (MultiHeadAttention, seed) => {
    const shape = shapeOf(seed, shapes.multiHeadAttention);
    const [dModel, heads] = shape < 2 ? [4, 2] : [6, 3];
    return withModule(
      seed,
      () => new MultiHeadAttention(dModel, heads),
      (m) => {
        const next = seedsFrom(seed);
        seedWeights(attentionWeights(m), next);
        const r = (shape: number[]) => randn(shape, next());
        switch (shape) {
          case 0: {
            const x = r([1, 3, dModel]);
            return m.attend(x, x, x);
          }
          case 1: {
            const x = r([1, 3, dModel]);
            return m.attend(x, x, x, causal(3));
          }
          case 2: {
            const kv = r([1, 3, dModel]);
            return m.attend(r([1, 2, dModel]), kv, kv);
          }
          default: {
            const x = r([2, 2, dModel]);
            return m.attend(x, x, x, padding(2, [0, 1]).expandDims(1));
          }
        }
      },
    );
  },
};

/** Part 3: the student's MultiHeadAttention against lib's nn.MultiheadAttention with the same weights. */
export function multiHeadAttention(MultiHeadAttention: MultiHeadAttentionClass): Verdict {
  return checkRecorded(multiHeadProbe, MultiHeadAttention, { name: "MultiHeadAttention" });
}

// ---------------------------------------------------------------- part 4

/** Part 4: tables of a few sizes (length, dModel). */
const sinusoidalProbe: Probe<(length: number, dModel: number) => tf.Tensor> = {
  lab: LAB,
  name: "sinusoidalEncoding",
  tolerance: TOLERANCE,
  run: (sinusoidalEncoding, seed) => {
    const sizes: [number, number][] = [
      [4, 6],
      [8, 4],
      [3, 2],
    ];
    return sinusoidalEncoding(...sizes[shapeOf(seed, shapes.sinusoidalEncoding)]);
  },
};

/** Part 4: the sine table, against lib's nn.PositionalEncoding. */
export function sinusoidalEncoding(student: (length: number, dModel: number) => tf.Tensor): Verdict {
  return checkRecorded(sinusoidalProbe, student);
}

// ---------------------------------------------------------------- part 5

/**
 * Part 5: the student's class with seeded weights: no mask; a causal mask;
 * 3 heads with padding [batch, 1, 1, S].
 */
const encoderBlockProbe: Probe<EncoderBlockClass> = {
  lab: LAB,
  name: "encoderBlock",
  tolerance: TOLERANCE,
  errorHints: attentionErrors,
  run: (EncoderBlock, seed) => {
    const shape = shapeOf(seed, shapes.encoderBlock);
    const [dModel, heads, ff] = shape < 2 ? [4, 2, 8] : [6, 3, 12];
    return withModule(
      seed,
      () => new EncoderBlock(dModel, heads, ff),
      (b) => {
        const norm = (p: LayerNormLike, name: string): [string, tf.Tensor | null][] => [
          [`${name}.weight`, p.weight],
          [`${name}.bias`, p.bias],
        ];
        const next = seedsFrom(seed);
        seedWeights(
          [
            ...attentionWeights(b.selfAttn, "selfAttn."),
            ...linearWeights(b.linear1, "linear1"),
            ...linearWeights(b.linear2, "linear2"),
            ...norm(b.norm1, "norm1"),
            ...norm(b.norm2, "norm2"),
          ],
          next,
        );
        switch (shape) {
          case 0:
            return b.attend(randn([1, 3, dModel], next()));
          case 1:
            return b.attend(randn([1, 3, dModel], next()), causal(3));
          default:
            return b.attend(randn([2, 2, dModel], next()), padding(2, [1, 0]).expandDims(1));
        }
      },
    );
  },
};

/** Part 5: the student's EncoderBlock against lib's nn.TransformerEncoderLayer (post-norm, ReLU, no dropout) with the same weights. */
export function encoderBlock(EncoderBlock: EncoderBlockClass): Verdict {
  return checkRecorded(encoderBlockProbe, EncoderBlock, { name: "EncoderBlock" });
}

// ---------------------------------------------------------------- part 6

/**
 * Stand-ins for the predictor's parts, made of seeded random tables: what
 * the student's `attend` computes from them depends only on how it chains
 * them, not on the other parts of the lab. A block's weights depend on its
 * input and on the mask it is given, so both show in the outputs.
 */
function standInParts(
  next: () => number,
  shape: { vocab: number; dModel: number; heads: number; layers: number; maxLen: number },
) {
  const { vocab, dModel, heads, layers, maxLen } = shape;
  const table = randn([vocab, dModel], next());
  const positions = randn([maxLen, dModel], next());
  const block = (): BlockLike => {
    const w = randn([dModel, dModel], next()).mul(0.5);
    const scores = randn([1, heads, maxLen, maxLen], next());
    const attend = (x: tf.Tensor, mask?: tf.Tensor) => {
      const [, L] = x.shape as number[];
      const byKey = x.mean(-1).reshape([-1, 1, 1, L]);
      let weights = tf.softmax(scores.slice([0, 0, 0, 0], [1, heads, L, L]).add(byKey));
      if (mask) weights = weights.mul(mask);
      return {
        output: tf
          .tanh(tf.matMul(x.reshape([-1, dModel]), w))
          .reshape(x.shape)
          .add(x),
        weights,
      };
    };
    return { attend, forward: (x) => attend(x).output };
  };
  const head = randn([dModel, vocab], next());
  return {
    embed: { forward: (tokens: tf.Tensor) => tf.gather(table, tokens.cast("int32")) },
    positional: { forward: (x: tf.Tensor) => x.add(positions.slice([0, 0], [x.shape[1] as number, dModel])) },
    layers: { items: Array.from({ length: layers }, block) },
    head: {
      forward: (x: tf.Tensor) => tf.matMul(x.reshape([-1, dModel]), head).reshape([...x.shape.slice(0, -1), vocab]),
    },
  };
}

/**
 * Part 6: the student's `attend`, run on stand-in parts (embedding,
 * positions, blocks, head) instead of the ones its constructor builds;
 * the second shape passes a causal mask.
 */
const predictorProbe: Probe<TransformerPredictorClass> = {
  lab: LAB,
  name: "transformerPredictor",
  tolerance: TOLERANCE,
  run: (TransformerPredictor, seed) => {
    const shape = shapeOf(seed, shapes.transformerPredictor);
    const [batch, L, vocab] = [2, 3, 3];
    const next = seedsFrom(seed);
    const parts = standInParts(next, { vocab, dModel: 4, heads: 1, layers: 2, maxLen: L });
    // The class's methods on the stand-in parts, without running its constructor.
    const model = Object.assign(Object.create(TransformerPredictor.prototype) as TransformerPredictorLike, parts);
    const tokens = tf.randomUniform([batch, L], 0, vocab, "int32", next());
    return model.attend(tokens, shape === 0 ? undefined : causal(L));
  },
};

/** What is wrong with the shapes the model's `attend` gives on `tokens`, or null. */
function shapeProblem(name: string, model: TransformerPredictorLike, tokens: tf.Tensor): Verdict | null {
  let got = { logits: [] as number[], weights: [] as number[] };
  try {
    tf.tidy(() => {
      const { logits, weights } = model.attend(tokens);
      got = { logits: logits.shape, weights: weights.shape };
    });
  } catch (err) {
    return thrown(name, err);
  }
  const [batch, L] = tokens.shape;
  const layers = model.layers.items.length;
  const { logits, weights } = got;
  if (logits.length !== 3 || logits[0] !== batch || logits[1] !== L) {
    return {
      ok: false,
      message: `${name}: logits have shape [${logits}]; expected [batch, L, vocab] = [${batch},${L},vocab]`,
    };
  }
  const [b, l, , q, k] = weights;
  if (weights.length !== 5 || b !== batch || l !== layers || q !== L || k !== L) {
    return {
      ok: false,
      message: `${name}: weights have shape [${weights}]; expected [batch, layers, heads, L, L] = [${batch},${layers},heads,${L},${L}]`,
      hint: "stack the layers' weights on axis 1: tf.stack(maps, 1)",
    };
  }
  return null;
}

/**
 * Part 6: the model's `attend` gives logits [batch, L, vocab] and weights
 * [batch, layers, heads, L, L] on `tokens`, and chains its parts as
 * head(blocks(positional(embed(tokens)))): checked on stand-in parts.
 */
export function transformerPredictor(model: TransformerPredictorLike, tokens?: tf.Tensor): Verdict {
  const name = "TransformerPredictor";
  const problem = tokens ? shapeProblem(name, model, tokens) : null;
  if (problem) return report(problem);
  return checkRecorded(predictorProbe, model.constructor as unknown as TransformerPredictorClass, { name });
}

/** The reversal task the notebook trains on. */
const TASK = { length: 16, vocab: 10 };

/**
 * Part 6, for the grader: the trained model's predictions on 200 held-out
 * sequences drawn from the seed, and their true targets.
 */
const heldOutPredictionsProbe: Probe<TrainedPredictor> = {
  lab: LAB,
  name: "heldOutPredictions",
  run: (model, seed) => {
    const { x, y } = reverseTask({ n: 200, ...TASK, seed });
    return { predictions: model.forward(x).argMax(-1), targets: y };
  },
};

/** Part 6: the bar on held-out sequences. */
export function heldOutAccuracy(accuracy: number, bar = 0.99): Verdict {
  if (typeof accuracy !== "number" || !Number.isFinite(accuracy)) {
    return report({
      ok: false,
      message: `held-out accuracy is ${String(accuracy)}; expected a number between 0 and 1`,
    });
  }
  if (accuracy >= bar)
    return report({ ok: true, message: `held-out token accuracy ${(100 * accuracy).toFixed(2)}% ≥ ${100 * bar}%` });
  return report({
    ok: false,
    message: `held-out token accuracy ${(100 * accuracy).toFixed(2)}% < ${100 * bar}%`,
    hint:
      accuracy < 0.2
        ? "about chance (10%): is the loss taken over the right axis (logits [batch·L, vocab] against targets [batch·L]), and is the positional encoding added?"
        : "train longer, or check the learning rate and warm-up (a loss stuck near 1.2 is a model that learnt half the positions)",
  });
}

// ---------------------------------------------------------------- part 7

/** Attention weights [batch, L, L] whose rows point at L−1−i for some queries and elsewhere for the rest. */
function reversingWeights(seed: number): tf.Tensor {
  const next = seedsFrom(seed);
  const [batch, L] = [4, 9];
  const noise = randn([batch, L, L], next()).mul(0.5);
  const anti = tf.reverse(tf.eye(L), [1]).mul(3);
  const diag = tf.eye(L).mul(3);
  const pick = tf.randomUniform([batch, L, 1], 0, 1, "float32", next());
  // About half the rows favour the anti-diagonal, a quarter the diagonal, a quarter neither.
  const boost = tf.where(
    pick.less(0.5),
    anti.broadcastTo([batch, L, L]),
    tf.where(pick.less(0.75), diag.broadcastTo([batch, L, L]), tf.zeros([batch, L, L])),
  );
  return tf.softmax(noise.add(boost), -1);
}

/** Part 7: made-up attention weights, some rows anti-diagonal. */
const antiDiagonalProbe: Probe<(weights: tf.Tensor) => number> = {
  lab: LAB,
  name: "antiDiagonalFraction",
  tolerance: TOLERANCE,
  run: (antiDiagonalFraction, seed) => antiDiagonalFraction(reversingWeights(seed)),
};

/** Part 7: the fraction of queries i whose most-attended key is L−1−i. */
export function antiDiagonalFraction(student: (weights: tf.Tensor) => number): Verdict {
  return checkRecorded(antiDiagonalProbe, student);
}

/**
 * Part 7, for the grader: the trained model's attention weights
 * [batch, layers, heads, L, L] on 4 held-out sequences drawn from the seed.
 */
const attentionMapsProbe: Probe<TrainedPredictor> = {
  lab: LAB,
  name: "attentionMaps",
  run: (model, seed) => ({ weights: model.attend(reverseTask({ n: 4, ...TASK, seed }).x).weights }),
};

/** Part 7: the best head's anti-diagonal fraction against the bar. */
export function reversesInSomeHead(fractions: number[][], bar = 0.9): Verdict {
  const flat = fractions.flatMap((row, layer) => row.map((value, head) => ({ layer, head, value })));
  if (flat.length === 0 || flat.some((f) => !Number.isFinite(f.value))) {
    return report({
      ok: false,
      message: "expected one anti-diagonal fraction per layer and head ([layers][heads] numbers)",
    });
  }
  const best = flat.reduce((a, b) => (b.value > a.value ? b : a));
  const where = `layer ${best.layer + 1}, head ${best.head + 1}`;
  if (best.value >= bar)
    return report({
      ok: true,
      message: `${where} attends to key L−1−i for ${(100 * best.value).toFixed(1)}% of queries (≥ ${100 * bar}%)`,
    });
  return report({
    ok: false,
    message: `the best head (${where}) attends to key L−1−i for ${(100 * best.value).toFixed(1)}% of queries (< ${100 * bar}%)`,
    hint: "train until the held-out accuracy is above 99%; with several layers, the reversal can be split between them",
  });
}

/** Part 7: masks of a few lengths. */
const causalMaskProbe: Probe<(length: number) => tf.Tensor> = {
  lab: LAB,
  name: "causalMask",
  tolerance: TOLERANCE,
  run: (causalMask, seed) => causalMask([5, 1, 7, 3, 2][shapeOf(seed, shapes.causalMask)]),
};

/** Part 7: a causal mask [L, L], 1 where query i may attend to key j ≤ i. */
export function causalMask(student: (length: number) => tf.Tensor): Verdict {
  return checkRecorded(causalMaskProbe, student);
}

// ---------------------------------------------------------------- probes

/** Every probe of the lab: the public checks run them on recorded seeds, hidden tests on the grading seed. */
export const probes = {
  alignment: alignmentProbe,
  scaledDotProductAttention: attentionProbe,
  multiHeadAttention: multiHeadProbe,
  sinusoidalEncoding: sinusoidalProbe,
  encoderBlock: encoderBlockProbe,
  transformerPredictor: predictorProbe,
  heldOutPredictions: heldOutPredictionsProbe,
  antiDiagonalFraction: antiDiagonalProbe,
  attentionMaps: attentionMapsProbe,
  causalMask: causalMaskProbe,
};
