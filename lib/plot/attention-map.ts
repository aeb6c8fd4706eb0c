/** Attention maps as a grid of heatmaps; the doc sits on `attentionMap`. */
import type { TopLevelSpec } from "vega-lite";
import { Chart } from "./chart";
import { PlotInputError, shapeError } from "./errors";
import { poolLabels, poolMatrix } from "./summarise";
import { chartTitle, labelLookup } from "./title";
import { dense, NumericInput } from "./values";

/** Options of `plot.attentionMap`. */
export interface AttentionMapOptions {
  /** Default "attention". */
  title?: string;
  /** Which layers to draw (0-based). Default: all that fit in `maxPanels`. */
  layers?: readonly number[];
  /** Which heads to draw (0-based). Default: all. */
  heads?: readonly number[];
  /** Most tokens drawn per axis; longer sequences are mean-pooled into spans. Default 40. */
  maxTokens?: number;
  /** Most panels (layers × heads) drawn. Default 32. */
  maxPanels?: number;
  /** Side of one cell in pixels. Default: fits a panel in about 200 pixels, between 8 and 24. */
  cellSize?: number;
}

const EXPECTED =
  "[layers, heads, queries, keys] (or [heads, queries, keys] for one layer, [queries, keys] for one head)";

function pick(chart: string, what: string, chosen: readonly number[] | undefined, count: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (!chosen) return all;
  const bad = chosen.find((i) => !Number.isInteger(i) || i < 0 || i >= count);
  if (bad !== undefined)
    throw new PlotInputError(
      `${chart}: ${what} ${bad} does not exist — there are ${count} (0-based: 0 to ${count - 1})`,
    );
  return [...chosen];
}

/**
 * Attention maps: every head of every layer as one grid of heatmaps (rows are
 * layers, columns heads), queries down the side, keys along the top, each
 * labelled with its token, the weight in a tooltip.
 *
 * Row i shows how much query token i attends to each key: rows of softmax
 * weights sum to 1. More than `maxTokens` tokens are mean-pooled into spans,
 * more than `maxPanels` panels keep the first layers, and the subtitle says so.
 *
 * Shape: `weights` `[layers, heads, queries, keys]` as a tensor or nested
 * arrays; `[heads, queries, keys]` (one layer) and `[queries, keys]` (one head) work too.
 *
 * @param weights - the attention weights, e.g. from `MultiheadAttention`'s result
 * @param queryTokens - one label per query (row)
 * @param keyTokens - one label per key (column); default: the query tokens
 * @param options - `title`, `layers`, `heads`, `maxTokens` (40), `maxPanels` (32), `cellSize`
 *
 * @example
 * plot.attentionMap(weights, ["<s>", "a", "b", "c"]);   // weights [layers, heads, q, k]
 */
export function attentionMap(
  weights: NumericInput,
  queryTokens: readonly string[],
  keyTokens: readonly string[] = queryTokens,
  options: AttentionMapOptions = {},
): Chart {
  const { data, shape } = dense(weights, "attentionMap", "weights");
  if (shape.length < 2 || shape.length > 4) {
    const hint =
      shape.length === 5 ? "a batch dimension? pick one example: weights.slice/gather or weights[i]" : undefined;
    throw shapeError("attentionMap", "weights", shape, EXPECTED, hint);
  }
  const [layerCount, headCount, q, k] = [...Array(4 - shape.length).fill(1), ...shape] as number[];
  if (queryTokens.length !== q) {
    throw new PlotInputError(
      `attentionMap: weights have ${q} queries (shape [${shape.join(", ")}], expected ${EXPECTED}) but queryTokens has ${queryTokens.length} tokens`,
    );
  }
  if (keyTokens.length !== k) {
    throw new PlotInputError(
      `attentionMap: weights have ${k} keys (shape [${shape.join(", ")}], expected ${EXPECTED}) but keyTokens has ${keyTokens.length} tokens`,
    );
  }
  const notes: string[] = [];
  const heads = pick("attentionMap", "head", options.heads, headCount);
  let layers = pick("attentionMap", "layer", options.layers, layerCount);
  const maxPanels = options.maxPanels ?? 32;
  if (layers.length * heads.length > maxPanels) {
    const kept = Math.max(1, Math.floor(maxPanels / heads.length));
    notes.push(
      `layers ${layers
        .slice(0, kept)
        .map((l) => l + 1)
        .join(", ")} of ${layerCount} shown (${maxPanels} panels at most) — pick others with { layers: [...] }`,
    );
    layers = layers.slice(0, kept);
  }
  const maxTokens = options.maxTokens ?? 40;
  const cells: {
    layer: number;
    head: number;
    query: number;
    key: number;
    queryToken: string;
    keyToken: string;
    weight: number;
  }[] = [];
  let rowBlock = 1;
  let colBlock = 1;
  let queryLabels: string[] = [...queryTokens];
  let keyLabels: string[] = [...keyTokens];
  for (const layer of layers) {
    for (const head of heads) {
      const offset = (layer * headCount + head) * q * k;
      const pooled = poolMatrix(data.slice(offset, offset + q * k), q, k, maxTokens, maxTokens);
      ({ rowBlock, colBlock } = pooled);
      queryLabels = poolLabels(queryTokens, rowBlock);
      keyLabels = poolLabels(keyTokens, colBlock);
      pooled.data.forEach((weight, index) => {
        const query = Math.floor(index / pooled.cols);
        const key = index % pooled.cols;
        cells.push({
          layer: layer + 1,
          head: head + 1,
          query,
          key,
          queryToken: queryLabels[query],
          keyToken: keyLabels[key],
          weight,
        });
      });
    }
  }
  if (rowBlock > 1 || colBlock > 1) {
    notes.push(
      `${q} queries × ${k} keys drawn as means over spans of ${rowBlock} × ${colBlock} tokens (${queryLabels.length} × ${keyLabels.length})`,
    );
  }
  // Softmax weights share one 0–1 scale across panels; raw scores keep their own range.
  const probabilities = cells.every((c) => c.weight >= 0 && c.weight <= 1);
  const step =
    options.cellSize ?? Math.max(8, Math.min(24, Math.floor(200 / Math.max(queryLabels.length, keyLabels.length))));
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: chartTitle(options.title ?? "attention", notes),
    data: { values: cells },
    facet: {
      row: {
        field: "layer",
        type: "ordinal",
        title: null,
        header: { labelExpr: "'layer ' + datum.value", labelAngle: 0, labelFontSize: 12, labelAlign: "left" },
      },
      column: {
        field: "head",
        type: "ordinal",
        title: null,
        header: { labelExpr: "'head ' + datum.value", labelFontSize: 12 },
      },
    },
    spacing: 12,
    spec: {
      width: { step },
      height: { step },
      mark: "rect",
      encoding: {
        x: {
          field: "key",
          type: "ordinal",
          title: "key",
          axis: { labelExpr: labelLookup(keyLabels), labelAngle: -45, orient: "top" },
        },
        y: { field: "query", type: "ordinal", title: "query", axis: { labelExpr: labelLookup(queryLabels) } },
        color: {
          field: "weight",
          type: "quantitative",
          title: "weight",
          scale: probabilities ? { scheme: "blues", domain: [0, 1] } : { scheme: "blues" },
        },
        tooltip: [
          { field: "layer", type: "ordinal" },
          { field: "head", type: "ordinal" },
          { field: "queryToken", type: "nominal", title: "query" },
          { field: "keyToken", type: "nominal", title: "key" },
          { field: "weight", type: "quantitative", format: ".3f" },
        ],
      },
    },
  };
  return new Chart(spec, `attentionMap: ${layers.length} layer(s) × ${heads.length} head(s), ${q} queries × ${k} keys`);
}
