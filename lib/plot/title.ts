/** A chart title whose subtitle lines say what was summarised or left out, so nothing is dropped silently. */
import type { TopLevelSpec } from "vega-lite";

export function chartTitle(text: string, notes: readonly string[]): NonNullable<TopLevelSpec["title"]> {
  return notes.length
    ? { text, subtitle: [...notes], subtitleColor: "#555", anchor: "start" }
    : { text, anchor: "start" };
}

/** A vega expression that shows `labels[index]` for an axis whose field holds indices (labels may repeat, like tokens). */
export function labelLookup(labels: readonly string[]): string {
  return `${JSON.stringify(labels)}[datum.value]`;
}
