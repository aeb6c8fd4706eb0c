import type { TopLevelSpec } from "vega-lite";
import { Chart } from "./chart";
import { PlotInputError, shapeError } from "./errors";
import { strideSample } from "./summarise";
import { chartTitle } from "./title";
import { classDomain, dense, LabelInput, NumericInput, readLabels } from "./values";

/** Options of `plot.scatter`. */
export interface ScatterOptions {
  /** Names of the classes by index. Default: the indices. */
  classNames?: readonly string[];
  /** Default "scatter". */
  title?: string;
  /** Default "x1". */
  xTitle?: string;
  /** Default "x2". */
  yTitle?: string;
  /** Most points drawn; more are thinned to every k-th. Default 5000. */
  maxPoints?: number;
  /** Default 350. */
  width?: number;
  /** Default 350. */
  height?: number;
}

export interface ScatterRow {
  x: number;
  y: number;
  class: string;
}

/** Reads points [n, 2] and their labels into rows; shared with decisionBoundary. */
export function scatterRows(
  chart: string,
  points: NumericInput,
  labels: LabelInput | undefined,
  classNames?: readonly string[],
): ScatterRow[] {
  const { data, shape } = dense(points, chart, "points");
  if (shape.length !== 2 || shape[1] !== 2) {
    throw shapeError(
      chart,
      "points",
      shape,
      "[n, 2] (one row of two features per point)",
      shape.length === 2 && shape[0] === 2 ? "transpose it" : undefined,
    );
  }
  const names = labels === undefined ? undefined : readLabels(labels, chart, "labels", classNames);
  if (names && names.length !== shape[0]) {
    throw new PlotInputError(`${chart}: ${shape[0]} points but ${names.length} labels — give one label per point`);
  }
  return Array.from({ length: shape[0] }, (_, i) => ({
    x: data[2 * i],
    y: data[2 * i + 1],
    class: names ? names[i] : "points",
  }));
}

/**
 * Scatter plot of 2-D points, coloured (and shaped) by class.
 *
 *   plot.scatter(X, y, { classNames: ["blue", "red"] });   // X [n, 2], y [n]
 *
 * More than `maxPoints` points are thinned to every k-th one, and the
 * subtitle says so.
 */
export function scatter(points: NumericInput, labels?: LabelInput, options: ScatterOptions = {}): Chart {
  const all = scatterRows("scatter", points, labels, options.classNames);
  const { indices, stride } = strideSample(all.length, options.maxPoints ?? 5000);
  const rows = indices.map((i) => all[i]);
  const notes = stride > 1 ? [`1 in ${stride} of ${all.length} points shown (${rows.length})`] : [];
  const domain = classDomain(
    all.map((r) => r.class),
    options.classNames,
  );
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: chartTitle(options.title ?? "scatter", notes),
    width: options.width ?? 350,
    height: options.height ?? 350,
    data: { values: rows },
    mark: { type: "point", filled: true, size: 40, opacity: 0.8 },
    encoding: {
      x: { field: "x", type: "quantitative", title: options.xTitle ?? "x1", scale: { zero: false, padding: 10 } },
      y: { field: "y", type: "quantitative", title: options.yTitle ?? "x2", scale: { zero: false, padding: 10 } },
      color: {
        field: "class",
        type: "nominal",
        title: "class",
        scale: { domain },
        legend: labels === undefined ? null : {},
      },
      shape: {
        field: "class",
        type: "nominal",
        title: "class",
        scale: { domain },
        legend: labels === undefined ? null : {},
      },
      tooltip: [
        { field: "x", type: "quantitative" },
        { field: "y", type: "quantitative" },
        { field: "class", type: "nominal" },
      ],
    },
  };
  return new Chart(
    spec,
    `scatter: ${all.length} points${labels === undefined ? "" : `, ${domain.length} classes`}${stride > 1 ? ` (${rows.length} drawn)` : ""}`,
  );
}
