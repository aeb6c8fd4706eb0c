/** Saves a chart as a file whose extension says the format: .svg, .png or .json (the Vega-Lite spec). */
import { promises as fs } from "fs";
import * as path from "path";
import { PlotInputError } from "./errors";
import { PngOptions, svgToPNG } from "./render";

const FORMATS = [".svg", ".png", ".json"];

/** What saveChart needs of a chart: its spec, and its SVG. */
export interface Savable {
  spec: unknown;
  toSVG(): Promise<string>;
}

export async function saveChart(chart: Savable, file: string, options: PngOptions = {}): Promise<string> {
  const ext = path.extname(file).toLowerCase();
  if (!FORMATS.includes(ext)) {
    throw new PlotInputError(
      `save: cannot tell the format of '${file}' from '${ext || "no extension"}' — end the name with ${FORMATS.join(", ")}`,
    );
  }
  const target = path.resolve(file);
  await fs.mkdir(path.dirname(target), { recursive: true });
  if (ext === ".json") {
    await fs.writeFile(target, JSON.stringify(chart.spec, null, 2) + "\n");
  } else {
    const svg = await chart.toSVG();
    await fs.writeFile(target, ext === ".svg" ? svg : svgToPNG(svg, options));
  }
  return target;
}
