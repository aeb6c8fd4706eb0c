/**
 * What a chart shows where neither Vega-Lite nor SVG is drawn: a small PNG.
 *
 * Every chart bundle carries one (`image/png`) for GitHub, untrusted classic
 * notebooks and viewers without a Vega renderer. nbconvert needs more: it
 * prefers `image/svg+xml` over `image/png`, and Debian's nbconvert 6.5 passes
 * SVG through lxml's HTML cleaner, which strips every SVG element (see
 * nbconvert-svg.html.j2), so plain `jupyter nbconvert --to html` showed an
 * empty box. The cleaner keeps HTML's `<img>`, so the same PNG also goes
 * into the SVG, last, as an `<img>` in a hidden `<foreignObject>`: SVG
 * renderers skip it (resvg ignores foreignObject), and in the cleaned HTML it
 * is what remains and shows.
 */
import { encodeOpaquePNG } from "./png";
import { rasterise } from "./render";

/**
 * The most a chart's PNG may weigh: a notebook with a dozen charts should
 * stay small enough to open and to grade (tests/lib/plot/fallback-png.test.ts
 * measures the kit's charts against it).
 */
export const FALLBACK_PNG_BYTES = 60 * 1024;

/**
 * The chart's PNG at its own size, smaller when that is over the budget;
 * null when even half size is (the SVG still shows where SVG is shown).
 */
export function fallbackPNG(svg: string, budget = FALLBACK_PNG_BYTES): Buffer | null {
  for (const scale of [1, 0.75, 0.5]) {
    const { width, height, pixels } = rasterise(svg, scale);
    const png = encodeOpaquePNG(width, height, pixels);
    if (png.length <= budget) return png;
  }
  return null;
}

const escapeAttribute = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** The SVG with the PNG inside, hidden from SVG renderers, for nbconvert's HTML cleaner to leave behind. */
export function withHiddenPNG(svg: string, png: Buffer, description: string): string {
  const end = svg.lastIndexOf("</svg>");
  if (end < 0) return svg;
  const size = /^<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"/.exec(svg);
  const dimensions = size ? ` width="${size[1]}" height="${size[2]}"` : "";
  const img =
    `<foreignObject width="0" height="0" style="display:none"><img xmlns="http://www.w3.org/1999/xhtml"` +
    ` src="data:image/png;base64,${png.toString("base64")}" alt="${escapeAttribute(description)}"${dimensions}/></foreignObject>`;
  return svg.slice(0, end) + img + svg.slice(end);
}
