/**
 * Runtime-error tracebacks that point at the student's cell. tslab runs each
 * cell's compiled JavaScript as "evalmachine.<anonymous>", so a stack said
 * `at widen (evalmachine.<anonymous>:5:23)`: line 5 of code the student never
 * saw, under nine frames of tfjs. Here each cell's JavaScript is named after
 * the cell (a `//# sourceURL` comment), its frames are mapped back to the
 * line and column the student typed, and library frames are folded:
 *
 *   Error: Error in matMul: inner shapes (3) and (4) ... must match.
 *   Cell In[7], line 3, in widen
 *         return tf.matMul(a, b);
 *                   ^
 *   Cell In[8], line 1
 *       const y = widen(x);
 *                 ^
 *   … 9 frames in @tensorflow/tfjs-core (raised there, under the first cell line above; DLKIT_FULL_TRACEBACK=1 shows every frame)
 *
 * The student's frames come first, innermost first as in any JavaScript
 * stack; library frames between two of them (a `tf.tidy` calling the
 * student's function) are folded in place.
 *
 * tslab's converter gives no source map, so a frame is mapped by finding the
 * called name on the cell line whose text best matches the compiled line
 * around it (types erased, `exports.` added for earlier cells' names): the
 * compiler keeps each statement's text and order.
 */
import type { Converter } from "tslab/dist/converter";

/** Set (in the kernel's environment, or in a cell) to see every frame, unfolded. */
const FULL_TRACEBACK_ENV = "DLKIT_FULL_TRACEBACK";
const SCRIPT_PREFIX = "dlkit-cell-";

interface CellScript {
  /** The cell as typed, by line. */
  lines: string[];
  /** The compiled JavaScript as run, by line (the executor's wrapper included on line 1). */
  js: string[];
  /** Maps a column of the compiled source (after shorthand expansion) back to the cell as typed. */
  originalColumn(line: number, column: number): number;
  /** The cell source that was compiled, by line. */
  compiled: string[];
}

interface Place {
  count: number;
  line: number;
  column: number;
}

export class CellScripts {
  private readonly cells = new Map<number, CellScript>();
  private next: {
    count: number;
    typed: string;
    compiled: string;
    originalColumn: CellScript["originalColumn"];
  } | null = null;

  /** Says which cell the executor compiles next. */
  expect(count: number, typed: string, compiled: string, originalColumn: CellScript["originalColumn"]): void {
    this.next = { count, typed, compiled, originalColumn };
  }

  /** The converter, naming each cell's output after the cell so that its stack frames say which cell. */
  wrap(converter: Converter): Converter {
    return {
      ...converter,
      convert: (prevDecl: string, src: string) => {
        const result = converter.convert(prevDecl, src);
        const next = this.next;
        this.next = null;
        if (result.output && next && next.compiled === src) {
          // The executor runs "(function(exports, require) { " + output + "\n})(...)": line 1 carries its prefix.
          const prefix = result.hasToplevelAwait
            ? "(async function(exports, require) { "
            : "(function(exports, require) { ";
          this.cells.set(next.count, {
            lines: next.typed.split("\n"),
            compiled: src.split("\n"),
            js: (prefix + result.output).split("\n"),
            originalColumn: next.originalColumn,
          });
          result.output += `\n//# sourceURL=${SCRIPT_PREFIX}${next.count}`;
        }
        return result;
      },
      inspect: (prevDecl: string, src: string, position: number) => converter.inspect(prevDecl, src, position),
      complete: (prevDecl: string, src: string, position: number) => converter.complete(prevDecl, src, position),
      addModule: (name, content, meta) => converter.addModule(name, content, meta),
      close: () => converter.close(),
    };
  }

  /** Where in the cell as typed a position of its compiled JavaScript is (1-based), or null. */
  locate(count: number, jsLine: number, jsColumn: number): Place | null {
    const cell = this.cells.get(count);
    const text = cell?.js[jsLine - 1];
    if (!cell || text === undefined) return null;
    const token = /^[\w$]+/.exec(text.slice(jsColumn - 1))?.[0] ?? /^\S+/.exec(text.slice(jsColumn - 1))?.[0];
    if (!token) return null;
    const after = normalise(text.slice(jsColumn - 1));
    const before = normalise(text.slice(0, jsColumn - 1));
    const expectedLine = jsLine - (cell.js.length - cell.compiled.length);
    let best: { line: number; column: number; score: number } | null = null;
    cell.compiled.forEach((source, i) => {
      for (let at = source.indexOf(token); at >= 0; at = source.indexOf(token, at + 1)) {
        if (
          /[\w$]/.test(source[at - 1] ?? "") ||
          (/[\w$]/.test(source[at + token.length] ?? "") && /[\w$]$/.test(token))
        )
          continue;
        const score =
          commonPrefix(normalise(source.slice(at)), after) +
          commonSuffix(normalise(source.slice(0, at)), before) -
          Math.abs(i + 1 - expectedLine) / 1000;
        if (!best || score > best.score) best = { line: i + 1, column: at + 1, score };
      }
    });
    if (!best) return null;
    const found = best as { line: number; column: number };
    return { count, line: found.line, column: cell.originalColumn(found.line, found.column) };
  }

  /** The executor's call of the cell (the line after its code): not the student's. */
  isWrapper(count: number, jsLine: number): boolean {
    const cell = this.cells.get(count);
    return cell !== undefined && jsLine > cell.js.length;
  }

  /** The line of a cell as the student typed it. */
  sourceLine(count: number, line: number): string | undefined {
    return this.cells.get(count)?.lines[line - 1];
  }
}

/** Compiled text compared with typed text: no whitespace, no `exports.` tslab adds for earlier cells' names. */
function normalise(text: string): string {
  return text.replace(/\bexports\./g, "").replace(/\s+/g, "");
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function commonSuffix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

interface Frame {
  text: string;
  fn: string | null;
  file: string;
  line: number;
  column: number;
}

const FRAME = /^\s*at (?:(?:async )?(.*?) \()?(?:async )?(.+?):(\d+):(\d+)\)?$/;

function parseFrame(text: string): Frame | null {
  const m = FRAME.exec(text);
  return m ? { text: text.trim(), fn: m[1] ?? null, file: m[2], line: Number(m[3]), column: Number(m[4]) } : null;
}

/** Frames of the kernel's own machinery (tslab, the message loop, node's vm) tell a student nothing, even in full. */
function isMachinery(frame: Frame): boolean {
  return /node_modules[\\/]tslab[\\/]|[\\/]kernel[\\/][\w-]+\.[jt]s$|^node:vm$|^node:internal[\\/]vm/.test(frame.file);
}

/** The package a library frame belongs to: "@tensorflow/tfjs-core", "dlkit", "node". */
function packageOf(file: string): string {
  const inModules = /.*node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
  if (inModules) return inModules[1].replace(/\\/g, "/");
  if (file.startsWith("node:")) return "node";
  if (/[\\/](dist[\\/])?lib[\\/]/.test(file)) return "dlkit";
  return file.split(/[\\/]/).pop() ?? file;
}

function describeFold(frames: Frame[]): string {
  const packages = [...new Set(frames.map((f) => packageOf(f.file)))];
  const count = frames.length === 1 ? "1 frame" : `${frames.length} frames`;
  return `… ${count} in ${packages.join(", ")}`;
}

export interface TracebackOptions {
  /** Every frame, unfolded. Default: DLKIT_FULL_TRACEBACK is set to something other than 0. */
  full?: boolean;
}

/**
 * The traceback lines of an error's stack: the student's frames as
 * `Cell In[n], line l`, with the line and a caret; library frames folded.
 */
export function cellTraceback(stack: string, scripts: CellScripts, options: TracebackOptions = {}): string[] {
  const full = options.full ?? !["", "0", "false", undefined].includes(process.env[FULL_TRACEBACK_ENV]);
  const frames = stack
    .split("\n")
    .map((line) => (/^\s+at /.test(line) ? parseFrame(line) : null))
    .filter((f): f is Frame => f !== null);
  const out: string[] = [];
  // Library frames under the student's first frame (the ones that raised) are said last; runs between cell frames in place.
  let raised: Frame[] | null = null;
  let run: Frame[] = [];
  const endRun = () => {
    if (raised === null) raised = run;
    else if (run.length) out.push(describeFold(run));
    run = [];
  };
  for (const frame of frames) {
    const cell = frame.file.startsWith(SCRIPT_PREFIX) ? Number(frame.file.slice(SCRIPT_PREFIX.length)) : NaN;
    if (Number.isInteger(cell)) {
      if (!full) endRun();
      out.push(...describeCellFrame(frame, cell, scripts));
    } else if (full) {
      out.push(`  ${frame.text}`);
    } else if (!isMachinery(frame)) {
      run.push(frame);
    }
  }
  if (full) return out;
  // Frames after the student's last one are the kernel calling the cell: dropped unless they were all there was.
  const inner: Frame[] = raised ?? run;
  if (inner.length)
    out.push(
      `${describeFold(inner)} (raised there${raised ? ", under the first cell line above" : ""}; ${FULL_TRACEBACK_ENV}=1 shows every frame)`,
    );
  return out;
}

function describeCellFrame(frame: Frame, cell: number, scripts: CellScripts): string[] {
  // tslab calls earlier cells' functions through a Proxy; a timer's callback is Timeout._onTimeout: neither is the student's name.
  const name = frame.fn?.replace(/^(Object|Proxy)\./, "");
  const fn = name && !/^<anonymous>$|^eval$|^Timeout\./.test(name) ? `, in ${name}` : "";
  if (scripts.isWrapper(cell, frame.line)) return [];
  const place = scripts.locate(cell, frame.line, frame.column);
  if (!place) return [`Cell In[${cell}], compiled line ${frame.line}${fn}`];
  const source = scripts.sourceLine(cell, place.line);
  const lines = [`Cell In[${cell}], line ${place.line}${fn}`];
  if (source !== undefined) lines.push(`    ${source}`, `    ${" ".repeat(Math.max(place.column - 1, 0))}^`);
  return lines;
}
