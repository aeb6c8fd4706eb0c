import type { TopLevelSpec } from "vega-lite";
import type { ColorScheme } from "vega";
import type { Scale } from "vega-lite/build/src/scale";
import { Chart } from "./chart";
import { PlotInputError, shapeError } from "./errors";
import { poolLabels, poolMatrix } from "./summarise";
import { chartTitle, labelLookup } from "./title";
import { dense, NumericInput } from "./values";

/** Options of `plot.heatmap`. */
export interface HeatmapOptions {
  /** Default "heatmap". */
  title?: string;
  /** One label per row. Default: the row indices. */
  rowLabels?: readonly string[];
  /** One label per column. Default: the column indices. */
  colLabels?: readonly string[];
  /** Default "column". */
  xTitle?: string;
  /** Default "row". */
  yTitle?: string;
  /** Most cells drawn per side; larger matrices are mean-pooled. Default 64. */
  maxSize?: number;
  /** A Vega colour scheme. Default "viridis", or "redblue" centred on 0 when values have both signs. */
  scheme?: ColorScheme;
  /** Write the value in each cell. Default: when the drawn matrix is at most 12×12. */
  showValues?: boolean;
}

/** A vega test for the cells whose colour is dark enough to need white text. */
function darkCell(values: readonly number[], signed: boolean): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (signed) return `abs(datum.value) > ${0.6 * Math.max(-lo, hi)}`;
  return `datum.value < ${lo + 0.5 * (hi - lo)}`;
}

const indexLabels = (n: number) => Array.from({ length: n }, (_, i) => String(i));

/**
 * Heatmap of a matrix [rows, cols], labels on both axes, the value in a
 * tooltip (and written in each cell when the matrix is small).
 *
 *   plot.heatmap(W, { rowLabels: words, colLabels: words, title: "similarity" });
 *
 * Matrices larger than `maxSize` on a side are mean-pooled into blocks, and
 * the subtitle says by how much. Signed data gets a diverging scale centred on 0.
 */
export function heatmap(matrix: NumericInput, options: HeatmapOptions = {}): Chart {
  const { data, shape } = dense(matrix, "heatmap", "matrix");
  if (shape.length !== 2)
    throw shapeError(
      "heatmap",
      "matrix",
      shape,
      "[rows, cols]",
      shape.length > 2 ? "pick one slice, e.g. x.squeeze() or x[0]" : undefined,
    );
  const [rows, cols] = shape;
  for (const [name, labels, n] of [
    ["rowLabels", options.rowLabels, rows],
    ["colLabels", options.colLabels, cols],
  ] as const) {
    if (labels && labels.length !== n)
      throw new PlotInputError(
        `heatmap: ${name} has ${labels.length} labels but the matrix has ${n} ${name === "rowLabels" ? "rows" : "columns"} (shape [${shape.join(", ")}])`,
      );
  }
  const maxSize = options.maxSize ?? 64;
  const pooled = poolMatrix(data, rows, cols, maxSize, maxSize);
  const rowLabels = poolLabels(options.rowLabels ?? indexLabels(rows), pooled.rowBlock);
  const colLabels = poolLabels(options.colLabels ?? indexLabels(cols), pooled.colBlock);
  const notes =
    pooled.rowBlock > 1 || pooled.colBlock > 1
      ? [`${rows}×${cols} drawn as ${pooled.rows}×${pooled.cols} means of ${pooled.rowBlock}×${pooled.colBlock} blocks`]
      : [];
  const cells = pooled.data.map((value, k) => ({ row: Math.floor(k / pooled.cols), col: k % pooled.cols, value }));
  const signed = pooled.data.some((v) => v < 0) && pooled.data.some((v) => v > 0);
  const scale: Scale = options.scheme
    ? { scheme: options.scheme }
    : signed
      ? { scheme: "redblue", domainMid: 0, reverse: true }
      : { scheme: "viridis" };
  const step = Math.max(6, Math.min(40, Math.floor(400 / Math.max(pooled.rows, pooled.cols))));
  const showValues = options.showValues ?? (pooled.rows <= 12 && pooled.cols <= 12);
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: chartTitle(options.title ?? "heatmap", notes),
    data: { values: cells },
    width: { step },
    height: { step },
    encoding: {
      x: {
        field: "col",
        type: "ordinal",
        title: options.xTitle ?? "column",
        axis: { labelExpr: labelLookup(colLabels), labelAngle: -45 },
      },
      y: { field: "row", type: "ordinal", title: options.yTitle ?? "row", axis: { labelExpr: labelLookup(rowLabels) } },
    },
    layer: [
      {
        mark: "rect",
        encoding: {
          color: { field: "value", type: "quantitative", title: null, scale },
          tooltip: [
            { field: "row", type: "ordinal" },
            { field: "col", type: "ordinal", title: "column" },
            { field: "value", type: "quantitative", format: ".4g" },
          ],
        },
      },
      ...(showValues
        ? [
            {
              mark: { type: "text", fontSize: 10 },
              encoding: {
                text: { field: "value", type: "quantitative", format: ".2g" },
                color: { condition: { test: darkCell(pooled.data, signed), value: "white" }, value: "#222" },
              },
            } as const,
          ]
        : []),
    ],
  };
  return new Chart(spec, `heatmap: ${rows}×${cols}${notes.length ? ` (drawn ${pooled.rows}×${pooled.cols})` : ""}`);
}
