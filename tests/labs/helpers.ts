/**
 * What the lab tests share: where a lab's two notebooks are, how to read
 * what a run printed and drew, and the checks every lab must pass (its
 * student version fails only as "not implemented"; labs/ is what release makes).
 */
import * as fs from "fs";
import * as path from "path";
import { beforeAll, expect } from "vitest";
import { CodeCell, Notebook, Output, readNotebook } from "../../jupyter/notebook";
import { releasedText, releaseTargets } from "../../course/release";
import { RunResult, runNotebook } from "../../runner/runner";

export const ROOT = path.resolve(__dirname, "..", "..");
export const VEGA_LITE = "application/vnd.vegalite.v5+json";
export const SVG = "image/svg+xml";

/** The instructor's and the student's notebook of a lab. */
export function labFiles(name: string): { solution: string; lab: string } {
  return { solution: path.join(ROOT, "solutions", `${name}.ipynb`), lab: path.join(ROOT, "labs", `${name}.ipynb`) };
}

export function cellById(nb: Notebook, id: string): CodeCell {
  const cell = nb.cells.find((c) => c.id === id);
  if (!cell || cell.cell_type !== "code") throw new Error(`no code cell '${id}' in the notebook`);
  return cell;
}

export function textOf(o: Output): string {
  if (o.output_type === "stream") return o.text;
  if (o.output_type === "error") return `${o.ename}: ${o.evalue}\n${o.traceback.join("\n")}`;
  return typeof o.data["text/plain"] === "string" ? (o.data["text/plain"] as string) : "";
}

export const stdout = (cell: CodeCell) =>
  cell.outputs.map((o) => (o.output_type === "stream" && o.name === "stdout" ? o.text : "")).join("");
export const allStdout = (nb: Notebook) => nb.cells.map((c) => (c.cell_type === "code" ? stdout(c) : "")).join("");
/** The one-line verdicts lib/check prints. */
export const checkLines = (nb: Notebook) =>
  allStdout(nb)
    .split("\n")
    .filter((l) => /^[✔✘] /.test(l));

/** The charts a cell shows: each as its Vega-Lite spec, SVG and text summary. */
export function charts(cell: CodeCell): { spec: { $schema?: string }; svg: unknown; text: string }[] {
  return cell.outputs.flatMap((o) =>
    (o.output_type === "display_data" || o.output_type === "execute_result") && VEGA_LITE in o.data
      ? [
          {
            spec: o.data[VEGA_LITE] as { $schema?: string },
            svg: o.data[SVG],
            text: String(o.data["text/plain"] ?? ""),
          },
        ]
      : [],
  );
}

/** A student lab as first opened: some cells fail, every one of them only as "not implemented". */
export function expectOnlyNotImplementedFailures(run: RunResult): void {
  const failing = run.cells.filter((c) => c.status !== "ok");
  expect(failing.length).toBeGreaterThan(0);
  for (const result of failing) {
    const cell = run.notebook.cells[result.index] as CodeCell;
    expect(result.status, `cell '${cell.id}'`).toBe("error");
    const errors = cell.outputs.filter((o) => o.output_type === "error").map(textOf);
    expect(errors.length, `error outputs of cell '${cell.id}'`).toBeGreaterThan(0);
    for (const error of errors) expect(error.split("\n")[0], `cell '${cell.id}'`).toMatch(/not implemented/i);
  }
}

/** labs/X.ipynb is byte for byte what release makes of solutions/X.ipynb. */
export function expectReleased(solution: string, lab: string): void {
  const [target] = releaseTargets([solution]);
  expect(path.resolve(target.output)).toBe(lab);
  expect(fs.readFileSync(lab, "utf8")).toBe(releasedText(target));
}

/** Runs a lab's notebook on the kit's kernel, in its own folder, as a student's Jupyter would. */
export function runLabNotebook(file: string, options: { allowErrors?: boolean } = {}): Promise<RunResult> {
  return runNotebook(readNotebook(file), path.basename(file), {
    cwd: path.dirname(file),
    allowErrors: options.allowErrors,
  });
}

/** The cells with these ids ran without an error. */
export function expectCellsOk(run: RunResult, ids: string[]): void {
  for (const id of ids) {
    const index = run.notebook.cells.findIndex((c) => c.id === id);
    expect(run.cells.find((c) => c.index === index)?.status, `cell '${id}'`).toBe("ok");
  }
}

/** A solution notebook: every code cell ran, none failed. */
export function expectEveryCellOk(run: RunResult): void {
  expect(run.failed?.error).toBeUndefined();
  expect(run.cells.filter((c) => c.status !== "ok")).toEqual([]);
}

/** The check lines a run printed, after asserting that none of them failed. */
export function passedCheckLines(run: RunResult): string[] {
  const lines = checkLines(run.notebook);
  expect(lines.filter((l) => l.startsWith("✘"))).toEqual([]);
  return lines;
}

/**
 * Runs a notebook on the kernel once, in a beforeAll of the enclosing
 * describe, and hands its tests the run and all it printed. With `label`,
 * says how long the run took.
 */
export function runBeforeTests(
  file: string,
  timeout: number,
  options: { allowErrors?: boolean; label?: string } = {},
): { run: RunResult; out: string } {
  const result = {} as { run: RunResult; out: string };
  beforeAll(async () => {
    result.run = await runLabNotebook(file, { allowErrors: options.allowErrors });
    result.out = allStdout(result.run.notebook);
    if (options.label) console.log(`${options.label} ran in ${result.run.seconds.toFixed(0)} s`);
  }, timeout);
  return result;
}
