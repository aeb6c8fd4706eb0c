import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { runNotebook } from "../../runner/runner";
import { codeCell, markdownCell, notebook, scratchDir } from "../helpers";

let dir: string;
beforeAll(() => {
  dir = scratchDir("runner");
});

describe("runNotebook on the kit's tslab kernel", () => {
  it("runs TypeScript, top-level await and a tfjs computation, recording outputs like nbclient", async () => {
    const nb = notebook([
      markdownCell("# a title"),
      codeCell(
        'import * as tf from "@tensorflow/tfjs";\nimport { useBestBackend } from "dlkit";\nconst backend = await useBestBackend();',
      ),
      codeCell("const square = (x: number): number => x * x;\nconsole.log(square(7));\nconsole.error('to stderr');"),
      codeCell("const m = tf.tensor2d([[1, 2], [3, 4]]).matMul(tf.eye(2));\nawait m.array()"),
      codeCell("   "),
      codeCell("await new Promise((r) => setTimeout(r, 20));\n'later'"),
    ]);
    const result = await runNotebook(nb, "basics.ipynb", { cwd: dir });
    expect(result.failed).toBeNull();
    const [, backendCell, squareCell, tfCell, emptyCell, awaitCell] = result.notebook.cells;
    if (
      backendCell.cell_type !== "code" ||
      squareCell.cell_type !== "code" ||
      tfCell.cell_type !== "code" ||
      awaitCell.cell_type !== "code" ||
      emptyCell.cell_type !== "code"
    )
      throw new Error("cells changed type");

    expect(backendCell.outputs).toEqual([
      { output_type: "stream", name: "stdout", text: expect.stringMatching(/^tfjs backend: wasm \(/) },
    ]);
    expect(squareCell.outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "49\n" },
      { output_type: "stream", name: "stderr", text: "to stderr\n" },
    ]);
    expect(tfCell.outputs).toEqual([
      {
        output_type: "execute_result",
        execution_count: tfCell.execution_count,
        data: { "text/plain": "[ [ 1, 2 ], [ 3, 4 ] ]" },
        metadata: {},
      },
    ]);
    expect(awaitCell.outputs[0]).toMatchObject({ output_type: "execute_result", data: { "text/plain": "'later'" } });
    // Execution counts number the cells that ran; an empty cell is skipped, as nbclient does.
    expect([backendCell, squareCell, tfCell, awaitCell].map((c) => c.execution_count)).toEqual([1, 2, 3, 4]);
    expect(emptyCell.execution_count).toBeNull();
    expect(result.notebook.metadata.language_info?.name).toBe("typescript");
    expect(nb.cells.every((c) => c.cell_type !== "code" || c.outputs.length === 0)).toBe(true);
  });

  it("reports a type error with the diagnostic and the cell line, and stops there", async () => {
    const nb = notebook([
      codeCell("let fine = 1;"),
      codeCell('const n: number = 2;\nconst s: string = n;\nconsole.log("never printed");'),
      codeCell('console.log("after");'),
    ]);
    const result = await runNotebook(nb, "typeerror.ipynb", { cwd: dir });
    expect(result.failed?.index).toBe(1);
    expect(result.cells.map((c) => c.status)).toEqual(["ok", "error", "not run"]);
    const failed = result.notebook.cells[1];
    if (failed.cell_type !== "code") throw new Error("not code");
    const error = failed.outputs.find((o) => o.output_type === "error");
    expect(error).toMatchObject({
      output_type: "error",
      ename: "TypeScriptError",
      evalue: "line 2, column 7: Type 'number' is not assignable to type 'string'.",
    });
    expect(error && "traceback" in error && error.traceback).toEqual([
      "line 2, column 7: Type 'number' is not assignable to type 'string'.",
      "    const s: string = n;",
      "          ^",
      "The cell did not run: fix the error above and run it again.",
    ]);
    expect(failed.outputs.some((o) => o.output_type === "stream" && o.text.includes("never printed"))).toBe(false);
  });

  it("reports a thrown exception with its name, message and the cell's lines, and goes on when errors are allowed", async () => {
    const nb = notebook([
      codeCell('function explode(): never {\n  throw new RangeError("too far");\n}\nexplode();'),
      codeCell('console.log("still running");'),
    ]);
    const result = await runNotebook(nb, "throw.ipynb", { cwd: dir, allowErrors: true });
    expect(result.cells.map((c) => c.status)).toEqual(["error", "ok"]);
    const [thrown, after] = result.notebook.cells;
    if (thrown.cell_type !== "code" || after.cell_type !== "code") throw new Error("not code");
    expect(thrown.outputs).toEqual([
      {
        output_type: "error",
        ename: "RangeError",
        evalue: "too far",
        traceback: expect.arrayContaining([
          "RangeError: too far",
          "Cell In[1], line 2, in explode",
          "Cell In[1], line 4",
        ]),
      },
    ]);
    expect(after.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "still running\n" }]);
  });

  it("interrupts a runaway cell at the time limit, says so, and the kernel lives on for the next cell", async () => {
    const nb = notebook([codeCell("let spins = 0;\nwhile (true) { spins++; }"), codeCell('console.log("next")')]);
    const result = await runNotebook(nb, "runaway.ipynb", { cwd: dir, cellTimeoutSeconds: 2, allowErrors: true });
    expect(result.cells[0]).toMatchObject({
      status: "timeout",
      error: { ename: "Timeout", evalue: "the cell ran longer than 2 s and was interrupted" },
    });
    const [runaway, next] = result.notebook.cells;
    if (runaway.cell_type !== "code" || next.cell_type !== "code") throw new Error("not code");
    expect(runaway.outputs.at(-1)).toMatchObject({ output_type: "error", ename: "Timeout" });
    expect(next.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "next\n" }]);
  });

  it("kills a kernel whose cell ignores the interrupt, and marks the rest as not run", async () => {
    const nb = notebook([
      // The kernel stops a busy loop on SIGINT; a process that ignores SIGINT outright has to be killed.
      codeCell(
        'process.removeAllListeners("SIGINT");\nprocess.on("SIGINT", () => undefined);\nawait new Promise(() => undefined);',
      ),
      codeCell('console.log("unreachable")'),
    ]);
    const result = await runNotebook(nb, "deaf.ipynb", { cwd: dir, cellTimeoutSeconds: 1, allowErrors: true });
    expect(result.cells.map((c) => c.status)).toEqual(["timeout", "not run"]);
    expect(result.cells[0].error?.evalue).toBe(
      "the cell ran longer than 1 s and ignored the interrupt, so the kernel was stopped",
    );
  });

  it("reports a kernel that dies mid-cell (process.exit) instead of hanging", async () => {
    const nb = notebook([
      codeCell('console.log("bye");\nrequire("fs").writeSync(2, "goodbye, world\\n");\nprocess.exit(3);'),
      codeCell("1 + 1"),
    ]);
    const result = await runNotebook(nb, "exit.ipynb", { cwd: dir });
    expect(result.cells.map((c) => c.status)).toEqual(["died", "not run"]);
    const [first, ...rest] = result.cells[0].error!.evalue.split("\n");
    // Gradebooks show the first line: it must not depend on what stderr said.
    expect(first).toBe("the kernel exited with code 3");
    expect(rest.join("\n")).toContain("its last words:\ngoodbye, world");
  });
});

describe("a notebook outside the kit", () => {
  it("is told where dlkit comes from when it cannot be found", async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-outside-"));
    const result = await runNotebook(notebook([codeCell('import { useBestBackend } from "dlkit";')]), "outside.ipynb", {
      cwd: outside,
    });
    expect(result.failed?.error?.evalue).toContain("Cannot find module 'dlkit'");
    expect(result.failed?.error?.traceback).toContain(
      "dlkit is found through node_modules/dlkit inside the kit's folder: open the notebook from the kit (labs/, solutions/) and run `npm ci` there once.",
    );
  });
});
