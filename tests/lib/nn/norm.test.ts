import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { Embedding, LayerNorm, LearnedPositionalEncoding, manualSeed } from "../../../lib/nn";
import { expectParity, fixture, gradCheckModule, toTensor } from "./helpers";

const cases = fixture("norm");

describe("LayerNorm and Embedding", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  it("LayerNorm over the last axis and over the last two axes matches PyTorch, gradients included", () => {
    const layers = { layernorm: new LayerNorm(4), layernorm_2d: new LayerNorm([3, 4]) };
    for (const [name, layer] of Object.entries(layers)) {
      expectParity(layer, cases[name], (x) => layer.forward(x), name);
      const x = toTensor(cases[name].inputs[0]);
      gradCheckModule(layer, [x], (x) => layer.forward(x), name, { eps: 1e-2 });
      x.dispose();
      layer.dispose();
    }
  });

  it("LayerNorm names the axes it expected", () => {
    const norm = new LayerNorm(4);
    const x = tf.zeros([2, 4, 3]);
    expect(() => norm.forward(x)).toThrow(
      "LayerNorm([4]): input has shape [2, 4, 3], expected its last axis to be [4]",
    );
    x.dispose();
    norm.dispose();
  });

  it("Embedding looks up PyTorch's vectors and gets PyTorch's gradient for repeated ids", () => {
    const embed = new Embedding(5, 3);
    expectParity(embed, cases.embedding, (ids) => embed.forward(ids), "Embedding");
    const ids = toTensor(cases.embedding.inputs[0]);
    gradCheckModule(embed, [ids], (ids) => embed.forward(ids), "Embedding");
    ids.dispose();
    embed.dispose();
  });

  it("Embedding refuses float ids and ids beyond the table", () => {
    const embed = new Embedding(5, 3, { seed: 0 });
    const floats = tf.tensor1d([1, 2]);
    const big = tf.tensor1d([1, 5], "int32");
    expect(() => embed.forward(floats)).toThrow(
      /Embedding\(5, 3\): indices have dtype float32, expected int32 token ids/,
    );
    expect(() => embed.forward(big)).toThrow(/range from 1 to 5, expected 0 to 4/);
    tf.dispose([floats, big]);
    embed.dispose();
  });

  it("Embedding and the learned positional encoding start from the same weights on every run, seed 0 included", () => {
    // tfjs's randomNormal reads seed 0 as "no seed"; the first layer after manualSeed(0) gets seed 0.
    const build = () => {
      manualSeed(0);
      const embed = new Embedding(10, 4);
      const positional = new LearnedPositionalEncoding(4, { maxLen: 6, seed: 0 });
      const weights = [Array.from(embed.weight.dataSync()), Array.from(positional.weight.dataSync())];
      embed.dispose();
      positional.dispose();
      return weights;
    };
    const [first, second] = [build(), build()];
    expect(second).toEqual(first);
    expect(new Set(first[0]).size, "a real N(0, 1) draw, not a constant").toBe(40);
  });
});
