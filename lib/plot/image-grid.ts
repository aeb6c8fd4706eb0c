import type { TopLevelSpec } from "vega-lite";
import { Chart } from "./chart";
import { PlotInputError, shapeError } from "./errors";
import { pngDataURL } from "./png";
import { chartTitle } from "./title";
import { dense, LabelInput, NumericInput, readLabels } from "./values";

/** Options of `plot.imageGrid`. */
export interface ImageGridOptions {
  /** Names of the classes by index. Default: the indices. */
  classNames?: readonly string[];
  /** Images per row. Default: min(8, images). */
  columns?: number;
  /** Most images drawn; the first ones are kept. Default 64. */
  maxImages?: number;
  /** Side of each image in pixels. Default 72. */
  size?: number;
  /** Default "images". */
  title?: string;
}

interface Cell {
  index: number;
  url: string;
  caption: string;
  wrong: boolean;
  /** Top-left corner of the image, in pixels. */
  left: number;
  top: number;
}

function readImages(images: NumericInput): {
  data: number[];
  n: number;
  height: number;
  width: number;
  channels: 1 | 3;
} {
  const { data, shape } = dense(images, "imageGrid", "images");
  const [n, height, width, channels = 1] = shape;
  if (shape.length === 3 || (shape.length === 4 && (channels === 1 || channels === 3)))
    return { data, n, height, width, channels: channels as 1 | 3 };
  const side = Math.sqrt(shape[1] ?? 0);
  const hint =
    shape.length === 2 && Number.isInteger(side)
      ? `flat rows of ${shape[1]} pixels? reshape to [${shape[0]}, ${side}, ${side}]`
      : shape.length === 4 && shape[1] <= 4
        ? `channels first? transpose to [n, H, W, C] with x.transpose([0, 2, 3, 1])`
        : undefined;
  throw shapeError("imageGrid", "images", shape, "[n, H, W] or [n, H, W, C] with C = 1 or 3", hint);
}

/** Maps pixel values to bytes, and says how when it is not the usual [0, 1] or [0, 255]. */
function pixelScale(values: readonly number[]): { toByte: (v: number) => number; note?: string } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  if (lo >= 0 && hi <= 1) return { toByte: (v) => clamp(v * 255) };
  if (lo >= 0 && hi <= 255) return { toByte: clamp };
  const range = hi - lo || 1;
  return {
    toByte: (v) => clamp(((v - lo) / range) * 255),
    note: `pixel values in [${lo.toPrecision(3)}, ${hi.toPrecision(3)}] stretched to black–white`,
  };
}

/**
 * A grid of images with their labels; where predictions are given, the wrong
 * ones get a red frame and a two-line caption: predicted, then `true: label`.
 *
 *   plot.imageGrid(xTest.slice(0, 16), yTest.slice(0, 16), predicted, { classNames });
 *
 * `images` is [n, H, W] (grey) or [n, H, W, C] with C = 1 or 3, as a tensor
 * or arrays. Pixels in [0, 1] or [0, 255] are drawn as they are; anything else
 * (standardised inputs) is stretched to the grid's min–max, and the subtitle
 * says so. Beyond `maxImages` only the first ones are drawn, also said.
 */
export function imageGrid(
  images: NumericInput,
  labels?: LabelInput,
  predictions?: LabelInput,
  options: ImageGridOptions = {},
): Chart {
  const { data, n, height, width, channels } = readImages(images);
  const truth = labels === undefined ? undefined : readLabels(labels, "imageGrid", "labels", options.classNames);
  const predicted =
    predictions === undefined ? undefined : readLabels(predictions, "imageGrid", "predictions", options.classNames);
  for (const [name, list] of [
    ["labels", truth],
    ["predictions", predicted],
  ] as const) {
    if (list && list.length !== n)
      throw new PlotInputError(`imageGrid: ${n} images but ${list.length} ${name} — give one per image`);
  }
  const shown = Math.min(n, options.maxImages ?? 64);
  const size = options.size ?? 72;
  const columns = options.columns ?? Math.min(8, shown);
  const captionHeight = truth && predicted ? 30 : 16;
  const gap = 8;
  const pixels = height * width * channels;
  const { toByte, note } = pixelScale(data.slice(0, shown * pixels));
  const cells: Cell[] = [];
  for (let i = 0; i < shown; i++) {
    const bytes = Uint8Array.from(data.slice(i * pixels, (i + 1) * pixels), toByte);
    const wrong = truth !== undefined && predicted !== undefined && truth[i] !== predicted[i];
    const caption = predicted
      ? wrong
        ? `${predicted[i]}\ntrue: ${truth![i]}`
        : predicted[i]
      : (truth?.[i] ?? `#${i}`);
    const left = (i % columns) * (size + gap);
    const top = Math.floor(i / columns) * (size + captionHeight + gap);
    cells.push({ index: i, url: pngDataURL(width, height, channels, bytes), caption, wrong, left, top });
  }
  const wrongCount = cells.filter((c) => c.wrong).length;
  const notes = [
    ...(shown < n ? [`first ${shown} of ${n} images shown`] : []),
    ...(truth && predicted
      ? [`${wrongCount} of ${shown} predictions wrong: red frame, caption "predicted / true: label"`]
      : []),
    ...(note ? [note] : []),
  ];
  // Laid out by hand in pixels (scale: null): a facet per image would add a header to every cell.
  const pixel = (field: string) => ({ field, type: "quantitative", scale: null }) as const;
  const rows = Math.ceil(shown / columns);
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: chartTitle(options.title ?? "images", notes),
    data: { values: cells },
    width: columns * (size + gap) - gap,
    height: rows * (size + captionHeight + gap) - gap,
    transform: [
      { calculate: `datum.left + ${size}`, as: "right" },
      { calculate: `datum.top + ${size}`, as: "bottom" },
      { calculate: `datum.left + ${size / 2}`, as: "center" },
      { calculate: `datum.top + ${size + 3}`, as: "captionY" },
    ],
    layer: [
      {
        mark: { type: "image", width: size, height: size, align: "left", baseline: "top", smooth: false, aria: false },
        encoding: {
          url: { field: "url", type: "nominal" },
          x: pixel("left"),
          y: pixel("top"),
          tooltip: { field: "caption", type: "nominal" },
        },
      },
      {
        transform: [{ filter: "datum.wrong" }],
        mark: { type: "rect", filled: false, stroke: "#d62728", strokeWidth: 3 },
        encoding: { x: pixel("left"), x2: { field: "right" }, y: pixel("top"), y2: { field: "bottom" } },
      },
      {
        mark: { type: "text", align: "center", baseline: "top", fontSize: 11, limit: size + gap, lineBreak: "\n" },
        encoding: {
          text: { field: "caption", type: "nominal" },
          x: pixel("center"),
          y: pixel("captionY"),
          color: { condition: { test: "datum.wrong", value: "#d62728" }, value: "#333" },
        },
      },
    ],
    config: { view: { stroke: null } },
  };
  return new Chart(
    spec,
    `imageGrid: ${shown} of ${n} images ${height}×${width}${channels === 3 ? " RGB" : ""}${truth && predicted ? `, ${wrongCount} wrong` : ""}`,
  );
}
