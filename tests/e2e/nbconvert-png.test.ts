/**
 * A lab's charts in plain `jupyter nbconvert --to html`, without the kit's
 * template: Debian's nbconvert 6.5 strips SVG outputs to nothing, so without
 * the PNG each chart carries (see lib/plot/fallback.ts), a student's exported
 * lab shows no chart at all.
 * Lab 1 is executed on the kit's kernel, converted, and opened in Debian's
 * headless Chromium; every chart must be drawn (its screenshot's pixels,
 * not just an <img> in the markup). Screenshot in .vitest-artifacts/.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNotebook, serializeNotebook } from "../../jupyter/notebook";
import { runNotebook } from "../../runner/runner";
import { KIT_ROOT } from "../helpers";

const run = promisify(execFile);
const JUPYTER = "/usr/bin/jupyter";
const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = path.join(KIT_ROOT, ".vitest-artifacts");
const VEGA_LITE = "application/vnd.vegalite.v5+json";

describe("a lab exported by nbconvert without the kit's template", () => {
  let work: string;
  let browser: Browser;
  let charts: number;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-nbconvert-png-"));
    fs.symlinkSync(path.join(KIT_ROOT, "node_modules"), path.join(work, "node_modules"));
    const result = await runNotebook(
      readNotebook(path.join(KIT_ROOT, "solutions", "lab1-mlp.ipynb")),
      "lab1-mlp.ipynb",
      { cwd: work, cellTimeoutSeconds: 300 },
    );
    if (result.failed)
      throw new Error(`lab 1 failed in cell ${result.failed.index}: ${JSON.stringify(result.failed.error)}`);
    const bundles = result.notebook.cells
      .flatMap((c) => (c.cell_type === "code" ? c.outputs : []))
      .filter((o) => "data" in o && o.data && VEGA_LITE in o.data);
    charts = bundles.length;
    for (const o of bundles)
      expect(
        Buffer.from([(o as { data: Record<string, string | string[]> }).data["image/png"]].flat().join(""), "base64")
          .length,
      ).toBeLessThanOrEqual(60 * 1024);
    fs.writeFileSync(path.join(work, "lab1.ipynb"), serializeNotebook(result.notebook));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("shows every chart in Chromium, drawn in pixels", async () => {
    expect(charts).toBeGreaterThanOrEqual(5);
    await run(JUPYTER, ["nbconvert", "--to", "html", path.join(work, "lab1.ipynb"), "--output-dir", work], {
      env: { ...process.env, JUPYTER_PATH: "" },
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${path.join(work, "lab1.html")}`);
    // nbconvert picks each chart's SVG (it ranks SVG over PNG); what its HTML cleaner leaves of it is the PNG hidden inside.
    const images = await page.$$('.jp-OutputArea-output img[src^="data:image/png"]');
    expect(images).toHaveLength(charts);
    for (const image of images) {
      await image.scrollIntoViewIfNeeded();
      const shot = (await image.screenshot()).toString("base64");
      // The screenshot read back in the page: how much of it is not background, and in how many colours.
      const drawn = await page.evaluate(async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.width;
        canvas.height = img.height;
        const context = canvas.getContext("2d")!;
        context.drawImage(img, 0, 0);
        const { data } = context.getImageData(0, 0, img.width, img.height);
        let inked = 0;
        const colours = new Set<number>();
        for (let i = 0; i < data.length; i += 4) {
          if (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240) inked++;
          colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        }
        return { width: img.width, height: img.height, inked: inked / (data.length / 4), colours: colours.size };
      }, shot);
      expect(drawn.width).toBeGreaterThan(200);
      expect(drawn.height).toBeGreaterThan(100);
      expect(drawn.inked).toBeGreaterThan(0.02);
      expect(drawn.colours).toBeGreaterThan(8);
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, "lab1-nbconvert-png.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`${charts} charts drawn; screenshot: ${shot}`);
    await page.close();
  }, 180_000);
});
