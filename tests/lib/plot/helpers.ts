/** What the plot tests share: the Vega-Lite schema check and counting drawn marks in an SVG. */
import Ajv from "ajv";
import type { TopLevelSpec } from "vega-lite";
import schema from "vega-lite/build/vega-lite-schema.json";

const validate = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: false }).compile(schema);

/** The schema's complaints about a spec, empty when it is valid. */
export function schemaErrors(spec: TopLevelSpec): string[] {
  return validate(spec) ? [] : (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`);
}

/**
 * Items vega drew for data marks of one type (`rect`, `line`, `symbol`,
 * `text`, `image`), across all facets; axes, legends and titles are not counted.
 */
export function countMarks(svg: string, type: string): number {
  const groups = svg.matchAll(new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*?(?:/>|>(.*?)</g>)`, "gs"));
  let count = 0;
  for (const group of groups) count += (group[1] ?? "").match(/<(path|text|image|line)\b/g)?.length ?? 0;
  return count;
}

/** The data rows a single-view spec carries inline. */
export function rows<T = Record<string, unknown>>(spec: TopLevelSpec): T[] {
  const data = (spec as { data?: { values?: unknown } }).data;
  if (!data || !Array.isArray(data.values)) throw new Error("the spec has no inline data");
  return data.values as T[];
}

export function subtitle(spec: TopLevelSpec): string {
  const title = spec.title as { subtitle?: string | string[] } | undefined;
  return ([] as string[]).concat(title?.subtitle ?? []).join("\n");
}
