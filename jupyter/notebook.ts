/**
 * The notebook model (nbformat 4): reading with messages that name the
 * problem and the fix, and writing byte for byte as Jupyter does (sorted
 * keys, one-space indent, multi-line strings split into lines), so that
 * notebooks the kit writes diff cleanly and release is reproducible.
 */
import * as fs from "fs";
import * as path from "path";

export type MimeBundle = Record<string, unknown>;

export type Output =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string }
  | { output_type: "display_data"; data: MimeBundle; metadata: Record<string, unknown> }
  | {
      output_type: "execute_result";
      execution_count: number | null;
      data: MimeBundle;
      metadata: Record<string, unknown>;
    }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

export interface CellMetadata {
  [key: string]: unknown;
  nbgrader?: NbgraderMetadata;
}

/** nbgrader's cell metadata, which the kit reads and writes as nbgrader does. */
export interface NbgraderMetadata {
  grade_id?: string;
  grade?: boolean;
  solution?: boolean;
  locked?: boolean;
  task?: boolean;
  points?: number;
  schema_version?: number;
  checksum?: string;
  cell_type?: string;
  [key: string]: unknown;
}

interface BaseCell {
  id?: string;
  metadata: CellMetadata;
  /** Joined into one string in memory; split into lines on disk. */
  source: string;
}

export interface CodeCell extends BaseCell {
  cell_type: "code";
  execution_count: number | null;
  outputs: Output[];
}

export interface MarkdownCell extends BaseCell {
  cell_type: "markdown";
  attachments?: Record<string, unknown>;
}

export interface RawCell extends BaseCell {
  cell_type: "raw";
}

export type Cell = CodeCell | MarkdownCell | RawCell;

/** The language a kernel runs, as in kernel_info_reply and in a notebook's metadata. */
export interface LanguageInfo {
  [key: string]: unknown;
  name: string;
  version?: string;
  mimetype?: string;
  file_extension?: string;
  pygments_lexer?: string;
  codemirror_mode?: string | Record<string, unknown>;
  nbconvert_exporter?: string;
}

/** The notebook's metadata as nbformat 4 names it; a file may leave any of it out. */
export interface NotebookMetadata {
  [key: string]: unknown;
  kernelspec?: { name?: string; display_name?: string; language?: string };
  language_info?: LanguageInfo;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: NotebookMetadata;
  cells: Cell[];
}

/**
 * A notebook, cell and output as a file holds them, before parseNotebook
 * checks and normalises them: any field may be missing, and multi-line
 * strings may be split into lines.
 */
interface NotebookJson {
  nbformat?: unknown;
  nbformat_minor?: unknown;
  metadata?: NotebookMetadata;
  cells?: unknown;
}

interface CellJson {
  cell_type?: unknown;
  id?: unknown;
  metadata?: CellMetadata;
  source?: string | string[];
  execution_count?: number | null;
  outputs?: OutputJson[];
  attachments?: Record<string, unknown>;
}

interface OutputJson {
  output_type?: unknown;
  name?: unknown;
  text?: string | string[];
  data?: MimeBundle;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  ename?: unknown;
  evalue?: unknown;
  traceback?: unknown[];
}

/** A notebook that cannot be used, with what is wrong and how to fix it. */
export class NotebookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotebookError";
  }
}

const joinText = (value: unknown): string =>
  Array.isArray(value) ? value.join("") : typeof value === "string" ? value : "";

/** Mime data in notebooks may be split into lines; JSON data stays as it is. */
function joinBundle(bundle: MimeBundle | undefined): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, value] of Object.entries(bundle ?? {})) {
    out[mime] = isJsonMime(mime) ? value : Array.isArray(value) ? value.join("") : value;
  }
  return out;
}

const isJsonMime = (mime: string) => mime === "application/json" || mime.endsWith("+json");

function normaliseOutput(o: OutputJson): Output {
  switch (o.output_type) {
    case "stream":
      return { output_type: "stream", name: o.name === "stderr" ? "stderr" : "stdout", text: joinText(o.text) };
    case "display_data":
      return { output_type: "display_data", data: joinBundle(o.data), metadata: o.metadata ?? {} };
    case "execute_result":
      return {
        output_type: "execute_result",
        execution_count: o.execution_count ?? null,
        data: joinBundle(o.data),
        metadata: o.metadata ?? {},
      };
    case "error":
      return {
        output_type: "error",
        ename: String(o.ename ?? ""),
        evalue: String(o.evalue ?? ""),
        traceback: (o.traceback ?? []).map(String),
      };
    default:
      throw new NotebookError(
        `an output has output_type '${o.output_type}': nbformat 4 knows stream, display_data, execute_result and error.`,
      );
  }
}

/** Checks and normalises parsed JSON; `name` is used in messages. */
export function parseNotebook(json: unknown, name: string): Notebook {
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    throw new NotebookError(
      `${name} is JSON but not a notebook (expected an object with "cells", "metadata", "nbformat").`,
    );
  }
  const nb = json as NotebookJson;
  if (nb.nbformat !== 4) {
    const found = nb.nbformat === undefined ? "has no nbformat field" : `is nbformat ${nb.nbformat}`;
    throw new NotebookError(
      `${name} ${found}; the kit reads nbformat 4. Convert it with \`jupyter nbconvert --to notebook --nbformat 4 ${name}\`, or re-save it from JupyterLab.`,
    );
  }
  if (!Array.isArray(nb.cells)) {
    throw new NotebookError(
      `${name} has no "cells" list: it is not a complete notebook (was it cut short while saving?).`,
    );
  }
  const cells = nb.cells.map((item: unknown, i: number): Cell => {
    const where = `${name}, cell ${i + 1}`;
    if (!item || typeof item !== "object") throw new NotebookError(`${where} is not an object.`);
    const raw = item as CellJson;
    const base = {
      metadata: raw.metadata ?? {},
      source: joinText(raw.source),
      ...(raw.id !== undefined ? { id: String(raw.id) } : {}),
    };
    switch (raw.cell_type) {
      case "code":
        if (raw.outputs !== undefined && !Array.isArray(raw.outputs))
          throw new NotebookError(`${where}: "outputs" must be a list.`);
        return {
          ...base,
          cell_type: "code",
          execution_count: raw.execution_count ?? null,
          outputs: (raw.outputs ?? []).map(normaliseOutput),
        };
      case "markdown":
        return { ...base, cell_type: "markdown", ...(raw.attachments ? { attachments: raw.attachments } : {}) };
      case "raw":
        return { ...base, cell_type: "raw" };
      default:
        throw new NotebookError(`${where} has cell_type '${raw.cell_type}': expected code, markdown or raw.`);
    }
  });
  return {
    nbformat: 4,
    nbformat_minor: typeof nb.nbformat_minor === "number" ? nb.nbformat_minor : 5,
    metadata: nb.metadata ?? {},
    cells,
  };
}

/** The notebooks in a folder, sorted (checkpoints and hidden files skipped). */
export function listNotebooks(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.startsWith("."))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Reads a notebook file; every failure is a NotebookError that says what to do. */
export function readNotebook(file: string): Notebook {
  if (!fs.existsSync(file)) throw new NotebookError(`${file} does not exist.`);
  if (fs.statSync(file).isDirectory()) throw new NotebookError(`${file} is a folder; give a .ipynb file.`);
  const text = fs.readFileSync(file, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new NotebookError(
      `${file} is not valid JSON (${detail}). A notebook is a JSON file: was it saved completely, or edited by hand? Open it in a text editor near the position shown.`,
    );
  }
  return parseNotebook(json, path.basename(file));
}

/** The language a notebook is written in, from its kernel spec or language info. */
export function notebookLanguage(nb: Notebook): string | null {
  const lang = nb.metadata?.kernelspec?.language ?? nb.metadata?.language_info?.name;
  return typeof lang === "string" ? lang.toLowerCase() : null;
}

/** Splits text into lines that keep their "\n", as nbformat stores multi-line strings. */
export function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === "" ? [] : lines;
}

function splitBundle(bundle: MimeBundle): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, value] of Object.entries(bundle)) {
    out[mime] = !isJsonMime(mime) && typeof value === "string" ? splitLines(value) : value;
  }
  return out;
}

function outputToJson(o: Output): object {
  switch (o.output_type) {
    case "stream":
      return { ...o, text: splitLines(o.text) };
    case "display_data":
    case "execute_result":
      return { ...o, data: splitBundle(o.data) };
    case "error":
      return o;
  }
}

function cellToJson(cell: Cell): object {
  const base = { ...cell, source: splitLines(cell.source) };
  return cell.cell_type === "code" ? { ...base, outputs: cell.outputs.map(outputToJson) } : base;
}

/** Recursively sorts object keys, as Jupyter's writer does. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** The file's text, formatted as Jupyter writes it. */
export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(sortKeys({ ...nb, cells: nb.cells.map(cellToJson) }), null, 1) + "\n";
}

/**
 * Writes a notebook to a new file. Refuses to write over `protect` (the
 * input): the kit never replaces what it was given.
 */
export function writeNotebook(file: string, nb: Notebook, protect: string[] = []): void {
  const target = path.resolve(file);
  if (protect.some((p) => path.resolve(p) === target)) {
    throw new NotebookError(`refusing to write over the input notebook ${file}: choose another --out.`);
  }
  writeFileAtomic(target, serializeNotebook(nb));
}

/** Writes a file whole or not at all: a reader, or a run killed midway, never leaves or sees half of it. */
export function writeFileAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

export function codeCells(nb: Notebook): CodeCell[] {
  return nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
}
