import { describe, expect, it } from "vitest";
import { heatmap } from "../../../lib/plot";
import { countMarks, rows, schemaErrors, subtitle } from "./helpers";

describe("heatmap", () => {
  it("draws one cell per entry with the value given, labels on both axes", async () => {
    const chart = heatmap(
      [
        [1, -2, 3],
        [0.5, 0, -1],
      ],
      { rowLabels: ["a", "b"], colLabels: ["x", "y", "z"] },
    );
    expect(schemaErrors(chart.spec)).toEqual([]);
    expect(rows<{ row: number; col: number; value: number }>(chart.spec).map((c) => c.value)).toEqual([
      1, -2, 3, 0.5, 0, -1,
    ]);
    const svg = await chart.toSVG();
    expect(countMarks(svg, "rect")).toBe(6);
    expect(countMarks(svg, "text")).toBe(6);
    for (const label of ["a", "b", "x", "y", "z"]) expect(svg).toContain(`>${label}</text>`);
  });

  it("mean-pools large matrices into blocks and says so", async () => {
    const big = Array.from({ length: 100 }, (_, i) => Array.from({ length: 100 }, (_, j) => i * 100 + j));
    const chart = heatmap(big, { maxSize: 25 });
    const cells = rows<{ value: number }>(chart.spec);
    expect(cells).toHaveLength(625);
    expect(cells[0].value).toBe(
      (0 + 1 + 2 + 3 + 100 + 101 + 102 + 103 + 200 + 201 + 202 + 203 + 300 + 301 + 302 + 303) / 16,
    );
    expect(subtitle(chart.spec)).toBe("100×100 drawn as 25×25 means of 4×4 blocks");
    expect(countMarks(await chart.toSVG(), "rect")).toBe(625);
  });

  it("names the expected shape and label counts", () => {
    expect(() => heatmap([1, 2, 3])).toThrow("heatmap: matrix has shape [3], expected [rows, cols]");
    expect(() => heatmap([[[1]]])).toThrow(/expected \[rows, cols\] — pick one slice/);
    expect(() => heatmap([[1, 2]], { colLabels: ["a"] })).toThrow(
      "heatmap: colLabels has 1 labels but the matrix has 2 columns (shape [1, 2])",
    );
  });
});
