import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { scatter } from "../../../lib/plot";
import { countMarks, rows, schemaErrors, subtitle } from "./helpers";

describe("scatter", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  it("draws every point given, coloured by its class name", async () => {
    const points = tf.tensor2d([
      [0, 0],
      [1, 1],
      [0, 1],
      [1, 0],
    ]);
    const chart = scatter(points, tf.tensor1d([0, 0, 1, 1], "int32"), { classNames: ["blue", "red"] });
    expect(schemaErrors(chart.spec)).toEqual([]);
    expect(rows(chart.spec)).toEqual([
      { x: 0, y: 0, class: "blue" },
      { x: 1, y: 1, class: "blue" },
      { x: 0, y: 1, class: "red" },
      { x: 1, y: 0, class: "red" },
    ]);
    expect(countMarks(await chart.toSVG(), "symbol")).toBe(4);
    expect(points.isDisposed).toBe(false);
    points.dispose();
  });

  it("thins large inputs to every k-th point and says so", () => {
    const points = Array.from({ length: 12000 }, (_, i) => [i, -i]);
    const chart = scatter(points, undefined, { maxPoints: 5000 });
    expect(rows(chart.spec)).toHaveLength(4000);
    expect(subtitle(chart.spec)).toBe("1 in 3 of 12000 points shown (4000)");
  });

  it("explains a wrong shape and a label count mismatch", () => {
    expect(() =>
      scatter([
        [0, 1, 2],
        [3, 4, 5],
      ]),
    ).toThrow("scatter: points has shape [2, 3], expected [n, 2] (one row of two features per point) — transpose it");
    expect(() =>
      scatter(
        [
          [0, 1],
          [2, 3],
        ],
        [0],
      ),
    ).toThrow("scatter: 2 points but 1 labels");
    expect(() => scatter([[0, 1]], [0.5])).toThrow(/labels holds 0.5, expected class indices/);
  });
});
