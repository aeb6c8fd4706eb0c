/** `dlkit run` as a user types it: exit codes, messages, files written and left alone. */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { readNotebook } from "../../jupyter/notebook";
import { CLI, codeCell, notebook, runCommand, scratchDir, writeScratchNotebook } from "../helpers";

let dir: string;
beforeAll(() => {
  dir = scratchDir("cli");
});

const dlkit = (...args: string[]) => runCommand("node", [CLI, ...args]);

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const digest = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

describe("dlkit run", () => {
  it("writes the executed copy to a new file, leaves the input as it was, and reports progress", async () => {
    const input = writeScratchNotebook(dir, "ok.ipynb", notebook([codeCell('console.log("hi")'), codeCell("2 ** 10")]));
    const before = digest(input);
    const r = await dlkit("run", input, "--print");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("[1] hi\n[2] 1024\n");
    expect(r.stderr).toMatch(/ok\.ipynb: ran 2 of 2 code cells in [\d.]+s; executed copy: .*ok\.executed\.ipynb/);
    expect(digest(input)).toBe(before);
    const executed = readNotebook(path.join(dir, "ok.executed.ipynb"));
    expect(executed.cells[1]).toMatchObject({
      execution_count: 2,
      outputs: [{ output_type: "execute_result", data: { "text/plain": "1024" } }],
    });
  });

  it("exits 1 at a failing cell, still writes what ran, and names the cell and the error", async () => {
    const input = writeScratchNotebook(
      dir,
      "fails.ipynb",
      notebook([codeCell("const a = 1;"), codeCell("a.push(2);"), codeCell("console.log(3)")]),
    );
    const r = await dlkit("run", input, "--out", path.join(dir, "fails.out.ipynb"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "stopped at cell 2 (error): TypeScriptError: line 1, column 3: Property 'push' does not exist on type '1'.",
    );
    expect(readNotebook(path.join(dir, "fails.out.ipynb")).cells[1]).toMatchObject({
      outputs: [{ output_type: "error", ename: "TypeScriptError" }],
    });
  });

  it("times out a runaway cell with --timeout and says so", async () => {
    const input = writeScratchNotebook(dir, "loop.ipynb", notebook([codeCell("for (;;) {}")]));
    const r = await dlkit("run", input, "--timeout", "1");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("loop.ipynb: cell 1/1 timeout after");
    expect(r.stderr).toContain("Timeout: the cell ran longer than 1 s and was interrupted");
  });

  it.each([
    ["not JSON", "broken.ipynb", '{"cells": [', /broken\.ipynb is not valid JSON \(.*\)\. A notebook is a JSON file/],
    [
      "nbformat 3",
      "old.ipynb",
      JSON.stringify({ nbformat: 3, worksheets: [] }),
      /old\.ipynb is nbformat 3; the kit reads nbformat 4\. Convert it with `jupyter nbconvert --to notebook --nbformat 4/,
    ],
    [
      "no cells",
      "empty.ipynb",
      JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {} }),
      /empty\.ipynb has no "cells" list/,
    ],
    [
      "a Python notebook",
      "py.ipynb",
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: "python3", language: "python" } },
        cells: [],
      }),
      /py\.ipynb is a python notebook \(kernel 'python3'\); the kit runs TypeScript notebooks\. Pass --kernel typescript-dl/,
    ],
    [
      "a kernel that is not installed",
      "nokernel.ipynb",
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: "deno-ts", language: "typescript" } },
        cells: [],
      }),
      /no Jupyter kernel named 'deno-ts' is installed \(known here: typescript-dl.*\)\. Run the notebook with --kernel typescript-dl/,
    ],
  ])("exits 2 for %s, with the problem and the fix", async (_what, name, text, message) => {
    const input = write(name, text);
    const r = await dlkit("run", input);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fs.readFileSync(input, "utf8")).toBe(text);
    expect(fs.existsSync(input.replace(".ipynb", ".executed.ipynb"))).toBe(false);
  });

  it("exits 2 for a missing file, a bad --timeout, and --out naming the input", async () => {
    expect((await dlkit("run", path.join(dir, "nope.ipynb"))).stderr).toMatch(/nope\.ipynb does not exist/);
    const input = writeScratchNotebook(dir, "x.ipynb", notebook([codeCell("1")]));
    const badTimeout = await dlkit("run", input, "--timeout", "soon");
    expect([badTimeout.code, badTimeout.stderr]).toEqual([
      2,
      expect.stringContaining("--timeout takes a number of seconds above 0, not 'soon'"),
    ]);
    const over = await dlkit("run", input, "--out", input);
    expect([over.code, over.stderr]).toEqual([
      2,
      expect.stringContaining("is the input notebook: the runner never writes over its input"),
    ]);
    expect((await dlkit("frobnicate")).code).toBe(2);
  });
});
