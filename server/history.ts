/**
 * The session's input history, for history_request (JupyterLab's console
 * and its up-arrow ask for it): the cells run in this kernel, by execution
 * count. This kernel keeps one session, numbered 1; as in IPython, session 0
 * (or a negative one, counted back from now) in a range request means it.
 */
export interface HistoryRequest {
  hist_access_type?: "range" | "tail" | "search";
  output?: boolean;
  raw?: boolean;
  session?: number;
  start?: number;
  stop?: number | null;
  n?: number | null;
  pattern?: string;
  unique?: boolean;
}

type Entry = [number, number, string] | [number, number, [string, string | null]];

const SESSION = 1;

export class History {
  private readonly cells: Array<{ line: number; input: string; output: string | null }> = [];

  record(line: number, input: string): void {
    this.cells.push({ line, input, output: null });
  }

  /** The text/plain of a cell's result, for requests with `output: true`. */
  recordOutput(line: number, output: string): void {
    const cell = this.cells.find((c) => c.line === line);
    if (cell) cell.output = output;
  }

  answer(request: HistoryRequest): { status: "ok"; history: Entry[] } {
    let cells = this.cells;
    switch (request.hist_access_type) {
      case "range": {
        const session = request.session ?? 0;
        if (session > 0 && session !== SESSION) return { status: "ok", history: [] };
        // IPython's range: start inclusive, stop exclusive, by execution count.
        const start = request.start ?? 0;
        const stop = request.stop ?? Infinity;
        cells = cells.filter((c) => c.line >= start && c.line < stop);
        break;
      }
      case "search": {
        const pattern = globToRegExp(request.pattern ?? "*");
        cells = cells.filter((c) => pattern.test(c.input));
        if (request.unique) cells = uniqueLast(cells);
        if (request.n) cells = cells.slice(-request.n);
        break;
      }
      default: // tail
        if (request.unique) cells = uniqueLast(cells);
        cells = request.n ? cells.slice(-request.n) : cells.slice(-10);
    }
    return {
      status: "ok",
      history: cells.map((c): Entry =>
        request.output ? [SESSION, c.line, [c.input, c.output]] : [SESSION, c.line, c.input],
      ),
    };
  }
}

/** Keeps the last occurrence of each input, in order. */
function uniqueLast<T extends { input: string }>(cells: T[]): T[] {
  const last = new Map<string, number>();
  cells.forEach((c, i) => last.set(c.input, i));
  return cells.filter((c, i) => last.get(c.input) === i);
}

/** IPython searches with SQLite's GLOB: `*` any text, `?` one character, case-sensitive, whole input. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[\\s\\S]*")
    .replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}
