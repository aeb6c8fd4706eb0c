/** Notebooks made on the fly for kernel tests, in a folder inside the kit so that packages resolve. */
import * as fs from "fs";
import * as path from "path";
import { Cell, Notebook, serializeNotebook } from "../../kernel/notebook";
import { KERNEL_DISPLAY_NAME, KERNEL_NAME } from "../../kernel/kernelspec";

export const KIT_ROOT = path.resolve(__dirname, "..", "..");
export const CLI = path.join(KIT_ROOT, "dist", "kernel", "cli.js");

/** A fresh folder under out/ (git ignores it); cells there can import the kit's packages. */
export function scratchDir(name: string): string {
  const base = path.join(KIT_ROOT, "out", "test-scratch");
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, `${name}-`));
}

export function codeCell(source: string): Cell {
  return { cell_type: "code", source, metadata: {}, outputs: [], execution_count: null };
}

export function markdownCell(source: string): Cell {
  return { cell_type: "markdown", source, metadata: {} };
}

export function notebook(cells: Cell[], kernelName = KERNEL_NAME): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: kernelName, display_name: KERNEL_DISPLAY_NAME, language: "typescript" } },
    cells: cells.map((c, i) => ({ ...c, id: `cell-${i}` })),
  };
}

export function writeScratchNotebook(dir: string, name: string, nb: Notebook): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, serializeNotebook(nb));
  return file;
}
