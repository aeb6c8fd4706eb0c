/**
 * What a lab shows where the solution was: a statement that type-checks in
 * any function body and fails, when run, with a message naming the missing
 * piece. One place to change it (e.g. to lib/check's `notImplemented`).
 */
export function solutionStub(what: string): string {
  return `throw new Error(${JSON.stringify(`not implemented: ${what} (replace this line with your code)`)});`;
}

/** nbgrader's stub for written answers. */
export const TEXT_STUB = "YOUR ANSWER HERE";

const NOT_NAMES = new Set(["if", "for", "while", "switch", "catch", "with", "return", "function"]);
const NAMED = [
  /\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)/,
  /\bclass\s+([A-Za-z_$][\w$]*)/,
  /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=/,
  /^\s*(?:(?:public|private|protected|static|async|get|set)\s+)*([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\(/,
];

const indentOf = (line: string) => line.length - line.trimStart().length;

/**
 * The name of the function (or class, or variable) the line at `at` sits
 * in: the nearest less-indented line above it that declares one.
 */
export function enclosingName(lines: string[], at: number): string | null {
  let indent = indentOf(lines[at]);
  for (let i = at - 1; i >= 0; i--) {
    if (lines[i].trim() === "" || indentOf(lines[i]) >= indent) continue;
    indent = indentOf(lines[i]);
    for (const pattern of NAMED) {
      const name = lines[i].match(pattern)?.[1];
      if (name && !NOT_NAMES.has(name)) return name;
    }
  }
  return null;
}

/** The first function, class or variable a cell declares. */
export function firstDeclared(lines: string[]): string | null {
  for (const line of lines) {
    for (const pattern of NAMED.slice(0, 3)) {
      const name = line.match(pattern)?.[1];
      if (name) return name;
    }
  }
  return null;
}
