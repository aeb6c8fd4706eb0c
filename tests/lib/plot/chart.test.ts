import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { MIME_BUNDLE } from "../../../lib/display";
import { heatmap, lineChart, show, VEGA_LITE_MIME } from "../../../lib/plot";
import { countMarks } from "./helpers";

type Sent = { data: Record<string, unknown>; transient: { display_id?: string } };

/** Stands in for the kernel's display channel, as the kit's kernel sets it for a running cell. */
function captureDisplays(): { sent: [Sent, boolean][] } {
  const sent: [Sent, boolean][] = [];
  require("tslab/dist/jupyter").lastWriteDisplayData = (data: Sent, update: boolean) => sent.push([data, update]);
  return { sent };
}

describe("Chart", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "dlkit-plot-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    require("tslab/dist/jupyter").lastWriteDisplayData = null;
  });

  const chart = lineChart({ loss: [1, 0.5, 0.25] });

  it("shows itself as Vega-Lite, an SVG drawn in Node, and one line of text", async () => {
    const bundle = await chart[MIME_BUNDLE]();
    expect(Object.keys(bundle).sort()).toEqual([VEGA_LITE_MIME, "image/svg+xml", "image/png", "text/plain"].sort());
    expect(bundle[VEGA_LITE_MIME]).toBe(chart.spec);
    expect(VEGA_LITE_MIME).toBe("application/vnd.vegalite.v5+json");
    const svg = bundle["image/svg+xml"] as string;
    expect(svg.startsWith("<svg")).toBe(true);
    expect(countMarks(svg, "line")).toBe(1);
    expect(bundle["text/plain"]).toBe("lineChart: loss (3 points)");
    expect(String(chart)).toBe("lineChart: loss (3 points)");
  });

  it("show() sends the bundle to the running cell and can be replaced in place", async () => {
    const { sent } = captureDisplays();
    const shown = await show(chart);
    shown.update(await heatmap([[1]]).mimeBundle());
    expect(sent.map(([, update]) => update)).toEqual([false, true]);
    expect(sent[0][0].data[VEGA_LITE_MIME]).toBe(chart.spec);
    expect(sent[1][0].transient.display_id).toBe(sent[0][0].transient.display_id);
    await chart.show();
    expect(sent).toHaveLength(3);
  });

  it("saves SVG, PNG and the spec by extension, creating folders", async () => {
    const svg = await chart.save(path.join(dir, "out", "loss.svg"));
    expect(readFileSync(svg, "utf8")).toMatch(/^<svg[\s\S]*<\/svg>$/);
    const png = readFileSync(await chart.save(path.join(dir, "loss.png"), { scale: 1 }));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    const width = png.readUInt32BE(16);
    expect(width).toBe(Number(/width="(\d+)"/.exec(readFileSync(svg, "utf8"))![1]));
    expect(readFileSync(await chart.save(path.join(dir, "loss.png"), { scale: 2 })).readUInt32BE(16)).toBe(2 * width);
    expect(JSON.parse(readFileSync(await chart.save(path.join(dir, "loss.json")), "utf8"))).toEqual(chart.spec);
    await expect(chart.save(path.join(dir, "loss.jpg"))).rejects.toThrow(
      /save: cannot tell the format of '.*loss.jpg' from '.jpg' — end the name with .svg, .png, .json/,
    );
  });
});
