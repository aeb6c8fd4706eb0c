/**
 * Training loops: `fit` (progress bar, history, validation, early stopping,
 * no tensor leaks) and `evaluate`, with an accuracy metric.
 *
 *   const history = await train.fit(model, new optim.SGD(model.parameters(), { lr: 0.1 }), loader, {
 *     epochs: 20, lossFn: nn.crossEntropy, metrics: { accuracy: train.accuracy },
 *   });
 */
export { fit, type FitOptions } from "./fit";
export { evaluate, type EvaluateOptions } from "./evaluate";
export { accuracy } from "./metrics";
export { History, type EpochLog, type HistoryRecord } from "./history";
export { ProgressBar, type ProgressMode, type ProgressOptions } from "./progress";
export { EarlyStopping, type EarlyStoppingOptions } from "./earlyStopping";
export type { LossFn, MetricFn, Model, Optimizer } from "./types";
