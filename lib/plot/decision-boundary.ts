import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import type { TopLevelSpec } from "vega-lite";
import { Chart } from "./chart";
import { PlotInputError, shapeError } from "./errors";
import { scatterRows } from "./scatter";
import { chartTitle } from "./title";
import { argmaxRows, className, classDomain, LabelInput, NumericInput } from "./values";

/**
 * A 2-D classifier as `decisionBoundary` takes it: a function, an nn.Module
 * (`forward`) or a tfjs model (`predict`), mapping points [m, 2] to class
 * scores [m, classes], probabilities of class 1 [m] or [m, 1], or class indices [m].
 */
export type Predictor =
  | ((x: tf.Tensor2D) => tf.Tensor)
  | { forward(x: tf.Tensor2D): tf.Tensor }
  | { predict(x: tf.Tensor2D): tf.Tensor | tf.Tensor[] };

/** The data `decisionBoundary` draws on top of the coloured plane. */
export interface BoundaryData {
  /** The points, [n, 2]. */
  points: NumericInput;
  /** [n] class indices or names. */
  labels?: LabelInput;
}

/** Options of `plot.decisionBoundary`. */
export interface DecisionBoundaryOptions {
  /** Grid cells per side. Default 50. */
  resolution?: number;
  /** Margin around the data, as a fraction of its range. Default 0.1. */
  padding?: number;
  /** Names of the classes by index. Default: the indices. */
  classNames?: readonly string[];
  /** Default "decision boundary". */
  title?: string;
  /** Default 350. */
  width?: number;
  /** Default 350. */
  height?: number;
}

function callPredictor(predict: Predictor, x: tf.Tensor2D): tf.Tensor {
  const out =
    typeof predict === "function" ? predict(x) : "forward" in predict ? predict.forward(x) : predict.predict(x);
  if (Array.isArray(out))
    throw new PlotInputError(
      "decisionBoundary: the model returned several tensors — pass a function that returns the class scores",
    );
  if (!(out instanceof tf.Tensor))
    throw new PlotInputError(
      `decisionBoundary: predict returned ${typeof out}, expected a tensor of class scores [m, classes]`,
    );
  return out;
}

/** Class index and confidence per grid point, from whatever form of output the classifier gives. */
function classesOf(scores: number[], shape: number[]): { index: number[]; confidence: number[] } {
  const m = shape[0];
  if (shape.length === 2 && shape[1] >= 2) {
    const index = argmaxRows(scores, shape[1]);
    const confidence = index.map((best, i) => {
      const row = scores.slice(i * shape[1], (i + 1) * shape[1]);
      const isProbability = row.every((p) => p >= 0 && p <= 1) && Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-3;
      if (isProbability) return row[best];
      const exps = row.map((v) => Math.exp(v - row[best]));
      return 1 / exps.reduce((a, b) => a + b, 0);
    });
    return { index, confidence };
  }
  if (shape.length === 1 || (shape.length === 2 && shape[1] === 1)) {
    if (scores.every(Number.isInteger)) return { index: scores, confidence: scores.map(() => 1) };
    if (scores.every((p) => p >= 0 && p <= 1)) {
      return { index: scores.map((p) => (p >= 0.5 ? 1 : 0)), confidence: scores.map((p) => Math.max(p, 1 - p)) };
    }
  }
  throw shapeError(
    "decisionBoundary",
    "predict's output",
    shape,
    `[${m}, classes] scores, [${m}] probabilities of class 1, or [${m}] class indices`,
  );
}

/**
 * The decision boundary of a 2-D classifier: the plane coloured by the class
 * it predicts (paler where it is unsure), the data on top.
 *
 *   plot.decisionBoundary((X) => model.forward(X).softmax(), { points: X, labels: y });
 *
 * `predict` maps a grid X [m, 2] to class scores [m, classes] (probabilities
 * or logits), to one probability of class 1 per row ([m] or [m, 1]), or to
 * class indices [m]. A `{ forward(x) }` module or a `{ predict(x) }` tfjs
 * model works as well. Its tensors are disposed.
 */
export function decisionBoundary(predict: Predictor, data: BoundaryData, options: DecisionBoundaryOptions = {}): Chart {
  const points = scatterRows("decisionBoundary", data.points, data.labels, options.classNames);
  if (points.length === 0)
    throw new PlotInputError(
      "decisionBoundary: no points given — the grid is laid over the data, so pass at least one point",
    );
  const resolution = options.resolution ?? 50;
  const padding = options.padding ?? 0.1;
  const extent = (values: number[]) => {
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const margin = (hi - lo || 1) * padding;
    return { lo: lo - margin, step: (hi - lo + 2 * margin || 1) / resolution };
  };
  const ex = extent(points.map((p) => p.x));
  const ey = extent(points.map((p) => p.y));
  const grid: number[] = [];
  for (let j = 0; j < resolution; j++) {
    for (let i = 0; i < resolution; i++) grid.push(ex.lo + (i + 0.5) * ex.step, ey.lo + (j + 0.5) * ey.step);
  }
  const { scores, shape } = tf.tidy(() => {
    const out = callPredictor(predict, tf.tensor2d(grid, [resolution * resolution, 2]));
    return { scores: Array.from(out.dataSync()), shape: out.shape };
  });
  if (shape[0] !== resolution * resolution) {
    throw shapeError(
      "decisionBoundary",
      "predict's output",
      shape,
      `[${resolution * resolution}, ...] (one row per input row)`,
    );
  }
  const predicted = classesOf(scores, shape);
  // Rounded, and cell ends computed in the chart: the grid is most of the notebook's bytes.
  const round = (v: number) => Number(v.toPrecision(5));
  const cells = predicted.index.map((c, k) => ({
    x: round(grid[2 * k] - ex.step / 2),
    y: round(grid[2 * k + 1] - ey.step / 2),
    class: className(c, options.classNames),
    confidence: Number(predicted.confidence[k].toFixed(3)),
  }));
  const domain = classDomain([...points.map((p) => p.class), ...cells.map((c) => c.class)], options.classNames);
  const color = { field: "class", type: "nominal", title: "class", scale: { domain } } as const;
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: chartTitle(options.title ?? "decision boundary", []),
    width: options.width ?? 350,
    height: options.height ?? 350,
    layer: [
      {
        data: { values: cells },
        transform: [
          { calculate: `datum.x + ${ex.step}`, as: "x2" },
          { calculate: `datum.y + ${ey.step}`, as: "y2" },
        ],
        mark: { type: "rect", aria: false },
        encoding: {
          x: {
            field: "x",
            type: "quantitative",
            title: "x1",
            scale: { zero: false, nice: false },
            axis: { grid: false },
          },
          x2: { field: "x2" },
          y: {
            field: "y",
            type: "quantitative",
            title: "x2",
            scale: { zero: false, nice: false },
            axis: { grid: false },
          },
          y2: { field: "y2" },
          color,
          opacity: {
            field: "confidence",
            type: "quantitative",
            scale: { domain: [0.5, 1], range: [0.1, 0.45], clamp: true },
            legend: null,
          },
        },
      },
      {
        data: { values: points },
        mark: { type: "point", filled: true, size: 40, stroke: "white", strokeWidth: 0.5, opacity: 1 },
        encoding: {
          x: { field: "x", type: "quantitative" },
          y: { field: "y", type: "quantitative" },
          color,
          shape: { field: "class", type: "nominal", title: "class", scale: { domain } },
          tooltip: [
            { field: "x", type: "quantitative" },
            { field: "y", type: "quantitative" },
            { field: "class", type: "nominal" },
          ],
        },
      },
    ],
  };
  return new Chart(
    spec,
    `decisionBoundary: ${domain.length} classes on a ${resolution}×${resolution} grid, ${points.length} points`,
  );
}
