import * as tf from "@tensorflow/tfjs";
import { inflateSync } from "zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { imageGrid } from "../../../lib/plot";
import { countMarks, rows, schemaErrors, subtitle } from "./helpers";

interface Cell {
  url: string;
  caption: string;
  wrong: boolean;
}

/** The grey pixels of a PNG data URL written by the grid (one IDAT chunk, filter byte 0 per row). */
function greyPixels(url: string, width: number): number[] {
  const png = Buffer.from(url.replace("data:image/png;base64,", ""), "base64");
  const idat = png.indexOf("IDAT");
  const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
  return Array.from(raw).filter((_, i) => i % (width + 1) !== 0);
}

describe("imageGrid", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  it("carries each image's pixels and frames the wrong predictions in red", async () => {
    const images = tf.tensor3d([
      [
        [0, 1],
        [1, 0],
      ],
      [
        [0.5, 0.5],
        [0, 0],
      ],
      [
        [1, 1],
        [1, 1],
      ],
    ]);
    const chart = imageGrid(images, [0, 1, 2], [0, 2, 2], { classNames: ["cat", "dog", "bird"] });
    expect(schemaErrors(chart.spec)).toEqual([]);
    const cells = rows<Cell>(chart.spec);
    expect(greyPixels(cells[0].url, 2)).toEqual([0, 255, 255, 0]);
    expect(greyPixels(cells[1].url, 2)).toEqual([128, 128, 0, 0]);
    expect(cells.map((c) => [c.caption, c.wrong])).toEqual([
      ["cat", false],
      ["bird\ntrue: dog", true],
      ["bird", false],
    ]);
    expect(subtitle(chart.spec)).toContain("1 of 3 predictions wrong");
    const svg = await chart.toSVG();
    expect(countMarks(svg, "image")).toBe(3);
    expect(countMarks(svg, "rect")).toBe(1);
    expect(svg).toContain(">true: dog</tspan>");
    images.dispose();
  });

  it("takes RGB images and [n, C] scores as predictions", () => {
    const rgb = tf.zeros([2, 4, 4, 3]);
    const chart = imageGrid(
      rgb,
      [1, 0],
      tf.tensor2d([
        [0.1, 0.9],
        [0.2, 0.8],
      ]),
    );
    expect(rows<Cell>(chart.spec).map((c) => c.wrong)).toEqual([false, true]);
    rgb.dispose();
  });

  it("states how many images it left out and how it scaled odd pixel ranges", () => {
    const many = Array.from({ length: 100 }, (_, i) => [
      [i - 50, 0],
      [0, 0],
    ]);
    const chart = imageGrid(many, undefined, undefined, { maxImages: 10 });
    expect(rows(chart.spec)).toHaveLength(10);
    expect(subtitle(chart.spec)).toContain("first 10 of 100 images shown");
    expect(subtitle(chart.spec)).toContain("pixel values in [-50.0, 0.00] stretched to black–white");
  });

  it("explains flat and channels-first images", () => {
    expect(() => imageGrid(tf.zeros([5, 784]))).toThrow(
      "imageGrid: images has shape [5, 784], expected [n, H, W] or [n, H, W, C] with C = 1 or 3 — flat rows of 784 pixels? reshape to [5, 28, 28]",
    );
    expect(() => imageGrid(tf.zeros([5, 3, 8, 8]))).toThrow(/channels first\? transpose/);
    expect(() => imageGrid(tf.zeros([2, 4, 4]), [0])).toThrow("imageGrid: 2 images but 1 labels");
  });
});
