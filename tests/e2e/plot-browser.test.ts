/**
 * Charts drawn by a real notebook, seen in a real browser: a notebook that
 * plots is executed on the kit's kernel, rendered by nbconvert to HTML
 * (with the kit's template, see lib/plot/nbconvert-svg.html.j2) and served
 * by the classic Notebook on loopback, and Debian's headless Chromium
 * checks that every chart's SVG is there, has a size, and has its marks.
 * Screenshots go to .vitest-artifacts/ (their paths are printed).
 */
import { ChildProcess, execFile, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { Browser, chromium, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installKernelSpec } from "../../jupyter/kernelspec";
import { serializeNotebook } from "../../jupyter/notebook";
import { runNotebook } from "../../runner/runner";
import { codeCell, KIT_ROOT, notebook } from "../helpers";

const run = promisify(execFile);
const JUPYTER = "/usr/bin/jupyter";
// Debian ships no `jupyter trust` command; this is what it runs.
const PYTHON = "/usr/bin/python3";
const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = path.join(KIT_ROOT, ".vitest-artifacts");

/** What the page shows of one chart's SVG: its size and the data marks vega drew. */
interface DrawnChart {
  width: number;
  height: number;
  rects: number;
  lines: number;
  images: number;
  texts: string[];
}

const CELLS = [
  'import * as tf from "@tensorflow/tfjs";\nimport { plot, useBestBackend } from "dlkit";\nconst backend = await useBestBackend({ quiet: true });',
  "plot.trainingCurves({ loss: [1.2, 0.7, 0.45, 0.3], val_loss: [1.3, 0.8, 0.6, 0.55], accuracy: [0.55, 0.75, 0.85, 0.9], val_accuracy: [0.5, 0.7, 0.78, 0.8] })",
  'const tokens = ["<s>", "the", "cat", "sat", "down"];\nconst weights = tf.tidy(() => tf.randomNormal([2, 2, 5, 5], 0, 2, "float32", 3).softmax());\nplot.attentionMap(weights, tokens)',
  'plot.confusionMatrix([0, 1, 2, 2, 1, 0, 2, 1], [0, 2, 2, 2, 1, 0, 1, 1], { classNames: ["cat", "dog", "bird"] })',
  "const live = plot.liveTrainingCurves({ throttleMs: 0 });\nfor (let epoch = 1; epoch <= 5; epoch++) await live.onEpochEnd({ epoch, values: { loss: 1 / epoch } });",
  'plot.imageGrid(tf.randomUniform([6, 8, 8], 0, 1, "float32", 5), [0, 1, 2, 0, 1, 2], [0, 1, 1, 0, 2, 2], { classNames: ["cat", "dog", "bird"] })',
];

/** In notebook order: training curves, attention map, confusion matrix, live curve, image grid. */
function expectChartsDrawn(charts: DrawnChart[]): void {
  expect(charts).toHaveLength(5);
  for (const chart of charts) {
    expect(chart.width).toBeGreaterThan(100);
    expect(chart.height).toBeGreaterThan(100);
  }
  const [curves, attention, confusion, live, images] = charts;
  expect(curves.lines).toBe(4);
  expect(attention.rects).toBe(2 * 2 * 5 * 5);
  for (const label of ["layer 1", "layer 2", "head 1", "head 2", "<s>", "cat", "down", "query", "key"])
    expect(attention.texts).toContain(label);
  expect(confusion.rects).toBe(9);
  expect(confusion.texts).toContain("accuracy 75.0% (6 of 8)");
  expect(live.lines).toBe(1);
  expect(live.texts).toContain("5");
  expect(images.images).toBe(6);
  expect(images.rects).toBe(2);
}

async function drawnCharts(page: Page, selector: string): Promise<DrawnChart[]> {
  return page.$$eval(selector, (svgs) =>
    svgs.map((svg) => {
      const box = svg.getBoundingClientRect();
      const count = (type: string, item: string) => svg.querySelectorAll(`g.mark-${type}.role-mark > ${item}`).length;
      return {
        width: box.width,
        height: box.height,
        rects: count("rect", "path"),
        lines: count("line", "path"),
        images: count("image", "image"),
        texts: Array.from(svg.querySelectorAll("text"), (t) => t.textContent ?? ""),
      };
    }),
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, server: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    if (server.exitCode !== null) throw new Error(`jupyter notebook exited with ${server.exitCode}:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`jupyter notebook did not answer at ${url} within 60 s:\n${log()}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

describe("charts in a real browser", () => {
  let work: string;
  let browser: Browser;
  let server: ChildProcess | null = null;
  let jupyterEnv: NodeJS.ProcessEnv;
  const executed = () => path.join(work, "charts.ipynb");

  beforeAll(async () => {
    if (!fs.existsSync(path.join(KIT_ROOT, "dist", "lib", "plot", "index.js")))
      throw new Error("dist/lib/plot is missing: run `npm run build` first");
    work = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-plot-e2e-"));
    // Cells import "dlkit" and tfjs: resolve them from the kit without writing into it.
    fs.symlinkSync(path.join(KIT_ROOT, "node_modules"), path.join(work, "node_modules"));
    // Jupyter's state for this test only: its own notebook secret (for trust) and the kit's kernel spec.
    const jupyterData = path.join(work, "jupyter-data");
    installKernelSpec({ kind: "prefix", prefix: path.join(work, "prefix") });
    jupyterEnv = {
      ...process.env,
      JUPYTER_DATA_DIR: jupyterData,
      JUPYTER_CONFIG_DIR: path.join(work, "jupyter-config"),
      JUPYTER_RUNTIME_DIR: path.join(work, "jupyter-runtime"),
      JUPYTER_PATH: path.join(work, "prefix", "share", "jupyter"),
      IPYTHONDIR: path.join(work, "ipython"),
    };

    const result = await runNotebook(notebook(CELLS.map(codeCell)), "charts.ipynb", { cwd: work });
    if (result.failed)
      throw new Error(
        `the chart notebook failed in cell ${result.failed.index}: ${JSON.stringify(result.failed.error)}`,
      );
    fs.writeFileSync(executed(), serializeNotebook(result.notebook));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await stop(server);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("the executed notebook holds one Vega-Lite + SVG + text bundle per chart, the live one updated in place", () => {
    const nb = JSON.parse(fs.readFileSync(executed(), "utf8"));
    const outputs = nb.cells
      .slice(1)
      .map((cell: { outputs: { output_type: string; data?: Record<string, unknown> }[] }) => cell.outputs);
    for (const cellOutputs of outputs) {
      expect(cellOutputs).toHaveLength(1);
      expect(Object.keys(cellOutputs[0].data ?? {}).sort()).toEqual([
        "application/vnd.vegalite.v5+json",
        "image/png",
        "image/svg+xml",
        "text/plain",
      ]);
    }
    const live = outputs[3][0];
    expect(live.output_type).toBe("display_data");
    expect([live.data!["text/plain"]].flat().join("")).toBe("trainingCurves: loss over 5 epochs");
  });

  it("nbconvert's HTML shows every chart's SVG with its marks", async () => {
    // Debian's nbconvert 6.5 strips SVG elements from SVG outputs; the kit's template keeps them (see its header).
    const template = path.join(KIT_ROOT, "lib", "plot", "nbconvert-svg.html.j2");
    await run(JUPYTER, ["nbconvert", "--to", "html", "--template-file", template, executed(), "--output-dir", work], {
      env: jupyterEnv,
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${path.join(work, "charts.html")}`);
    await page.waitForSelector("svg.marks");
    expectChartsDrawn(await drawnCharts(page, "svg.marks"));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, "plot-nbconvert.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
    await page.close();
  }, 180_000);

  it("the classic Notebook, served on loopback, shows every chart's SVG with its marks", async () => {
    // A notebook run elsewhere is untrusted, and the classic Notebook hides an untrusted notebook's SVG: trust it as a user would.
    await run(PYTHON, ["-m", "nbformat.sign", executed()], { env: jupyterEnv });
    const port = await freePort();
    const token = randomBytes(16).toString("hex");
    let log = "";
    server = spawn(
      JUPYTER,
      [
        "notebook",
        "--no-browser",
        "--ip=127.0.0.1",
        `--port=${port}`,
        "--port-retries=0",
        `--NotebookApp.token=${token}`,
        "--allow-root",
        `--notebook-dir=${work}`,
      ],
      { env: jupyterEnv, stdio: ["ignore", "pipe", "pipe"] },
    );
    server.stdout!.on("data", (d) => (log += d));
    server.stderr!.on("data", (d) => (log += d));
    const base = `http://127.0.0.1:${port}`;
    await waitForServer(`${base}/api/status?token=${token}`, server, () => log);

    // Tall enough that the whole notebook is in view: its scrolling panel is not the page.
    const page = await browser.newPage({ viewport: { width: 1280, height: 3600 } });
    await page.goto(`${base}/notebooks/charts.ipynb?token=${token}`);
    await page.waitForFunction(() => document.querySelectorAll(".output_svg svg.marks").length === 5, undefined, {
      timeout: 60_000,
    });
    expectChartsDrawn(await drawnCharts(page, ".output_svg svg.marks"));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, "plot-classic-notebook.png");
    await page.screenshot({ path: shot });
    console.log(`screenshot: ${shot}`);
    await page.close();
    await stop(server);
    server = null;
  }, 180_000);
});
