import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import {
  LearnedPositionalEncoding,
  MultiheadAttention,
  PositionalEncoding,
  TransformerEncoder,
  TransformerEncoderLayer,
  TransformerEncoderLayerArgs,
  scaledDotProductAttention,
} from "../../../lib/nn";
import {
  TensorJson,
  expectClose,
  expectGradientsMatchFiniteDifferences,
  expectNoLeak,
  expectParity,
  fixture,
  gradCheckModule,
  loadTorchState,
  toTensor,
} from "./helpers";

const cases = fixture("attention");
const small = (args: TransformerEncoderLayerArgs = {}) =>
  new TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0, ...args });

describe("attention, Transformer encoder, positional encoding", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  it("scaledDotProductAttention matches softmax(QKᵀ/√d, masked) V, gradients included", () => {
    const mask = toTensor(cases.sdpa.mask as TensorJson);
    expectParity(null, cases.sdpa, (q, k, v) => scaledDotProductAttention(q, k, v, mask).output, "sdpa");
    const [q, k, v] = cases.sdpa.inputs.map((t) => tf.variable(toTensor(t)));
    expectGradientsMatchFiniteDifferences(() => scaledDotProductAttention(q, k, v, mask).output, [q, k, v], "sdpa");
    const { output, weights } = scaledDotProductAttention(q, k, v, mask);
    const sums = weights.sum(-1);
    expectClose(sums, tf.onesLike(sums), "weights sum to 1");
    expect(weights.mul(mask.logicalNot().toFloat()).abs().max().dataSync()[0]).toBe(0);
    tf.dispose([mask, q, k, v, output, weights, sums]);
  });

  it("scaledDotProductAttention explains mismatched q and k", () => {
    const q = tf.zeros([2, 3, 4]);
    const k = tf.zeros([2, 4, 3]);
    expect(() => scaledDotProductAttention(q, k, k)).toThrow(
      "scaledDotProductAttention: q [2, 3, 4] and k [2, 4, 3] must have the same last axis d_k — is k transposed already?",
    );
    tf.dispose([q, k]);
  });

  it("MultiheadAttention (self-attention) matches PyTorch's output, averaged weights and gradients", () => {
    const mha = new MultiheadAttention(4, 2, { batchFirst: true });
    expectParity(mha, cases.mha_self, (x) => mha.forward(x), "mha self");
    const x = toTensor(cases.mha_self.inputs[0]);
    const { output, weights } = mha.attend(x);
    expectClose(weights, cases.mha_self.weights as TensorJson, "mha self weights");
    gradCheckModule(mha, [x], (x) => mha.forward(x), "mha self");
    tf.dispose([x, output, weights]);
    mha.dispose();
  });

  it("MultiheadAttention honours bool attnMask and keyPaddingMask and returns per-head weights like PyTorch", () => {
    const c = cases.mha_masks;
    const mha = new MultiheadAttention(4, 2, { batchFirst: true });
    const attnMask = toTensor(c.attn_mask as TensorJson);
    const keyPaddingMask = toTensor(c.key_padding_mask as TensorJson);
    const options = { attnMask, keyPaddingMask, averageAttnWeights: false };
    expectParity(mha, c, (q, k, v) => mha.attend(q, k, v, options).output, "mha masks");
    const [q, k, v] = c.inputs.map(toTensor);
    const { output, weights } = mha.attend(q, k, v, options);
    expect(weights.shape).toEqual([2, 2, 3, 5]);
    expectClose(weights, c.weights as TensorJson, "mha masks weights");
    tf.dispose([attnMask, keyPaddingMask, q, k, v, output, weights]);
    mha.dispose();
  });

  it("MultiheadAttention takes [seq, batch, E] and a float mask like PyTorch", () => {
    const c = cases.mha_float_mask_seqfirst;
    const mha = new MultiheadAttention(4, 1);
    const attnMask = toTensor(c.attn_mask as TensorJson);
    expectParity(mha, c, (q, k, v) => mha.attend(q, k, v, { attnMask }).output, "mha float mask");
    tf.dispose(attnMask);
    mha.dispose();
  });

  it("MultiheadAttention names PyTorch's parameters and explains wrong shapes", () => {
    const mha = new MultiheadAttention(4, 2, { batchFirst: true, seed: 0 });
    expect(mha.namedParameters().map(([n]) => n)).toEqual([
      "in_proj_weight",
      "in_proj_bias",
      "out_proj.weight",
      "out_proj.bias",
    ]);
    expect(() => new MultiheadAttention(5, 2)).toThrow("MultiheadAttention: embedDim=5 is not divisible by numHeads=2");
    const x = tf.zeros([2, 3, 6]);
    expect(() => mha.forward(x)).toThrow(
      "MultiheadAttention(4, heads=2): query has shape [2, 3, 6], expected last axis 4 — layout [batch, seq, embedDim]",
    );
    const y = tf.zeros([2, 3, 4]);
    const badMask = tf.zeros([3, 4], "bool");
    expect(() => mha.attend(y, y, y, { attnMask: badMask })).toThrow(
      /attnMask has shape \[3, 4\], expected \[L, S\] = \[3, 3\]/,
    );
    tf.dispose([x, y, badMask]);
    mha.dispose();
  });

  it("TransformerEncoderLayer matches PyTorch: post-norm, pre-norm with GELU and masks, time-first", () => {
    const variants = {
      encoder_post: small({ batchFirst: true }),
      encoder_pre_gelu_masked: small({ batchFirst: true, normFirst: true, activation: "gelu" }),
      encoder_seqfirst: small(),
    };
    const srcMask = toTensor(cases.encoder_pre_gelu_masked.src_mask as TensorJson);
    const padding = toTensor(cases.encoder_pre_gelu_masked.src_key_padding_mask as TensorJson);
    for (const [name, layer] of Object.entries(variants)) {
      const masks = name === "encoder_pre_gelu_masked" ? [srcMask, padding] : [];
      expectParity(layer, cases[name], (x) => layer.forward(x, ...masks), name);
      const x = toTensor(cases[name].inputs[0]);
      gradCheckModule(layer, [x], (x) => layer.forward(x, ...masks), name, { samples: 3 });
      x.dispose();
      layer.dispose();
    }
    tf.dispose([srcMask, padding]);
  });

  it("TransformerEncoder loads PyTorch's layers.N.* names and returns every layer's attention maps", () => {
    const encoder = new TransformerEncoder(() => small({ batchFirst: true }), 2);
    expect(encoder.namedParameters().map(([n]) => n)).toContain("layers.1.linear1.bias");
    expectParity(encoder, cases.encoder_stack, (x) => encoder.forward(x), "encoder stack");
    const x = toTensor(cases.encoder_stack.inputs[0]);
    const { output, weights } = encoder.run(x);
    expect(weights.map((w) => w.shape)).toEqual([
      [2, 2, 3, 3],
      [2, 2, 3, 3],
    ]);
    tf.dispose([x, output, ...weights]);
    encoder.dispose();
  });

  it("TransformerEncoderLayer uses dropout only in training and leaks nothing", () => {
    const layer = new TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0.5, batchFirst: true, seed: 1 });
    const x = tf.randomNormal([2, 3, 4], 0, 1, "float32", 2);
    const [a, b] = [layer.forward(x), layer.forward(x)];
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(b.dataSync()));
    layer.eval();
    const [c, d] = [layer.forward(x), layer.forward(x)];
    expect(Array.from(c.dataSync())).toEqual(Array.from(d.dataSync()));
    expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => layer.train().forward(x).sum() as tf.Scalar, layer.parameters());
      tf.dispose([value, ...Object.values(grads)]);
    }, "TransformerEncoderLayer");
    tf.dispose([x, a, b, c, d]);
    layer.dispose();
  });

  it("PositionalEncoding adds the sinusoidal table of the paper, like the PyTorch tutorial", () => {
    const pe = new PositionalEncoding(6, { maxLen: 5 });
    expectParity(pe, cases.positional_sine, (x) => pe.forward(x), "positional");
    const seqFirst = new PositionalEncoding(6, { maxLen: 5, batchFirst: false });
    const x = toTensor(cases.positional_sine.inputs[0]);
    const y = seqFirst.forward(x.transpose([1, 0, 2]));
    expectClose(y.transpose([1, 0, 2]), cases.positional_sine.output, "positional, time first");
    const long = tf.zeros([1, 6, 6]);
    expect(() => pe.forward(long)).toThrow(
      "PositionalEncoding(6): sequence of length 6 is longer than maxLen = 5; build it with a larger maxLen",
    );
    expect(pe.numParameters()).toBe(0);
    tf.dispose([x, y, long]);
    pe.dispose();
    seqFirst.dispose();
  });

  it("LearnedPositionalEncoding adds a trained table whose gradient is summed over the batch", () => {
    const pe = new LearnedPositionalEncoding(4, { maxLen: 10, seed: 0 });
    expect(pe.namedParameters().map(([n, p]) => `${n} [${p.shape}]`)).toEqual(["weight [10,4]"]);
    const x = tf.randomNormal([2, 3, 4], 0, 1, "float32", 1);
    const y = pe.forward(x);
    const expected = tf.tidy(() => x.add(pe.weight.slice([0, 0], [3, 4])));
    expectClose(y, expected, "learned positional");
    gradCheckModule(pe, [x], (x) => pe.forward(x), "learned positional");
    const { value, grads } = tf.variableGrads(() => pe.forward(x).sum() as tf.Scalar, [pe.weight]);
    const g = grads[pe.weight.name].dataSync();
    expect(Array.from(g.slice(0, 12)).every((v) => v === 2)).toBe(true);
    expect(Array.from(g.slice(12)).every((v) => v === 0)).toBe(true);
    tf.dispose([x, y, expected, value, ...Object.values(grads)]);
    pe.dispose();
  });
});

describe("a Transformer loaded from PyTorch", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  it("keeps its weights through loadStateDict exactly", () => {
    const layer = small({ batchFirst: true });
    loadTorchState(layer, cases.encoder_post.state!);
    for (const [name, p] of layer.namedParameters()) expectClose(p, cases.encoder_post.state![name], name, 0, 0);
    layer.dispose();
  });
});
