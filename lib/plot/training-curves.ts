import type { TopLevelSpec } from "vega-lite";
import { Chart } from "./chart";
import { PlotInputError } from "./errors";
import { seriesPoints } from "./line";
import { chartTitle } from "./title";
import { NumericInput } from "./values";

/** Metric name → one value per epoch, or an object that lists its series (lib/train's History). */
export type HistoryInput =
  Readonly<Record<string, NumericInput>> | { readonly keys: readonly string[]; series(key: string): number[] };

function asRecord(history: HistoryInput): Readonly<Record<string, NumericInput>> {
  if ("series" in history && typeof history.series === "function" && Array.isArray(history.keys)) {
    const byKey = history as { readonly keys: readonly string[]; series(key: string): number[] };
    return Object.fromEntries(byKey.keys.map((key) => [key, byKey.series(key)]));
  }
  return history as Readonly<Record<string, NumericInput>>;
}

/** Options of `plot.trainingCurves`. */
export interface TrainingCurvesOptions {
  /** Default "training curves". */
  title?: string;
  /** Log-scale y axes (every value must be > 0). Default false. */
  logScale?: boolean;
  /** Most points drawn per series; longer ones are averaged in buckets. Default 1000. */
  maxPoints?: number;
  /** Width of each panel in pixels. Default 300. */
  width?: number;
  /** Height of each panel in pixels. Default 200. */
  height?: number;
}

const VALIDATION_PREFIX = /^val_?/;

/** The split a history key belongs to and the metric it measures: `val_loss` → validation, loss. */
function splitOf(key: string): { split: string; metric: string } {
  return VALIDATION_PREFIX.test(key)
    ? { split: "validation", metric: key.replace(VALIDATION_PREFIX, "") }
    : { split: "train", metric: key };
}

/**
 * Training curves from a history of per-epoch metrics, one panel per metric
 * with train and validation side by side — the way Keras names them:
 *
 *   plot.trainingCurves({ loss: [...], val_loss: [...], accuracy: [...], val_accuracy: [...] });
 *   plot.trainingCurves(await train.fit(...));   // a History works too
 *
 * draws a "loss" panel and an "accuracy" panel, each with a train and a
 * validation line. Epochs count from 1.
 */
export function trainingCurves(input: HistoryInput, options: TrainingCurvesOptions = {}): Chart {
  const history = asRecord(input);
  const keys = Object.keys(history);
  if (keys.length === 0)
    throw new PlotInputError(
      "trainingCurves: the history is empty — pass e.g. { loss: [0.9, 0.5], accuracy: [0.6, 0.8] }",
    );
  const rows: { metric: string; split: string; epoch: number; value: number | null }[] = [];
  const notes: string[] = [];
  const metrics: string[] = [];
  let epochs = 0;
  for (const key of keys) {
    const { split, metric } = splitOf(key);
    if (!metrics.includes(metric)) metrics.push(metric);
    const points = seriesPoints("trainingCurves", key, history[key], undefined, options);
    points.x.forEach((x, i) => rows.push({ metric, split, epoch: x + 1, value: points.y[i] }));
    notes.push(...points.notes);
    epochs = Math.max(epochs, points.x.length === 0 ? 0 : Math.round(points.x[points.x.length - 1]) + 1);
  }
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: chartTitle(options.title ?? "training curves", notes),
    data: { values: rows },
    facet: { column: { field: "metric", type: "nominal", title: null, sort: metrics, header: { labelFontSize: 13 } } },
    spec: {
      width: options.width ?? 300,
      height: options.height ?? 200,
      mark: { type: "line", point: epochs <= 30, tooltip: true },
      encoding: {
        x: {
          field: "epoch",
          type: "quantitative",
          title: "epoch",
          axis:
            epochs <= 20
              ? { values: Array.from({ length: epochs }, (_, i) => i + 1), format: "d" }
              : { tickMinStep: 1, format: "d" },
        },
        y: {
          field: "value",
          type: "quantitative",
          title: null,
          scale: options.logScale ? { type: "log", nice: false } : { zero: false },
        },
        color: {
          field: "split",
          type: "nominal",
          title: null,
          scale: { domain: ["train", "validation"].filter((s) => rows.some((r) => r.split === s)) },
        },
      },
    },
    resolve: { scale: { y: "independent" } },
  };
  return new Chart(spec, `trainingCurves: ${metrics.join(", ")} over ${epochs} epochs`);
}
