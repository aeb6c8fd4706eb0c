import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { decisionBoundary } from "../../../lib/plot";
import { countMarks, schemaErrors } from "./helpers";

interface Cell {
  x: number;
  y: number;
  class: string;
  confidence: number;
}

function layerValues<T>(spec: unknown, layer: number): T[] {
  return (spec as { layer: { data: { values: T[] } }[] }).layer[layer].data.values;
}

describe("decisionBoundary", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  const points = [
    [-1, -1],
    [-1, 1],
    [1, -1],
    [1, 1],
  ];
  const labels = [0, 0, 1, 1];
  // Class 1 wherever x1 > 0, as softmax scores.
  const byFirstFeature = (x: tf.Tensor2D) =>
    tf
      .concat([x.slice([0, 0], [-1, 1]).neg(), x.slice([0, 0], [-1, 1])], 1)
      .mul(5)
      .softmax();

  it("colours the grid by the predicted class and draws the data on top, without leaking tensors", async () => {
    const before = tf.memory().numTensors;
    const chart = decisionBoundary(
      byFirstFeature,
      { points, labels },
      { resolution: 10, classNames: ["left", "right"] },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(schemaErrors(chart.spec)).toEqual([]);
    const cells = layerValues<Cell>(chart.spec, 0);
    expect(cells).toHaveLength(100);
    for (const cell of cells) expect(cell.class).toBe(cell.x + 0.1 > 0 ? "right" : "left");
    expect(layerValues<{ class: string }>(chart.spec, 1).map((p) => p.class)).toEqual([
      "left",
      "left",
      "right",
      "right",
    ]);
    const svg = await chart.toSVG();
    expect(countMarks(svg, "rect")).toBe(100);
    expect(countMarks(svg, "symbol")).toBe(4);
  });

  it("takes a { forward } module, one probability per row, or class indices", () => {
    const module = { forward: (x: tf.Tensor2D) => tf.sigmoid(x.slice([0, 1], [-1, 1]).mul(5)) };
    const cells = layerValues<Cell>(decisionBoundary(module, { points, labels }, { resolution: 4 }).spec, 0);
    for (const cell of cells) expect(cell.class).toBe(cell.y > 0 ? "1" : "0");
    const indices = (x: tf.Tensor2D) => x.slice([0, 0], [-1, 1]).greater(0).toInt().reshape([-1]);
    expect(
      new Set(
        layerValues<Cell>(decisionBoundary(indices, { points }, { resolution: 4 }).spec, 0).map((c) => c.confidence),
      ),
    ).toEqual(new Set([1]));
  });

  it("says what output it expected when predict returns something else", () => {
    expect(() => decisionBoundary(() => tf.ones([3, 2]), { points })).toThrow(
      "decisionBoundary: predict's output has shape [3, 2], expected [2500, ...] (one row per input row)",
    );
    expect(() => decisionBoundary((x) => x.sum(1).mul(3), { points })).toThrow(
      /expected \[2500, classes\] scores, \[2500\] probabilities of class 1, or \[2500\] class indices/,
    );
  });
});
