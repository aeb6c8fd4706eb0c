/**
 * Turns what went wrong in a cell into a Jupyter `error` content: a name, a
 * one-line value, and a traceback a student can act on.
 */

/** One TypeScript diagnostic; line and column are 1-based, as tslab reports them. */
export interface Diagnostic {
  /** Set when the problem is in an imported file rather than the cell. */
  file: string | null;
  line: number;
  column: number;
  message: string;
}

export type Failure = { kind: "compile"; diagnostics: Diagnostic[] } | { kind: "exception"; value: unknown };

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** The name used for cells that did not compile: nothing in them ran. */
const COMPILE_ERROR = "TypeScriptError";

function where(d: Diagnostic): string {
  const place = `line ${d.line}, column ${d.column}`;
  return d.file ? `${d.file} ${place}` : place;
}

function describeCompile(diagnostics: Diagnostic[], code: string): ErrorContent {
  const lines = code.split("\n");
  const traceback: string[] = [];
  for (const d of diagnostics) {
    traceback.push(`${where(d)}: ${d.message}`);
    const source = d.file ? undefined : lines[d.line - 1];
    if (source !== undefined) {
      traceback.push(`    ${source}`, `    ${" ".repeat(d.column - 1)}^`);
    }
  }
  if (diagnostics.some((d) => d.message.includes("Cannot find module 'dlkit'"))) {
    traceback.push(
      "dlkit is found through node_modules/dlkit inside the kit's folder: open the notebook from the kit (labs/, solutions/) and run `npm ci` there once.",
    );
  }
  traceback.push("The cell did not run: fix the error above and run it again.");
  const first = diagnostics[0];
  const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : "";
  return { ename: COMPILE_ERROR, evalue: `${where(first)}: ${first.message}${more}`, traceback };
}

/** Stack frames from the kernel's own machinery tell a student nothing. */
function isUserFrame(frame: string): boolean {
  return !/\(node:|node_modules[\\/]tslab[\\/]|[\\/]kernel[\\/]kernel\.[jt]s/.test(frame);
}

/** Turns an error's stack into traceback lines (the kernel's maps frames to cells: see traceback.ts). */
export type StackDescriber = (stack: string) => string[];

const plainFrames: StackDescriber = (stack) => stack.split("\n").filter((l) => /^\s+at /.test(l) && isUserFrame(l));

function describeException(value: unknown, frames: StackDescriber): ErrorContent {
  if (value instanceof Error || (value && typeof value === "object" && "message" in value)) {
    const err = value as Error;
    const ename = err.name || "Error";
    const evalue = String(err.message);
    return { ename, evalue, traceback: [`${ename}: ${evalue}`, ...frames(err.stack ?? "")] };
  }
  // `throw "text"` and friends: no name, no stack.
  const evalue = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return { ename: "Error", evalue, traceback: [`Uncaught ${evalue}`] };
}

export function describeFailure(failure: Failure, code: string, frames: StackDescriber = plainFrames): ErrorContent {
  return failure.kind === "compile"
    ? describeCompile(failure.diagnostics, code)
    : describeException(failure.value, frames);
}
