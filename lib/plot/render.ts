/**
 * Draws a Vega-Lite spec without a browser: vega renders it to SVG in Node
 * (the fallback every notebook viewer shows), resvg turns that SVG into PNG.
 */
import * as vega from "vega";
import { compile, TopLevelSpec } from "vega-lite";
import type { ResvgRenderOptions } from "@resvg/resvg-js";
import { encodeOpaquePNG } from "./png";

export async function renderSVG(spec: TopLevelSpec): Promise<string> {
  // vega tags the inline data rows it reads; a copy keeps the chart's spec as the user built it.
  const view = new vega.View(vega.parse(compile(structuredClone(spec)).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Options of `Chart.toPNG` and `Chart.save`. */
export interface PngOptions {
  /** Pixels per SVG unit: 2 gives a sharp image on high-density screens. Default 2. */
  scale?: number;
}

/** resvg ships its binary as a per-platform npm package; load it only when a PNG is asked for. */
function loadResvg(): typeof import("@resvg/resvg-js") {
  try {
    return require("@resvg/resvg-js");
  } catch (err) {
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new Error(
      `PNG export needs @resvg/resvg-js and its binary for ${process.platform}-${process.arch} (${reason}). ` +
        "Run `npm install` again, or save the chart as .svg instead.",
    );
  }
}

/** The SVG drawn at `scale` pixels per unit on white: RGBA pixels. */
export function rasterise(svg: string, scale: number): { width: number; height: number; pixels: Uint8Array } {
  const { Resvg } = loadResvg();
  const settings: ResvgRenderOptions = {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: { loadSystemFonts: true },
  };
  const image = new Resvg(svg, settings).render();
  return { width: image.width, height: image.height, pixels: image.pixels };
}

export function svgToPNG(svg: string, options: PngOptions = {}): Buffer {
  const { width, height, pixels } = rasterise(svg, options.scale ?? 2);
  return encodeOpaquePNG(width, height, pixels);
}
