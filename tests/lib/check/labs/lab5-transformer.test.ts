import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { lab5 as course, scoreHeldOutAccuracy, scoreReversingHead } from "../../../../course/labs/lab5-transformer";
import * as mistakes from "../../../../course/labs/lab5-transformer/mistakes";
import * as reference from "../../../../course/labs/lab5-transformer/reference";
import { useBestBackend } from "../../../../lib/backend";
import { lab5, record, runCase, type RecordOutput, type Verdict } from "../../../../lib/check";
import * as lab5Module from "../../../../lib/check/labs/lab5-transformer";
import { describeWhatShips } from "./shipped";
import * as nn from "../../../../lib/nn";

beforeAll(async () => {
  // The records were made on wasm: the checks compare with them there.
  await useBestBackend({ backend: "wasm", quiet: true });
  vi.spyOn(console, "log").mockImplementation(() => undefined);
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
});

/** The hint the check gives, after asserting it failed (and printed one line). */
function hintOf(v: Verdict): string {
  expect(v.ok).toBe(false);
  return v.hint ?? `(no hint) ${v.message}`;
}

// ------------------------------------------------------------ what ships, and what is recorded

describeWhatShips(course, lab5Module, [
  "alignment",
  "antiDiagonalFraction",
  "causalMask",
  "encoderBlock",
  "heldOutAccuracy",
  "multiHeadAttention",
  "probes",
  "reversesInSomeHead",
  "scaledDotProductAttention",
  "shapes",
  "sinusoidalEncoding",
  "transformerPredictor",
]);

describe("lab5's kit side", () => {
  it("has one public check for every probe but the trained model's, each with its mistakes", () => {
    const names = course.checks.map((c) => (c as { probe: { name: string } }).probe.name);
    expect(names.sort()).toEqual(
      Object.keys(lab5.probes)
        .filter((n) => n !== "heldOutPredictions" && n !== "attentionMaps")
        .sort(),
    );
  });

  it("leaves no tensor (nor variable) behind when a probe runs the reference", () => {
    const runs: [string, () => unknown][] = [
      ["alignment", () => lab5.probes.alignment.run(reference.alignment, 1)],
      [
        "scaledDotProductAttention",
        () => lab5.probes.scaledDotProductAttention.run(reference.scaledDotProductAttention, 5),
      ],
      ["multiHeadAttention", () => lab5.probes.multiHeadAttention.run(reference.MultiHeadAttention, 3)],
      ["sinusoidalEncoding", () => lab5.probes.sinusoidalEncoding.run(reference.sinusoidalEncoding, 1)],
      ["encoderBlock", () => lab5.probes.encoderBlock.run(reference.EncoderBlock, 2)],
      ["transformerPredictor", () => lab5.probes.transformerPredictor.run(reference.TransformerPredictor, 1)],
      ["antiDiagonalFraction", () => lab5.probes.antiDiagonalFraction.run(reference.antiDiagonalFraction, 1)],
      ["causalMask", () => lab5.probes.causalMask.run(reference.causalMask, 3)],
    ];
    for (const [name, run] of runs) {
      const before = tf.memory().numTensors;
      expect(runCase(run), name).toHaveProperty("value");
      expect(tf.memory().numTensors, name).toBe(before);
    }
  });

  it("builds the student's modules without moving nn's seed sequence, so the notebook's model keeps its weights", () => {
    const weightsAfter = (between: () => void) => {
      nn.manualSeed(0);
      between();
      const layer = new nn.Linear(3, 3);
      const values = Array.from(layer.weight.dataSync());
      layer.dispose();
      return values;
    };
    const plain = weightsAfter(() => undefined);
    expect(weightsAfter(() => runCase(() => lab5.probes.encoderBlock.run(reference.EncoderBlock, 1)))).toEqual(plain);
    expect(
      weightsAfter(() => runCase(() => lab5.probes.multiHeadAttention.run(reference.MultiHeadAttention, 1))),
    ).toEqual(plain);
  });

  it("sees every input shape of a probe in a hidden test's cases", () => {
    for (const [name, n] of Object.entries(lab5.shapes)) {
      const seeds: number[] = [];
      record(name, (seed) => seeds.push(seed), { cases: n });
      expect(new Set(seeds.map((s) => s % n)).size, name).toBe(n);
    }
  });
});

// ------------------------------------------------------------ every recorded mistake names itself

describe("lab5's catalogue of mistakes, through the public checks", () => {
  const cases: [string, (fn: never) => Verdict, { hint: string; fn: unknown }[], unknown][] = [
    ["alignment", lab5.alignment as never, mistakes.alignment, reference.alignment],
    [
      "scaledDotProductAttention",
      lab5.scaledDotProductAttention as never,
      mistakes.scaledDotProductAttention,
      reference.scaledDotProductAttention,
    ],
    ["multiHeadAttention", lab5.multiHeadAttention as never, mistakes.multiHeadAttention, reference.MultiHeadAttention],
    ["sinusoidalEncoding", lab5.sinusoidalEncoding as never, mistakes.sinusoidalEncoding, reference.sinusoidalEncoding],
    ["encoderBlock", lab5.encoderBlock as never, mistakes.encoderBlock, reference.EncoderBlock],
    [
      "antiDiagonalFraction",
      lab5.antiDiagonalFraction as never,
      mistakes.antiDiagonalFraction,
      reference.antiDiagonalFraction,
    ],
    ["causalMask", lab5.causalMask as never, mistakes.causalMask, reference.causalMask],
  ];
  for (const [name, check, catalogue, right] of cases) {
    it(`${name}: passes the reference and names each mistake by its hint`, () => {
      expect(check(right as never).ok).toBe(true);
      for (const m of catalogue) expect(hintOf(check(m.fn as never))).toBe(m.hint);
    });
  }
  it("transformerPredictor: passes the reference's chaining and names each mistake by its hint", () => {
    const check = (P: unknown) => lab5.transformerPredictor(Object.create((P as { prototype: object }).prototype));
    expect(check(reference.TransformerPredictor).ok).toBe(true);
    for (const m of mistakes.transformerPredictor) expect(hintOf(check(m.fn))).toBe(m.hint);
  });
});

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
      scores = slips.maskInverted
        ? tf.where(allowed, tf.fill(scores.shape, -Infinity), scores)
        : tf.where(allowed, scores, tf.fill(scores.shape, -Infinity));
    }
    const swap = (x: tf.Tensor) =>
      x.transpose([...x.shape.keys()].map((i) => (i === x.rank - 1 ? x.rank - 2 : i === x.rank - 2 ? x.rank - 1 : i)));
    let weights = tf.softmax(slips.softmaxAxis === -2 ? swap(scores) : scores);
    if (slips.softmaxAxis === -2) weights = swap(weights);
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
    expect(hintOf(lab5.alignment(wrong))).toMatch(/tf.softmax works on the last axis only/);
  });
  it("names scores taken against the values", () => {
    const wrong = (q: tf.Tensor, _k: tf.Tensor, v: tf.Tensor) => right(q, v, v);
    expect(hintOf(lab5.alignment(wrong))).toMatch(/compare them with the keys/);
  });
});

describe("lab5.scaledDotProductAttention", () => {
  it("passes a correct implementation, on every input shape (masks, L ≠ S, a heads axis)", () => {
    expect(lab5.scaledDotProductAttention(attention())).toMatchObject({
      ok: true,
      message: "scaledDotProductAttention: matches the reference on 5 random inputs",
    });
  });
  it("names the missing √d scale", () => {
    expect(hintOf(lab5.scaledDotProductAttention(attention({ noScale: true })))).toMatch(/missing the 1\/√d scale/);
  });
  it("names a softmax over the wrong axis", () => {
    expect(hintOf(lab5.scaledDotProductAttention(attention({ softmaxAxis: -2 })))).toMatch(
      /softmax over the wrong axis/,
    );
  });
  it("names a transposed K (scores K Qᵀ)", () => {
    expect(hintOf(lab5.scaledDotProductAttention(attention({ keysTimesQueries: true })))).toMatch(/transposed K/);
  });
  it("names a K transpose that only works in 3-D, before multi-head attention needs the heads axis", () => {
    const v = lab5.scaledDotProductAttention(attention({ kTransposeFor3D: true }));
    expect(hintOf(v)).toMatch(/only fits 3-D inputs/);
  });
  it("names a mask applied after the softmax", () => {
    expect(hintOf(lab5.scaledDotProductAttention(attention({ maskAfterSoftmax: true })))).toMatch(
      /mask applied after the softmax/,
    );
  });
  it("names a mask that sets blocked scores to 0 instead of −∞", () => {
    expect(hintOf(lab5.scaledDotProductAttention(attention({ maskWithZero: true })))).toMatch(
      /a score of 0 is not blocked/,
    );
  });
  it("names an inverted mask (PyTorch's two conventions)", () => {
    expect(hintOf(lab5.scaledDotProductAttention(attention({ maskInverted: true })))).toMatch(/mask inverted/);
  });
  it("says 'not implemented yet' for a released lab's stub", () => {
    const stub = () => {
      throw new Error("not implemented: scaledDotProductAttention (replace this line with your code)");
    };
    const v = lab5.scaledDotProductAttention(stub);
    expect(v).toMatchObject({
      ok: false,
      notImplemented: true,
      message: "scaledDotProductAttention: not implemented yet",
    });
  });
  it("leaves no tensors behind", () => {
    const before = tf.memory().numTensors;
    lab5.scaledDotProductAttention(attention({ maskWithZero: true }));
    lab5.scaledDotProductAttention(attention());
    expect(tf.memory().numTensors).toBe(before);
  });
});

// ------------------------------------------------------------ multi-head attention, as a student writes it

interface HeadSlips {
  mergeWithoutTranspose?: boolean;
  splitWithoutTranspose?: boolean;
  scaleByModelDim?: boolean;
  noOutputProjection?: boolean;
  splitStub?: boolean;
}

function multiHeadClass(slips: HeadSlips = {}) {
  return class MultiHeadAttention extends nn.Module {
    readonly headDim: number;
    readonly qProj: nn.Linear;
    readonly kProj: nn.Linear;
    readonly vProj: nn.Linear;
    readonly outProj: nn.Linear;

    constructor(
      readonly dModel: number,
      readonly numHeads: number,
    ) {
      super();
      this.headDim = dModel / numHeads;
      this.qProj = this.registerModule("q_proj", new nn.Linear(dModel, dModel));
      this.kProj = this.registerModule("k_proj", new nn.Linear(dModel, dModel));
      this.vProj = this.registerModule("v_proj", new nn.Linear(dModel, dModel));
      this.outProj = this.registerModule("out_proj", new nn.Linear(dModel, dModel));
    }

    splitHeads(x: tf.Tensor): tf.Tensor {
      if (slips.splitStub) throw new Error("not implemented: splitHeads (replace this line with your code)");
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
      if (mask)
        scores = tf.where(mask.cast("bool").broadcastTo(scores.shape), scores, tf.fill(scores.shape, -Infinity));
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
  it("passes a correct implementation against lib's nn.MultiheadAttention with the same weights (masks, L ≠ S, 2 and 3 heads)", () => {
    expect(lab5.multiHeadAttention(multiHeadClass()).ok).toBe(true);
  });
  it("names heads merged in the wrong order", () => {
    expect(hintOf(lab5.multiHeadAttention(multiHeadClass({ mergeWithoutTranspose: true })))).toMatch(
      /heads merged in the wrong order/,
    );
  });
  it("names heads split in the wrong order", () => {
    expect(hintOf(lab5.multiHeadAttention(multiHeadClass({ splitWithoutTranspose: true })))).toMatch(
      /heads split in the wrong order/,
    );
  });
  it("names a scale by √dModel instead of √(head size)", () => {
    expect(hintOf(lab5.multiHeadAttention(multiHeadClass({ scaleByModelDim: true })))).toMatch(/scaled by 1\/√dModel/);
  });
  it("names a missing output projection", () => {
    expect(hintOf(lab5.multiHeadAttention(multiHeadClass({ noOutputProjection: true })))).toMatch(
      /output projection is missing/,
    );
  });
  it("says which method is not implemented yet", () => {
    expect(lab5.multiHeadAttention(multiHeadClass({ splitStub: true }))).toMatchObject({
      notImplemented: true,
      message: "MultiHeadAttention: splitHeads is not implemented yet",
    });
  });
  it("frees the modules it builds", () => {
    const before = tf.memory().numTensors;
    lab5.multiHeadAttention(multiHeadClass({ mergeWithoutTranspose: true }));
    lab5.multiHeadAttention(multiHeadClass());
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
  it("passes a post-norm block against lib's nn.TransformerEncoderLayer with the same weights (masks, 2 and 3 heads)", () => {
    expect(lab5.encoderBlock(encoderBlockClass()).ok).toBe(true);
  });
  it("names the missing skip connection around attention", () => {
    expect(hintOf(lab5.encoderBlock(encoderBlockClass({ noAttentionResidual: true })))).toMatch(
      /skip connection around attention is missing/,
    );
  });
  it("names the missing skip connection around the MLP", () => {
    expect(hintOf(lab5.encoderBlock(encoderBlockClass({ noFeedForwardResidual: true })))).toMatch(
      /skip connection around the MLP is missing/,
    );
  });
  it("names layer norm before the sublayer instead of after", () => {
    expect(hintOf(lab5.encoderBlock(encoderBlockClass({ preNorm: true })))).toMatch(/layer norm before the sublayer/);
  });
});

// ------------------------------------------------------------ the predictor, as a student writes it

interface PredictorSlips {
  noPositions?: boolean;
  stackOnAxis0?: boolean;
  maskDropped?: boolean;
}

function predictorClass(slips: PredictorSlips = {}) {
  const EncoderBlock = encoderBlockClass();
  return class TransformerPredictor extends nn.Module {
    readonly embed: nn.Embedding;
    readonly positional: nn.Module;
    readonly layers: nn.ModuleList<InstanceType<typeof EncoderBlock>>;
    readonly head: nn.Linear;

    constructor(vocab: number, dModel: number, numHeads: number, numLayers: number, maxLen: number) {
      super();
      this.embed = this.registerModule("embed", new nn.Embedding(vocab, dModel));
      this.positional = this.registerModule("positional", new nn.PositionalEncoding(dModel, { maxLen }));
      this.layers = this.registerModule(
        "layers",
        new nn.ModuleList(Array.from({ length: numLayers }, () => new EncoderBlock(dModel, numHeads, 2 * dModel))),
      );
      this.head = this.registerModule("head", new nn.Linear(dModel, vocab));
    }

    attend(tokens: tf.Tensor, mask?: tf.Tensor) {
      return tf.tidy(() => {
        const embedded = this.embed.forward(tokens);
        let x = slips.noPositions ? embedded : this.positional.forward(embedded);
        const maps: tf.Tensor[] = [];
        for (const block of this.layers.items) {
          const { output, weights } = block.attend(x, slips.maskDropped ? undefined : mask);
          x = output;
          maps.push(weights);
        }
        return { logits: this.head.forward(x), weights: tf.stack(maps, slips.stackOnAxis0 ? 0 : 1) };
      });
    }

    forward(tokens: tf.Tensor): tf.Tensor {
      return tf.tidy(() => this.attend(tokens).logits);
    }
  };
}

describe("lab5.transformerPredictor", () => {
  /** The notebook's check: a small model and two sequences of tokens. */
  function check(slips: PredictorSlips & { batchOf?: number } = {}): Verdict {
    const model = nn.withManualSeed(2, () => new (predictorClass(slips))(10, 16, 2, 2, 16));
    const tokens = tf.tensor2d(
      [
        [1, 2, 3, 4, 5],
        [9, 8, 7, 6, 5],
        [0, 1, 0, 1, 0],
      ].slice(0, slips.batchOf ?? 2),
      [slips.batchOf ?? 2, 5],
      "int32",
    );
    try {
      return lab5.transformerPredictor(model, tokens);
    } finally {
      model.dispose();
      tokens.dispose();
    }
  }
  it("passes head(blocks(positional(embed(tokens)))) with every block's weights stacked on axis 1", () => {
    expect(check().ok).toBe(true);
  });
  it("names logits that ignore the positions", () => {
    expect(hintOf(check({ noPositions: true }))).toMatch(/ignore the positions/);
  });
  it("names the layers' weights stacked on the wrong axis", () => {
    expect(hintOf(check({ stackOnAxis0: true }))).toMatch(/stack the layers' weights on axis 1/);
  });
  it("names weights of the wrong shape on the notebook's own tokens", () => {
    const v = check({ stackOnAxis0: true, batchOf: 3 });
    expect(hintOf(v)).toMatch(/stack the layers' weights on axis 1/);
    expect(v.message).toMatch(
      /weights have shape \[2,3,2,5,5\]; expected \[batch, layers, heads, L, L\] = \[3,2,heads,5,5\]/,
    );
  });
  it("names a mask that does not reach the blocks", () => {
    expect(hintOf(check({ maskDropped: true }))).toMatch(/mask does not reach the blocks/);
  });
  it("leaves no tensors behind", () => {
    const before = tf.memory().numTensors;
    check();
    check({ noPositions: true });
    expect(tf.memory().numTensors).toBe(before);
  });
});

// ------------------------------------------------------------ reading attention maps

describe("lab5.antiDiagonalFraction and lab5.causalMask", () => {
  const fraction =
    (axis: number, diagonal = false) =>
    (w: tf.Tensor): number => {
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
    expect(hintOf(lab5.causalMask((L) => tf.linalg.bandPart(tf.ones([L, L]), -1, 0).sub(tf.eye(L))))).toMatch(
      /diagonal is blocked/,
    );
  });
  it("holds the trained model to the bars in the student's notebook", () => {
    expect(lab5.heldOutAccuracy(0.995).ok).toBe(true);
    expect(hintOf(lab5.heldOutAccuracy(0.1))).toMatch(/chance/);
    expect(
      lab5.reversesInSomeHead([
        [0.2, 0.95],
        [0.1, 0.3],
      ]).message,
    ).toMatch(/^layer 1, head 2 attends to key L−1−i for 95.0% of queries/);
    expect(lab5.reversesInSomeHead([[0.2, 0.5]]).ok).toBe(false);
  });
});

// ------------------------------------------------------------ the grader's scoring of the trained model

describe("lab5's scoring of the trained model, from records", () => {
  const SEED = 1_000_000;
  const tensor = (shape: number[], values: number[]) => ({ tensor: { dtype: "int32", shape, values } });
  const shown = (name: string, value: object): Map<string, RecordOutput> =>
    new Map([[name, { name, seed: SEED, cases: [{ value: value as never }] }]]);

  describe("test_accuracy", () => {
    const targets = Array.from({ length: 200 }, (_, i) => i % 10);
    const solution = shown("heldOutPredictions", {
      predictions: tensor([10, 20], targets),
      targets: tensor([10, 20], targets),
    });
    /** Predictions with the first `wrong` tokens off by one. */
    const predicting = (wrong: number, theirTargets = targets) =>
      shown("heldOutPredictions", {
        predictions: tensor(
          [10, 20],
          targets.map((t, i) => (i < wrong ? (t + 1) % 10 : t)),
        ),
        targets: tensor([10, 20], theirTargets),
      });
    const score = scoreHeldOutAccuracy(0.99);
    it("gives the points for ≥ 99% of the held-out tokens right, against the solution's targets", () => {
      expect(score(predicting(2), solution)).toEqual({ fraction: 1, message: "" });
    });
    it("gives none below 99%, and says the accuracy", () => {
      expect(score(predicting(3), solution)).toEqual({
        fraction: 0,
        message: "held-out token accuracy 98.50% < 99% (197 of 200 tokens)",
      });
    });
    it("ignores the targets in the student's own record", () => {
      const wrongEverywhere = targets.map((t) => (t + 1) % 10);
      expect(score(predicting(200, wrongEverywhere), solution).fraction).toBe(0);
    });
    it("gives none when the student's notebook recorded nothing, or on another seed", () => {
      expect(score(new Map([["heldOutPredictions", undefined]]), solution).message).toMatch(/recorded nothing/);
      const other = predicting(0);
      other.get("heldOutPredictions")!.seed = SEED + 1;
      expect(score(other, solution).message).toMatch(/seed/);
    });
    it("is the course's scoring of test_accuracy", () => {
      expect(course.scoring!.test_accuracy(predicting(3), solution).fraction).toBe(0);
      expect(course.scoring!.test_accuracy(predicting(0), solution).fraction).toBe(1);
    });
  });

  describe("test_reverses", () => {
    /** Weights [batch 2, layers 2, heads 2, L 4, L 4]: layer 2's head 1 points at key L−1−i for `right` of the 8 queries, at key i otherwise. */
    function maps(right: number) {
      const [batch, layers, heads, L] = [2, 2, 2, 4];
      const values: number[] = [];
      let query = 0;
      for (let b = 0; b < batch; b++)
        for (let l = 0; l < layers; l++)
          for (let h = 0; h < heads; h++)
            for (let i = 0; i < L; i++) {
              const reversing = l === 1 && h === 0 && query++ < right;
              for (let j = 0; j < L; j++) values.push(j === (reversing ? L - 1 - i : i) ? 0.7 : 0.1);
            }
      return shown("attentionMaps", {
        weights: { tensor: { dtype: "float32", shape: [batch, layers, heads, L, L], values } },
      });
    }
    const score = scoreReversingHead(0.9);
    it("gives the points when some head's most-attended key is L−1−i for ≥ 90% of queries", () => {
      expect(score(maps(8), maps(8))).toEqual({ fraction: 1, message: "" });
    });
    it("gives none below, and says the best head's fraction", () => {
      expect(score(maps(7), maps(8))).toEqual({
        fraction: 0,
        message: "the best head attends to key L−1−i for 87.5% of queries (< 90%)",
      });
    });
    it("gives none for weights of another shape", () => {
      const flat = shown("attentionMaps", {
        weights: { tensor: { dtype: "float32", shape: [4, 4], values: new Array(16).fill(0.25) } },
      });
      expect(score(flat, maps(8)).message).toMatch(/expected \[batch, layers, heads, L, L\]/);
    });
    it("is the course's scoring of test_reverses", () => {
      expect(course.scoring!.test_reverses(maps(8), maps(8)).fraction).toBe(1);
    });
  });
});
