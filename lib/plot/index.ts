/**
 * Charts for the labs, as Vega-Lite specs that show wherever a notebook is
 * opened (JupyterLab draws the spec; classic Notebook, VS Code, nbconvert
 * HTML and GitHub show the SVG drawn in Node alongside it).
 *
 *   import { plot } from "dlkit";
 *   plot.trainingCurves(history);                       // last expression: drawn
 *   plot.attentionMap(weights, tokens);                 // [layers, heads, q, k]
 *   await plot.show(plot.scatter(X, y));                // draw mid-cell
 *   await plot.scatter(X, y).save("data.png");          // .svg, .png, .json
 */
export { Chart, show, VEGA_LITE_MIME } from "./chart";
export { PlotInputError } from "./errors";
export { type PngOptions } from "./render";
export { lineChart, type LineChartOptions } from "./line";
export { trainingCurves, type HistoryInput, type TrainingCurvesOptions } from "./training-curves";
export { scatter, type ScatterOptions } from "./scatter";
export { decisionBoundary, type BoundaryData, type DecisionBoundaryOptions, type Predictor } from "./decision-boundary";
export { imageGrid, type ImageGridOptions } from "./image-grid";
export { heatmap, type HeatmapOptions } from "./heatmap";
export { confusionMatrix, confusionCounts, type Confusion, type ConfusionMatrixOptions } from "./confusion-matrix";
export { attentionMap, type AttentionMapOptions } from "./attention-map";
export { liveTrainingCurves, LiveTrainingCurves, type EpochValues, type LiveTrainingCurvesOptions } from "./live";
export { type LabelInput, type NestedNumbers, type NumericInput } from "./values";
