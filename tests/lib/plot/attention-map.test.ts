import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { attentionMap } from "../../../lib/plot";
import { countMarks, rows, schemaErrors, subtitle } from "./helpers";

interface Cell {
  layer: number;
  head: number;
  query: number;
  key: number;
  queryToken: string;
  keyToken: string;
  weight: number;
}

describe("attentionMap", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  const tokens = ["<s>", "the", "cat", "sat", "the"];

  it("lays out every head of every layer, n×n cells each, with the weights given", async () => {
    const weights = tf.randomUniform([2, 3, 5, 5], 0, 1, "float32", 7).softmax();
    const chart = attentionMap(weights, tokens);
    expect(schemaErrors(chart.spec)).toEqual([]);
    const cells = rows<Cell>(chart.spec);
    expect(cells.map((c) => c.weight)).toEqual(Array.from(weights.dataSync()));
    expect(cells.find((c) => c.layer === 2 && c.head === 3 && c.query === 4 && c.key === 2)).toMatchObject({
      queryToken: "the",
      keyToken: "cat",
    });
    const svg = await chart.toSVG();
    expect(countMarks(svg, "rect")).toBe(2 * 3 * 5 * 5);
    for (const header of ["layer 1", "layer 2", "head 1", "head 3"]) expect(svg).toContain(`>${header}</text>`);
    for (const token of ["&lt;s&gt;", "the", "cat", "sat"]) expect(svg).toContain(`>${token}</text>`);
    weights.dispose();
  });

  it("takes nested arrays, one head [q, k] or one layer [heads, q, k], and queries ≠ keys", async () => {
    const one = attentionMap(
      [
        [0.5, 0.5],
        [1, 0],
      ],
      ["a", "b"],
    );
    expect(countMarks(await one.toSVG(), "rect")).toBe(4);
    const cross = attentionMap([[[0.2, 0.3, 0.5]], [[1, 0, 0]]], ["q"], ["x", "y", "z"]);
    expect(rows<Cell>(cross.spec).map((c) => `${c.head}:${c.queryToken}→${c.keyToken}`)).toEqual([
      "1:q→x",
      "1:q→y",
      "1:q→z",
      "2:q→x",
      "2:q→y",
      "2:q→z",
    ]);
  });

  it("summarises long sequences into token spans and too many panels to the first layers, and says so", async () => {
    const long = Array.from({ length: 100 }, (_, i) => `t${i}`);
    const chart = attentionMap(tf.ones([6, 8, 100, 100]).div(100), long, long, { maxTokens: 25, maxPanels: 16 });
    const cells = rows<Cell>(chart.spec);
    expect(cells).toHaveLength(2 * 8 * 25 * 25);
    expect(cells[0]).toMatchObject({ queryToken: "t0…t3", keyToken: "t0…t3" });
    expect(cells[0].weight).toBeCloseTo(0.01, 6);
    expect(subtitle(chart.spec)).toContain(
      "layers 1, 2 of 6 shown (16 panels at most) — pick others with { layers: [...] }",
    );
    expect(subtitle(chart.spec)).toContain(
      "100 queries × 100 keys drawn as means over spans of 4 × 4 tokens (25 × 25)",
    );
    const picked = attentionMap(tf.ones([6, 8, 4, 4]).div(4), ["a", "b", "c", "d"], undefined, {
      layers: [5],
      heads: [0, 7],
    });
    expect(new Set(rows<Cell>(picked.spec).map((c) => `${c.layer}/${c.head}`))).toEqual(new Set(["6/1", "6/8"]));
  });

  it("names the expected shape, and the token count that does not match", () => {
    expect(() => attentionMap([1, 2], ["a", "b"])).toThrow(
      "attentionMap: weights has shape [2], expected [layers, heads, queries, keys]",
    );
    expect(() => attentionMap(tf.zeros([2, 1, 1, 3, 3]), ["a", "b", "c"])).toThrow(
      /a batch dimension\? pick one example/,
    );
    expect(() => attentionMap(tf.zeros([1, 1, 4, 4]), ["a", "b", "c"])).toThrow(
      /weights have 4 queries \(shape \[1, 1, 4, 4\].*but queryTokens has 3 tokens/,
    );
    expect(() => attentionMap(tf.zeros([1, 2, 2, 2]), ["a", "b"], undefined, { heads: [2] })).toThrow(
      "attentionMap: head 2 does not exist — there are 2 (0-based: 0 to 1)",
    );
  });
});
