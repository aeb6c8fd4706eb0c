import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parseNotebook, readNotebook, serializeNotebook, splitLines, writeNotebook } from "../../jupyter/notebook";
import { runCommand, scratchDir } from "../helpers";

describe("notebook files", () => {
  it("are written byte for byte as Jupyter's nbformat writes them", async () => {
    const dir = scratchDir("nbformat");
    const file = path.join(dir, "made-by-nbformat.ipynb");
    const script = `
import nbformat, sys
from nbformat.v4 import new_notebook, new_code_cell, new_markdown_cell, new_output
nb = new_notebook(metadata={"kernelspec": {"name": "typescript-dl", "display_name": "TypeScript (deep learning)", "language": "typescript"}})
code = new_code_cell("const a = 1;\\nconsole.log(a);\\n", execution_count=1, outputs=[
    new_output("stream", name="stdout", text="1\\n2\\n"),
    new_output("display_data", data={"text/plain": "line 1\\nline 2", "application/vnd.vegalite.v5+json": {"mark": "bar"}}),
    new_output("error", ename="Error", evalue="boom", traceback=["Error: boom", "    at x"]),
], metadata={"nbgrader": {"grade": True, "points": 2}})
nb.cells = [new_markdown_cell("# Title\\nText with ünïcode"), code]
for i, c in enumerate(nb.cells): c.id = f"c{i}"
nbformat.write(nb, sys.argv[1])
`;
    const r = await runCommand("/usr/bin/python3", ["-c", script, file]);
    expect(r.code, r.stderr).toBe(0);
    const original = fs.readFileSync(file, "utf8");
    expect(serializeNotebook(readNotebook(file))).toBe(original);
  });

  it("splits multi-line text into lines that keep their newline", () => {
    expect(splitLines("a\nb\n")).toEqual(["a\n", "b\n"]);
    expect(splitLines("a\nb")).toEqual(["a\n", "b"]);
    expect(splitLines("")).toEqual([]);
  });

  it("names the cell and the expected values when a cell is malformed", () => {
    expect(() =>
      parseNotebook({ nbformat: 4, cells: [{ cell_type: "code", source: "" }, { cell_type: "python" }] }, "bad.ipynb"),
    ).toThrow("bad.ipynb, cell 2 has cell_type 'python': expected code, markdown or raw.");
    expect(() => parseNotebook([], "list.ipynb")).toThrow("list.ipynb is JSON but not a notebook");
  });

  it("refuses to write over the notebook it was given", () => {
    const dir = scratchDir("protect");
    const input = path.join(dir, "in.ipynb");
    fs.writeFileSync(input, "precious");
    const nb = parseNotebook({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }, "in.ipynb");
    expect(() => writeNotebook(input, nb, [input])).toThrow("refusing to write over the input notebook");
    expect(fs.readFileSync(input, "utf8")).toBe("precious");
  });
});
