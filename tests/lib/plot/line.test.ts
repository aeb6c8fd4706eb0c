import { describe, expect, it } from "vitest";
import { lineChart, PlotInputError, trainingCurves } from "../../../lib/plot";
import { countMarks, rows, schemaErrors, subtitle } from "./helpers";

describe("lineChart", () => {
  const series = { train: [1, 0.6, 0.4, 0.3], test: [1.1, 0.7, 0.5, 0.45] };

  it("is a valid Vega-Lite spec carrying exactly the values given, one path per series", async () => {
    const chart = lineChart(series, { yTitle: "loss" });
    expect(schemaErrors(chart.spec)).toEqual([]);
    const data = rows<{ series: string; x: number; y: number }>(chart.spec);
    expect(data.filter((r) => r.series === "train").map((r) => r.y)).toEqual(series.train);
    expect(data.filter((r) => r.series === "test").map((r) => [r.x, r.y])).toEqual(series.test.map((y, x) => [x, y]));
    const svg = await chart.toSVG();
    expect(countMarks(svg, "line")).toBe(2);
    expect(svg).toContain(">loss<");
  });

  it("draws a log y axis on request, and refuses values a log axis cannot show", async () => {
    const chart = lineChart({ loss: [10, 1, 0.1] }, { logScale: true });
    expect(JSON.stringify(chart.spec)).toContain('"type":"log"');
    expect(countMarks(await chart.toSVG(), "line")).toBe(1);
    expect(() => lineChart({ loss: [1, 0, 0.5] }, { logScale: true })).toThrow(
      /logScale needs values above 0, but series 'loss' has 0 at index 1/,
    );
  });

  it("summarises long series as bucket means and says so", async () => {
    const long = Array.from({ length: 5000 }, (_, i) => i);
    const chart = lineChart({ loss: long }, { maxPoints: 500 });
    const data = rows<{ y: number }>(chart.spec);
    expect(data).toHaveLength(500);
    expect(data[0].y).toBe(4.5);
    expect(subtitle(chart.spec)).toContain("loss: 5000 points drawn as 500 means of 10");
  });

  it("keeps NaN as a gap and counts it in the subtitle", () => {
    const chart = lineChart({ loss: [1, NaN, 0.5] });
    expect(rows<{ y: number | null }>(chart.spec).map((r) => r.y)).toEqual([1, null, 0.5]);
    expect(subtitle(chart.spec)).toContain("loss: 1 of 3 values are NaN or infinite");
  });

  it("names the chart, the series and the shape in errors", () => {
    expect(() =>
      lineChart({
        loss: [
          [1, 2],
          [3, 4],
        ],
      }),
    ).toThrow("lineChart: series 'loss' has shape [2, 2], expected [steps]");
    expect(() => lineChart({ a: [1, 2] }, { x: [0, 1, 2] })).toThrow("lineChart: x has 3 values but series 'a' has 2");
    expect(() => lineChart({ a: [[1, 2], [3]] })).toThrow(PlotInputError);
    expect(() => lineChart({})).toThrow(/no series given/);
  });
});

describe("trainingCurves", () => {
  it("puts train and validation of each metric in one panel, epochs from 1", async () => {
    const history = { loss: [1, 0.5, 0.3], val_loss: [1.2, 0.7, 0.6], acc: [0.5, 0.7, 0.8], val_acc: [0.4, 0.6, 0.7] };
    const chart = trainingCurves(history);
    expect(schemaErrors(chart.spec)).toEqual([]);
    const data = rows<{ metric: string; split: string; epoch: number; value: number }>(chart.spec);
    expect(data.filter((r) => r.metric === "loss" && r.split === "validation").map((r) => [r.epoch, r.value])).toEqual([
      [1, 1.2],
      [2, 0.7],
      [3, 0.6],
    ]);
    expect(new Set(data.map((r) => r.metric))).toEqual(new Set(["loss", "acc"]));
    expect(countMarks(await chart.toSVG(), "line")).toBe(4);
    expect(chart.description).toBe("trainingCurves: loss, acc over 3 epochs");
  });

  it("reads an object that lists its series, like lib/train's History", () => {
    const history = { keys: ["loss"], series: (key: string) => (key === "loss" ? [0.9, 0.4] : []) };
    expect(rows<{ value: number }>(trainingCurves(history).spec).map((r) => r.value)).toEqual([0.9, 0.4]);
  });
});
