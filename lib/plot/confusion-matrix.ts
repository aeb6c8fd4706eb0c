import type { TopLevelSpec } from "vega-lite";
import { Chart } from "./chart";
import { PlotInputError } from "./errors";
import { chartTitle, labelLookup } from "./title";
import { classDomain, LabelInput, readLabels } from "./values";

/** Options of `plot.confusionMatrix`. */
export interface ConfusionMatrixOptions {
  /** Names of the classes by index. Default: the indices seen. */
  classNames?: readonly string[];
  /** Colour each row by the fraction of that class (recall) instead of the count: fairer when classes are imbalanced. Default false. */
  normalize?: boolean;
  /** Default "confusion matrix". */
  title?: string;
}

/** A confusion matrix as numbers, what `confusionCounts` returns. */
export interface Confusion {
  /** The class names, in row (and column) order. */
  classes: string[];
  /** counts[t][p]: examples of true class t predicted as p. */
  counts: number[][];
}

/**
 * The counts behind `confusionMatrix`, without the chart: labels [n] and
 * predictions as class indices [n] or scores [n, classes] (argmax is taken).
 *
 *   const { counts } = plot.confusionCounts(yTest, model.predict(xTest));   // counts[true][predicted]
 */
export function confusionCounts(
  labels: LabelInput,
  predictions: LabelInput,
  classNames?: readonly string[],
): Confusion {
  const truth = readLabels(labels, "confusionMatrix", "labels", classNames);
  const predicted = readLabels(predictions, "confusionMatrix", "predictions", classNames);
  if (truth.length !== predicted.length) {
    throw new PlotInputError(
      `confusionMatrix: ${truth.length} labels but ${predicted.length} predictions — give one prediction per label`,
    );
  }
  const classes = classDomain([...truth, ...predicted], classNames);
  const position = new Map(classes.map((c, i) => [c, i]));
  const counts = classes.map(() => classes.map(() => 0));
  truth.forEach((t, i) => {
    const p = predicted[i];
    if (!position.has(t) || !position.has(p)) {
      throw new PlotInputError(
        `confusionMatrix: class '${position.has(t) ? p : t}' is not among classNames (${classes.length} names) — pass one name per class index`,
      );
    }
    counts[position.get(t)!][position.get(p)!]++;
  });
  return { classes, counts };
}

/**
 * Confusion matrix: how often each true class (row) was predicted as each
 * class (column), the count written in every cell, accuracy in the title.
 *
 *   plot.confusionMatrix(yTest, model.predict(xTest), { classNames });
 *
 * `predictions` may be class indices [n] or scores [n, classes] (argmax is taken).
 */
export function confusionMatrix(
  labels: LabelInput,
  predictions: LabelInput,
  options: ConfusionMatrixOptions = {},
): Chart {
  const { classes, counts } = confusionCounts(labels, predictions, options.classNames);
  const total = counts.flat().reduce((a, b) => a + b, 0);
  const correct = counts.reduce((sum, row, i) => sum + row[i], 0);
  const cells = counts.flatMap((row, t) => {
    const rowTotal = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => ({
      true: t,
      predicted: p,
      trueClass: classes[t],
      predictedClass: classes[p],
      count,
      fraction: rowTotal ? count / rowTotal : 0,
    }));
  });
  const colorField = options.normalize ? "fraction" : "count";
  const step = Math.max(14, Math.min(40, Math.floor(400 / classes.length)));
  const accuracy = total ? `accuracy ${((100 * correct) / total).toFixed(1)}% (${correct} of ${total})` : "no examples";
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: chartTitle(options.title ?? "confusion matrix", [accuracy]),
    data: { values: cells },
    width: { step },
    height: { step },
    encoding: {
      x: {
        field: "predicted",
        type: "ordinal",
        title: "predicted",
        axis: { labelExpr: labelLookup(classes), labelAngle: -45, orient: "top" },
      },
      y: { field: "true", type: "ordinal", title: "true", axis: { labelExpr: labelLookup(classes) } },
    },
    layer: [
      {
        mark: "rect",
        encoding: {
          color: {
            field: colorField,
            type: "quantitative",
            title: options.normalize ? "fraction of row" : "count",
            scale: { scheme: "blues" },
          },
          tooltip: [
            { field: "trueClass", type: "nominal", title: "true" },
            { field: "predictedClass", type: "nominal", title: "predicted" },
            { field: "count", type: "quantitative" },
            { field: "fraction", type: "quantitative", format: ".1%", title: "fraction of row" },
          ],
        },
      },
      ...(step >= 20
        ? [
            {
              mark: { type: "text", fontSize: 10 },
              encoding: {
                text: { field: "count", type: "quantitative" },
                color: {
                  condition: {
                    test: `datum.${colorField} > ${options.normalize ? 0.5 : Math.max(...cells.map((c) => c.count)) / 2}`,
                    value: "white",
                  },
                  value: "#222",
                },
              },
            } as const,
          ]
        : []),
    ],
  };
  return new Chart(spec, `confusionMatrix: ${classes.length} classes, ${accuracy}`);
}
