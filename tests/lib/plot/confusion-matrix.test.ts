import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { confusionCounts, confusionMatrix } from "../../../lib/plot";
import { countMarks, rows, schemaErrors, subtitle } from "./helpers";

describe("confusionMatrix", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  const labels = [0, 1, 2, 2, 1, 0, 2];
  const predictions = [0, 2, 2, 2, 1, 0, 1];

  it("counts true class against predicted class and states the accuracy", async () => {
    expect(confusionCounts(labels, predictions).counts).toEqual([
      [2, 0, 0],
      [0, 1, 1],
      [0, 1, 2],
    ]);
    const chart = confusionMatrix(labels, predictions, { classNames: ["cat", "dog", "bird"] });
    expect(schemaErrors(chart.spec)).toEqual([]);
    expect(subtitle(chart.spec)).toBe("accuracy 71.4% (5 of 7)");
    const cell = rows<{ trueClass: string; predictedClass: string; count: number }>(chart.spec).find(
      (c) => c.trueClass === "dog" && c.predictedClass === "bird",
    );
    expect(cell?.count).toBe(1);
    const svg = await chart.toSVG();
    expect(countMarks(svg, "rect")).toBe(9);
    for (const name of ["cat", "dog", "bird"]) expect(svg).toContain(`>${name}</text>`);
  });

  it("takes predictions as [n, classes] scores", () => {
    const scores = tf.oneHot(tf.tensor1d(predictions, "int32"), 3).mul(0.9);
    expect(confusionCounts(tf.tensor1d(labels, "int32"), scores).counts).toEqual([
      [2, 0, 0],
      [0, 1, 1],
      [0, 1, 2],
    ]);
    scores.dispose();
  });

  it("says when labels and predictions do not match up", () => {
    expect(() => confusionMatrix([0, 1], [0])).toThrow("confusionMatrix: 2 labels but 1 predictions");
    expect(() => confusionMatrix([0, 3], [0, 1], { classNames: ["a", "b"] })).toThrow(
      "confusionMatrix: class '3' is not among classNames (2 names)",
    );
  });
});
