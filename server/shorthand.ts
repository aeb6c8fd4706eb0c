/**
 * tslab rewrites a cell's references to names from earlier cells, but not
 * shorthand properties: `{ batchSize }` then fails at run time with
 * "batchSize is not defined". Spelling them out as `{ batchSize: batchSize }`
 * means the same in every position (object literals, destructuring
 * assignments with defaults) and is rewritten correctly.
 */
import * as ts from "@tslab/typescript-for-tslab";

export interface Expanded {
  code: string;
  /** Maps a 1-based column on a 1-based line of the expanded code back to the cell as typed. */
  originalColumn(line: number, column: number): number;
}

export function expandShorthandProperties(code: string): Expanded {
  const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const inserts: Array<{ at: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isShorthandPropertyAssignment(node)) inserts.push({ at: node.name.getEnd(), text: `: ${node.name.text}` });
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (inserts.length === 0) return { code, originalColumn: (_line, column) => column };

  let expanded = "";
  let from = 0;
  for (const { at, text } of inserts.sort((a, b) => a.at - b.at)) {
    expanded += code.slice(from, at) + text;
    from = at;
  }
  expanded += code.slice(from);

  // Per line, where text was added (in expanded columns) and how much.
  const added = new Map<number, Array<{ column: number; length: number }>>();
  for (const { at, text } of inserts) {
    const { line, character } = file.getLineAndCharacterOfPosition(at);
    const onLine = added.get(line + 1) ?? [];
    const before = onLine.reduce((sum, a) => sum + a.length, 0);
    onLine.push({ column: character + 1 + before, length: text.length });
    added.set(line + 1, onLine);
  }
  return {
    code: expanded,
    originalColumn(line, column) {
      let result = column;
      for (const a of added.get(line) ?? []) if (column > a.column) result -= Math.min(a.length, column - a.column);
      return result;
    },
  };
}
