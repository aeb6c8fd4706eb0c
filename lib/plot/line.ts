import type { TopLevelSpec } from "vega-lite";
import { Chart } from "./chart";
import { PlotInputError, shapeError } from "./errors";
import { bucketMeans } from "./summarise";
import { chartTitle } from "./title";
import { dense, NumericInput } from "./values";

/** Options of `plot.lineChart`. */
export interface LineChartOptions {
  /** Chart title. Default: the series names. */
  title?: string;
  /** x values shared by all series. Default 0, 1, 2, ... */
  x?: NumericInput;
  /** Default "step". */
  xTitle?: string;
  /** Default "value". */
  yTitle?: string;
  /** Log-scale y axis (values must be > 0). Default false. */
  logScale?: boolean;
  /** Most points drawn per series; longer series are averaged in buckets. Default 1000. */
  maxPoints?: number;
  /** Plot width in pixels. Default 400. */
  width?: number;
  /** Plot height in pixels. Default 250. */
  height?: number;
}

export interface SeriesPoints {
  x: number[];
  /** null where the value was not finite. */
  y: (number | null)[];
  notes: string[];
}

/** Reads one series, checks it for a log axis, and buckets it when long; `notes` tell what was done. */
export function seriesPoints(
  chart: string,
  name: string,
  values: NumericInput,
  x: number[] | undefined,
  options: { logScale?: boolean; maxPoints?: number },
): SeriesPoints {
  const { data, shape } = dense(values, chart, `series '${name}'`);
  if (shape.length !== 1 && !(shape.length === 2 && shape[1] === 1)) {
    throw shapeError(
      chart,
      `series '${name}'`,
      shape,
      "[steps] (one value per step)",
      "pass each curve as its own series",
    );
  }
  const xs = x ?? data.map((_, i) => i);
  if (xs.length !== data.length) {
    throw new PlotInputError(
      `${chart}: x has ${xs.length} values but series '${name}' has ${data.length} — give one x per value`,
    );
  }
  if (options.logScale) {
    const bad = data.findIndex((v) => Number.isFinite(v) && v <= 0);
    if (bad >= 0) {
      throw new PlotInputError(
        `${chart}: logScale needs values above 0, but series '${name}' has ${data[bad]} at index ${bad} — drop logScale or plot a positive quantity`,
      );
    }
  }
  const notes: string[] = [];
  const nonFinite = data.filter((v) => !Number.isFinite(v)).length;
  if (nonFinite) notes.push(`${name}: ${nonFinite} of ${data.length} values are NaN or infinite (gaps)`);
  const bucketed = bucketMeans(xs, data, options.maxPoints ?? 1000);
  if (bucketed.size > 1)
    notes.push(`${name}: ${data.length} points drawn as ${bucketed.y.length} means of ${bucketed.size}`);
  return { x: bucketed.x, y: bucketed.y.map((v) => (Number.isFinite(v) ? v : null)), notes };
}

/**
 * Line chart of one or more series against a shared x (steps by default):
 * loss curves, learning-rate schedules, anything indexed by step.
 *
 *   plot.lineChart({ train: trainLoss, test: testLoss }, { yTitle: "loss", logScale: true });
 *
 * Series longer than `maxPoints` are drawn as means of consecutive buckets,
 * and the subtitle says so; NaN and ±Infinity values are left as gaps and
 * counted in the subtitle (a NaN loss is a bug worth seeing).
 */
export function lineChart(series: Readonly<Record<string, NumericInput>>, options: LineChartOptions = {}): Chart {
  const names = Object.keys(series);
  if (names.length === 0) throw new PlotInputError("lineChart: no series given — pass e.g. { loss: [0.9, 0.5, 0.3] }");
  const x = options.x === undefined ? undefined : dense(options.x, "lineChart", "x").data;
  const rows: { series: string; x: number; y: number | null }[] = [];
  const notes: string[] = [];
  let longest = 0;
  for (const name of names) {
    const points = seriesPoints("lineChart", name, series[name], x, options);
    points.x.forEach((xi, i) => rows.push({ series: name, x: xi, y: points.y[i] }));
    notes.push(...points.notes);
    longest = Math.max(longest, points.x.length);
  }
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: chartTitle(options.title ?? names.join(", "), notes),
    width: options.width ?? 400,
    height: options.height ?? 250,
    data: { values: rows },
    mark: { type: "line", point: longest <= 30, tooltip: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: options.xTitle ?? "step" },
      y: {
        field: "y",
        type: "quantitative",
        title: options.yTitle ?? "value",
        scale: options.logScale ? { type: "log", nice: false } : { zero: false },
      },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        scale: { domain: names },
        legend: names.length > 1 ? {} : null,
      },
    },
  };
  return new Chart(
    spec,
    `lineChart: ${names.join(", ")} (${longest} points${names.length > 1 ? " each at most" : ""})`,
  );
}
