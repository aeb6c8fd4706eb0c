import type { TopLevelSpec } from "vega-lite";
import { display, Displayable, MIME_BUNDLE, MimeBundle, Shown } from "../display";
import { fallbackPNG, withHiddenPNG } from "./fallback";
import { PngOptions, renderSVG, svgToPNG } from "./render";
import { saveChart } from "./save";

/** The mime type of a Vega-Lite 5 spec, which JupyterLab draws. */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/**
 * What every chart function returns: a Vega-Lite spec that knows how to show
 * itself. As a cell's last expression it becomes one mime bundle —
 * Vega-Lite for JupyterLab, an SVG and a small PNG drawn in Node for every
 * other viewer, and a line of text — so the chart shows wherever the notebook
 * is opened.
 *
 *   const chart = plot.lineChart({ loss: [1, 0.5, 0.3] });
 *   chart;                        // last expression: drawn in the notebook
 *   await chart.save("loss.png"); // or .svg, .json
 */
export class Chart implements Displayable {
  /**
   * @param spec the Vega-Lite spec, data inline.
   * @param description one line saying what is drawn, e.g. `lineChart: loss, accuracy (20 points each)`.
   */
  constructor(
    readonly spec: TopLevelSpec,
    readonly description: string,
  ) {}

  toSVG(): Promise<string> {
    return renderSVG(this.spec);
  }

  async toPNG(options: PngOptions = {}): Promise<Buffer> {
    return svgToPNG(await this.toSVG(), options);
  }

  /** Writes `.svg`, `.png` or `.json` (the spec) by the file's extension; resolves to the absolute path. */
  save(file: string, options: PngOptions = {}): Promise<string> {
    return saveChart(this, file, options);
  }

  /** Vega-Lite for JupyterLab, SVG and a small PNG (at most FALLBACK_PNG_BYTES) for every other viewer, and a line of text. */
  async mimeBundle(): Promise<MimeBundle> {
    const svg = await this.toSVG();
    const png = fallbackPNG(svg);
    return {
      [VEGA_LITE_MIME]: this.spec,
      "image/svg+xml": png ? withHiddenPNG(svg, png, this.description) : svg,
      ...(png ? { "image/png": png.toString("base64") } : {}),
      "text/plain": this.description,
    };
  }

  [MIME_BUNDLE](): Promise<MimeBundle> {
    return this.mimeBundle();
  }

  /** Shows the chart now, in the running cell; the handle replaces it in place later. */
  show(): Promise<Shown> {
    return show(this);
  }

  toString(): string {
    return this.description;
  }
}

/** Shows a chart in the running cell (outside a notebook: prints its description). */
export async function show(chart: Chart): Promise<Shown> {
  return display(await chart.mimeBundle());
}
