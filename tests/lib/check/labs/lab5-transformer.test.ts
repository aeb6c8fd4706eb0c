import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useBestBackend } from "../../../../lib/backend";
import { lab5, type Verdict } from "../../../../lib/check";
import * as nn from "../../../../lib/nn";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

/** The hint the check gives, after asserting it failed (and printed one line). */
function hintOf(v: Verdict): string {
  expect(v.ok).toBe(false);
  return v.hint ?? `(no hint) ${v.message}`;
}

// ------------------------------------------------------------ attention, as a student writes it

interface AttentionSlips {
  noScale?: boolean;
  softmaxAxis?: number;
  keysTimesQueries?: boolean;
  kTransposeFor3D?: boolean;
  maskAfterSoftmax?: boolean;
  maskWithZero?: boolean;
  maskInverted?: boolean;
}

function attention(slips: AttentionSlips = {}) {
  return (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask?: tf.Tensor) => {
    const d = q.shape[q.rank - 1];
    let scores = slips.keysTimesQueries
      ? tf.matMul(k, q, false, true)
      : slips.kTransposeFor3D
        ? tf.matMul(q, k.transpose([0, 2, 1]))
        : tf.matMul(q, k, false, true);
    if (!slips.noScale) scores = scores.div(Math.sqrt(d));
    if (mask && slips.maskWithZero) scores = scores.mul(mask);
    else if (mask && !slips.maskAfterSoftmax) {
      const allowed = mask.cast("bool").broadcastTo(scores.shape);
      scores = slips.maskInverted ? tf.where(allowed, tf.fill(scores.shape, -Infinity), scores) : tf.where(allowed, scores, tf.fill(scores.shape, -Infinity));
    }
    let weights = tf.softmax(slips.softmaxAxis === -2 ? scores.transpose([0, 2, 1]) : scores);
    if (slips.softmaxAxis === -2) weights = weights.transpose([0, 2, 1]);
    if (mask && slips.maskAfterSoftmax) weights = weights.mul(mask);
    return { output: tf.matMul(weights, v), weights };
  };
}

describe("lab5.alignment", () => {
  const right = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => {
    const scores = tf.matMul(q, k, false, true);
    const weights = tf.softmax(scores);
    return { scores, weights, output: tf.matMul(weights, v) };
  };
  it("passes dot-product scores, softmax weights and their weighted sum", () => {
    expect(lab5.alignment(right).ok).toBe(true);
    expect(lab5.alignment(right, { thorough: true }).ok).toBe(true);
  });
  it("names a softmax over the queries", () => {
    const wrong = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => {
      const scores = tf.matMul(q, k, false, true);
      // tf.softmax takes the last axis only: a softmax over the queries goes through a transpose.
      const weights = tf.softmax(scores.transpose()).transpose();
      return { scores, weights, output: tf.matMul(weights, v) };
    };
    expect(hintOf(lab5.alignment(wrong))).toMatch(/sum to 1 over the queries/);
  });
  it("names raw scores used as weights", () => {
    const wrong = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => {
      const scores = tf.matMul(q, k, false, true);
      return { scores, weights: tf.softmax(scores), output: tf.matMul(scores, v) };
    };
    expect(hintOf(lab5.alignment(wrong))).toMatch(/raw scores/);
  });
  it("names a sum-normalisation that is not a softmax", () => {
    const wrong = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => {
      const scores = tf.matMul(q, k, false, true);
      const weights = scores.div(scores.sum(-1, true));
      return { scores, weights, output: tf.matMul(weights, v) };
    };
    expect(hintOf(lab5.alignment(wrong))).toMatch(/not a softmax/);
  });
  it("explains tfjs's last-axis-only softmax when it throws", () => {
    const wrong = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => {
      const scores = tf.matMul(q, k, false, true);
      const weights = tf.softmax(scores, 0);
      return { scores, weights, output: tf.matMul(weights, v) };
    };
    expect(lab5.alignment(wrong).message).toMatch(/tf.softmax works on the last axis only/);
  });
  it("names scores taken against the values", () => {
    const wrong = (q: tf.Tensor, _k: tf.Tensor, v: tf.Tensor) => right(q, v, v);
    expect(hintOf(lab5.alignment(wrong))).toMatch(/compare them with the keys/);
  });
});

describe("lab5.scaledDotProductAttention", () => {
  it("passes a correct implementation, also on the thorough (hidden) inputs", () => {
    expect(lab5.scaledDotProductAttention(attention()).ok).toBe(true);
    expect(lab5.scaledDotProductAttention(attention(), { thorough: true }).ok).toBe(true);
  });
  it("names the missing √d scale", () => {
    expect(hintOf(lab5.scaledDotProductAttention(attention({ noScale: true })))).toMatch(/missing the 1\/√d scale/);
  });
  it("names a softmax over the wrong axis", () => {
    expect(hintOf(lab5.scaledDotProductAttention(attention({ softmaxAxis: -2 })))).toMatch(/softmax over the wrong axis/);
  });
  it("names a transposed K (scores K Qᵀ)", () => {
    expect(hintOf(lab5.scaledDotProductAttention(attention({ keysTimesQueries: true })))).toMatch(/transposed K/);
  });
  it("names a K transpose that only works in 3-D, only in the thorough check", () => {
    expect(lab5.scaledDotProductAttention(attention({ kTransposeFor3D: true })).ok).toBe(true);
    const v = lab5.scaledDotProductAttention(attention({ kTransposeFor3D: true }), { thorough: true });
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/only fits 3-D inputs/);
  });
  it("names a mask applied after the softmax", () => {
    expect(hintOf(lab5.scaledDotProductAttention(attention({ maskAfterSoftmax: true })))).toMatch(/mask applied after the softmax/);
  });
  it("names a mask that sets blocked scores to 0 instead of −∞", () => {
    expect(hintOf(lab5.scaledDotProductAttention(attention({ maskWithZero: true })))).toMatch(/a score of 0 is not blocked/);
  });
  it("names an inverted mask (PyTorch's two conventions)", () => {
    expect(hintOf(lab5.scaledDotProductAttention(attention({ maskInverted: true })))).toMatch(/mask inverted/);
  });
  it("says 'not implemented yet' for a released lab's stub, and for notImplemented()", () => {
    const stub = () => {
      throw new Error("not implemented: scaledDotProductAttention (replace this line with your code)");
    };
    const v = lab5.scaledDotProductAttention(stub);
    expect(v).toMatchObject({ ok: false, notImplemented: true, message: "scaledDotProductAttention: not implemented yet" });
  });
  it("leaves no tensors behind", () => {
    const before = tf.memory().numTensors;
    lab5.scaledDotProductAttention(attention({ maskWithZero: true }), { thorough: true });
    expect(tf.memory().numTensors).toBe(before);
  });
});

// ------------------------------------------------------------ multi-head attention, as a student writes it

interface HeadSlips {
  mergeWithoutTranspose?: boolean;
  splitWithoutTranspose?: boolean;
  scaleByModelDim?: boolean;
  noOutputProjection?: boolean;
}

function multiHeadClass(slips: HeadSlips = {}) {
  return class MultiHeadAttention extends nn.Module {
    readonly headDim: number;
    readonly qProj: nn.Linear;
    readonly kProj: nn.Linear;
    readonly vProj: nn.Linear;
    readonly outProj: nn.Linear;

    constructor(readonly dModel: number, readonly numHeads: number) {
      super();
      this.headDim = dModel / numHeads;
      this.qProj = this.registerModule("q_proj", new nn.Linear(dModel, dModel));
      this.kProj = this.registerModule("k_proj", new nn.Linear(dModel, dModel));
      this.vProj = this.registerModule("v_proj", new nn.Linear(dModel, dModel));
      this.outProj = this.registerModule("out_proj", new nn.Linear(dModel, dModel));
    }

    splitHeads(x: tf.Tensor): tf.Tensor {
      const [batch, L] = x.shape;
      if (slips.splitWithoutTranspose) return x.reshape([batch, this.numHeads, L, this.headDim]);
      return x.reshape([batch, L, this.numHeads, this.headDim]).transpose([0, 2, 1, 3]);
    }

    mergeHeads(x: tf.Tensor): tf.Tensor {
      const [batch, , L] = x.shape;
      if (slips.mergeWithoutTranspose) return x.reshape([batch, L, this.dModel]);
      return x.transpose([0, 2, 1, 3]).reshape([batch, L, this.dModel]);
    }

    attend(query: tf.Tensor, key: tf.Tensor = query, value: tf.Tensor = key, mask?: tf.Tensor) {
      const q = this.splitHeads(this.qProj.forward(query));
      const k = this.splitHeads(this.kProj.forward(key));
      const v = this.splitHeads(this.vProj.forward(value));
      const d = slips.scaleByModelDim ? this.dModel : this.headDim;
      let scores = tf.matMul(q, k, false, true).div(Math.sqrt(d));
      if (mask) scores = tf.where(mask.cast("bool").broadcastTo(scores.shape), scores, tf.fill(scores.shape, -Infinity));
      const weights = tf.softmax(scores);
      const merged = this.mergeHeads(tf.matMul(weights, v));
      return { output: slips.noOutputProjection ? merged : this.outProj.forward(merged), weights };
    }

    forward(x: tf.Tensor): tf.Tensor {
      return this.attend(x).output;
    }
  };
}

describe("lab5.multiHeadAttention", () => {
  it("passes a correct implementation against lib's nn.MultiheadAttention with the same weights", () => {
    expect(lab5.multiHeadAttention(multiHeadClass()).ok).toBe(true);
    expect(lab5.multiHeadAttention(multiHeadClass(), { thorough: true }).ok).toBe(true);
  });
  it("names heads merged in the wrong order", () => {
    expect(hintOf(lab5.multiHeadAttention(multiHeadClass({ mergeWithoutTranspose: true })))).toMatch(/heads merged in the wrong order/);
  });
  it("names heads split in the wrong order", () => {
    expect(hintOf(lab5.multiHeadAttention(multiHeadClass({ splitWithoutTranspose: true })))).toMatch(/heads split in the wrong order/);
  });
  it("names a scale by √dModel instead of √(head size)", () => {
    expect(hintOf(lab5.multiHeadAttention(multiHeadClass({ scaleByModelDim: true })))).toMatch(/scaled by 1\/√dModel/);
  });
  it("names a missing output projection", () => {
    expect(hintOf(lab5.multiHeadAttention(multiHeadClass({ noOutputProjection: true })))).toMatch(/output projection is missing/);
  });
  it("frees the modules it builds", () => {
    const before = tf.memory().numTensors;
    lab5.multiHeadAttention(multiHeadClass({ mergeWithoutTranspose: true }), { thorough: true });
    expect(tf.memory().numTensors).toBe(before);
  });
});

// ------------------------------------------------------------ positional encoding

function sineTable(slips: { swap?: boolean; halves?: boolean; exponentPerDim?: boolean } = {}) {
  return (length: number, dModel: number): tf.Tensor => {
    const rows: number[][] = [];
    for (let pos = 0; pos < length; pos++) {
      const row = new Array<number>(dModel).fill(0);
      for (let i = 0; i < dModel / 2; i++) {
        const angle = pos / 10000 ** ((slips.exponentPerDim ? i : 2 * i) / dModel);
        const [a, b] = slips.swap ? [Math.cos(angle), Math.sin(angle)] : [Math.sin(angle), Math.cos(angle)];
        if (slips.halves) [row[i], row[dModel / 2 + i]] = [a, b];
        else [row[2 * i], row[2 * i + 1]] = [a, b];
      }
      rows.push(row);
    }
    return tf.tensor2d(rows);
  };
}

describe("lab5.sinusoidalEncoding", () => {
  it("passes the interleaved sin/cos table of lib's nn.PositionalEncoding", () => {
    expect(lab5.sinusoidalEncoding(sineTable()).ok).toBe(true);
    expect(lab5.sinusoidalEncoding(sineTable(), { thorough: true }).ok).toBe(true);
  });
  it("names sin and cos swapped", () => {
    expect(hintOf(lab5.sinusoidalEncoding(sineTable({ swap: true })))).toMatch(/sin and cos swapped/);
  });
  it("names sin and cos in two halves", () => {
    expect(hintOf(lab5.sinusoidalEncoding(sineTable({ halves: true })))).toMatch(/first half/);
  });
  it("names an exponent i/d instead of 2i/d", () => {
    expect(hintOf(lab5.sinusoidalEncoding(sineTable({ exponentPerDim: true })))).toMatch(/2i\/dModel/);
  });
});

// ------------------------------------------------------------ encoder block, as a student writes it

interface BlockSlips {
  noAttentionResidual?: boolean;
  noFeedForwardResidual?: boolean;
  preNorm?: boolean;
}

function encoderBlockClass(slips: BlockSlips = {}) {
  const MultiHeadAttention = multiHeadClass();
  return class EncoderBlock extends nn.Module {
    readonly selfAttn: InstanceType<typeof MultiHeadAttention>;
    readonly linear1: nn.Linear;
    readonly linear2: nn.Linear;
    readonly norm1: nn.LayerNorm;
    readonly norm2: nn.LayerNorm;

    constructor(dModel: number, numHeads: number, dimFeedforward: number) {
      super();
      this.selfAttn = this.registerModule("self_attn", new MultiHeadAttention(dModel, numHeads));
      this.linear1 = this.registerModule("linear1", new nn.Linear(dModel, dimFeedforward));
      this.linear2 = this.registerModule("linear2", new nn.Linear(dimFeedforward, dModel));
      this.norm1 = this.registerModule("norm1", new nn.LayerNorm(dModel));
      this.norm2 = this.registerModule("norm2", new nn.LayerNorm(dModel));
    }

    attend(x: tf.Tensor, mask?: tf.Tensor) {
      const mlp = (h: tf.Tensor) => this.linear2.forward(this.linear1.forward(h).relu());
      if (slips.preNorm) {
        const n = this.norm1.forward(x);
        const { output, weights } = this.selfAttn.attend(n, n, n, mask);
        const h = x.add(output);
        return { output: h.add(mlp(this.norm2.forward(h))), weights };
      }
      const { output, weights } = this.selfAttn.attend(x, x, x, mask);
      const h = this.norm1.forward(slips.noAttentionResidual ? output : x.add(output));
      return { output: this.norm2.forward(slips.noFeedForwardResidual ? mlp(h) : h.add(mlp(h))), weights };
    }

    forward(x: tf.Tensor): tf.Tensor {
      return this.attend(x).output;
    }
  };
}

describe("lab5.encoderBlock", () => {
  it("passes a post-norm block against lib's nn.TransformerEncoderLayer with the same weights", () => {
    expect(lab5.encoderBlock(encoderBlockClass()).ok).toBe(true);
    expect(lab5.encoderBlock(encoderBlockClass(), { thorough: true }).ok).toBe(true);
  });
  it("names the missing skip connection around attention", () => {
    expect(hintOf(lab5.encoderBlock(encoderBlockClass({ noAttentionResidual: true })))).toMatch(/skip connection around attention is missing/);
  });
  it("names the missing skip connection around the MLP", () => {
    expect(hintOf(lab5.encoderBlock(encoderBlockClass({ noFeedForwardResidual: true })))).toMatch(/skip connection around the MLP is missing/);
  });
  it("names layer norm before the sublayer instead of after", () => {
    expect(hintOf(lab5.encoderBlock(encoderBlockClass({ preNorm: true })))).toMatch(/layer norm before the sublayer/);
  });
});

// ------------------------------------------------------------ reading attention maps

describe("lab5.antiDiagonalFraction and lab5.causalMask", () => {
  const fraction = (axis: number, diagonal = false) => (w: tf.Tensor): number => {
    const L = w.shape[w.rank - 1];
    const target = diagonal ? tf.range(0, L, 1, "int32") : tf.sub(L - 1, tf.range(0, L, 1, "int32"));
    return w.argMax(axis).equal(target).toFloat().mean().dataSync()[0];
  };
  it("passes the fraction of rows whose arg-max is L−1−i", () => {
    expect(lab5.antiDiagonalFraction(fraction(-1)).ok).toBe(true);
  });
  it("names the diagonal counted instead of the anti-diagonal", () => {
    expect(hintOf(lab5.antiDiagonalFraction(fraction(-1, true)))).toMatch(/counts the diagonal/);
  });
  it("names an arg-max over the queries", () => {
    expect(hintOf(lab5.antiDiagonalFraction(fraction(-2)))).toMatch(/arg-max over the queries/);
  });
  it("passes a lower-triangular causal mask and names the upper one", () => {
    expect(lab5.causalMask((L) => tf.linalg.bandPart(tf.ones([L, L]), -1, 0)).ok).toBe(true);
    expect(hintOf(lab5.causalMask((L) => tf.linalg.bandPart(tf.ones([L, L]), 0, -1)))).toMatch(/see the future/);
    expect(hintOf(lab5.causalMask((L) => tf.linalg.bandPart(tf.ones([L, L]), -1, 0).sub(tf.eye(L))))).toMatch(/diagonal is blocked/);
  });
  it("holds the trained model to the bars", () => {
    expect(lab5.heldOutAccuracy(0.995).ok).toBe(true);
    expect(hintOf(lab5.heldOutAccuracy(0.1))).toMatch(/chance/);
    expect(lab5.reversesInSomeHead([[0.2, 0.95], [0.1, 0.3]]).message).toMatch(/^layer 1, head 2 attends to key L−1−i for 95.0% of queries/);
    expect(lab5.reversesInSomeHead([[0.2, 0.5]]).ok).toBe(false);
  });
});
