/**
 * The PNG every chart bundle carries for viewers that show neither Vega-Lite
 * nor SVG (nbconvert's HTML, GitHub, untrusted classic notebooks): without
 * it those viewers show no chart at all; over the budget, a notebook with a
 * dozen charts grows by megabytes.
 */
import * as tf from "@tensorflow/tfjs";
import { inflateSync } from "zlib";
import { describe, expect, it } from "vitest";
import { MIME_BUNDLE } from "../../../lib/display";
import {
  attentionMap,
  Chart,
  confusionMatrix,
  decisionBoundary,
  heatmap,
  imageGrid,
  lineChart,
  scatter,
  trainingCurves,
} from "../../../lib/plot";
import { encodeOpaquePNG } from "../../../lib/plot/png";
import { FALLBACK_PNG_BYTES, fallbackPNG } from "../../../lib/plot/fallback";

/** Deterministic values in [0, 1). */
const values = (n: number, seed = 1) =>
  Array.from({ length: n }, (_, i) => Math.abs(Math.sin((i + 1) * 12.9898 * seed) * 43758.5453) % 1);
const labels = (n: number, classes: number, seed: number) => values(n, seed).map((v) => Math.floor(v * classes));

const CHARTS: Record<string, () => Chart> = {
  lineChart: () => lineChart({ loss: values(300).map((v, i) => 1 / (i + 1) + 0.1 * v) }),
  trainingCurves: () =>
    trainingCurves({ loss: values(40), accuracy: values(40, 2), val_loss: values(40, 3), val_accuracy: values(40, 4) }),
  scatter: () =>
    scatter(
      values(400).map((v, i) => [v, values(400, 2)[i]]),
      labels(400, 3, 3),
    ),
  decisionBoundary: () =>
    decisionBoundary((x) => tf.concat([x.sum(1, true), x.sum(1, true).neg()], 1), {
      points: values(200).map((v, i) => [2 * v - 1, 2 * values(200, 2)[i] - 1]),
      labels: labels(200, 2, 3),
    }),
  // Noise is the worst case for compression; real digits compress far better.
  imageGrid: () =>
    imageGrid(
      Array.from({ length: 32 }, (_, k) =>
        Array.from({ length: 28 }, (_, r) => values(28, k * 28 + r + 1).map((v) => 255 * v)),
      ),
      labels(32, 10, 5),
    ),
  confusionMatrix: () => confusionMatrix(labels(500, 10, 1), labels(500, 10, 2)),
  heatmap: () => heatmap(Array.from({ length: 30 }, (_, r) => values(30, r + 1))),
  attentionMap: () =>
    attentionMap(
      Array.from({ length: 2 }, (_, l) =>
        Array.from({ length: 4 }, (_, h) => Array.from({ length: 12 }, (_, q) => values(12, 48 * l + 12 * h + q + 1))),
      ),
      "abcdefghijkl".split(""),
    ),
};

const pngWidth = (png: Buffer) => png.readUInt32BE(16);
const dropAlpha = (rgba: Uint8Array) => Array.from(rgba.filter((_, i) => i % 4 !== 3));

/** Decodes the kit's own PNGs (8-bit, filter 0, one IDAT) to RGB bytes. */
function decodeRGB(png: Buffer): number[] {
  const chunks = new Map<string, Buffer>();
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    chunks.set(png.subarray(at + 4, at + 8).toString("ascii"), png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const width = pngWidth(png);
  const type = png[25];
  const raw = inflateSync(chunks.get("IDAT")!);
  const stride = width * (type === 3 ? 1 : 3) + 1;
  const out: number[] = [];
  for (let row = 0; row < raw.length / stride; row++) {
    const bytes = raw.subarray(row * stride + 1, (row + 1) * stride);
    if (type === 2) out.push(...bytes);
    else for (const index of bytes) out.push(...chunks.get("PLTE")!.subarray(3 * index, 3 * index + 3));
  }
  return out;
}

describe("a chart's PNG fallback", () => {
  it.each(Object.keys(CHARTS))("%s carries a PNG within the budget, at the chart's size when it fits", async (name) => {
    const chart = CHARTS[name]();
    const bundle = await chart[MIME_BUNDLE]();
    const png = Buffer.from(bundle["image/png"] as string, "base64");
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.length).toBeLessThanOrEqual(FALLBACK_PNG_BYTES);
    const svg = bundle["image/svg+xml"] as string;
    const svgWidth = Number(/^<svg[^>]* width="([\d.]+)"/.exec(svg)![1]);
    // The same PNG, hidden in the SVG, for nbconvert's HTML cleaner to leave behind.
    expect(svg).toContain(
      `<foreignObject width="0" height="0" style="display:none"><img xmlns="http://www.w3.org/1999/xhtml" src="data:image/png;base64,${bundle["image/png"]}"`,
    );
    expect([svgWidth, 0.75 * svgWidth, 0.5 * svgWidth].map(Math.round)).toContain(pngWidth(png));
    console.log(`${name}: PNG ${(png.length / 1024).toFixed(1)} KB, ${pngWidth(png)} px wide (SVG ${svgWidth} px)`);
  });

  it("shrinks a chart over the budget, and gives none when even half size is over", async () => {
    const svg = await CHARTS.trainingCurves().toSVG();
    const full = fallbackPNG(svg, Infinity)!;
    const smaller = fallbackPNG(svg, full.length - 1)!;
    expect(pngWidth(smaller)).toBeLessThan(pngWidth(full));
    expect(fallbackPNG(svg, 100)).toBeNull();
  });

  it("keeps every colour exactly, as a palette when there are few and as RGB when there are many", () => {
    const opaque = (colours: number[]) =>
      new Uint8Array(colours.flatMap((c) => [c >> 16, (c >> 8) & 255, c & 255, 255]));
    const few = opaque([0xff0000, 0x0000ff, 0xff0000, 0x010203]);
    const palette = encodeOpaquePNG(2, 2, few);
    expect(palette[25]).toBe(3); // colour type 3: palette
    expect(decodeRGB(palette)).toEqual(dropAlpha(few));
    const many = opaque(Array.from({ length: 400 }, (_, p) => p * 97));
    const rgb = encodeOpaquePNG(20, 20, many);
    expect(rgb[25]).toBe(2); // colour type 2: RGB
    expect(decodeRGB(rgb)).toEqual(dropAlpha(many));
  });
});
