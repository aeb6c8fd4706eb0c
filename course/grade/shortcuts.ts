/**
 * Finds answers that call the library's own version of what the exercise
 * asks for (`nn.scaledDotProductAttention` in the cell that asks you to write
 * scaled dot-product attention). dlkit ships those, as PyTorch does, for the
 * labs' later parts; an answer that calls them solves nothing, so the tests
 * they would pass earn nothing. The course names them per lab.
 */
import * as ts from "@tslab/typescript-for-tslab";
import type { Shortcut } from "../lab";
import type { Notebook } from "../../jupyter/notebook";
import { gradeId } from "../nbgrader/cells";

export interface ShortcutFound {
  answer: string;
  name: string;
  tests: string[];
  message: string;
}

/** What `source` reaches by name: properties (`nn.X`), imported names, and string literals (require paths, `nn["X"]`). */
function reachedNames(source: string): { properties: Set<string>; strings: string[] } {
  const file = ts.createSourceFile("answer.ts", source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const properties = new Set<string>();
  const strings: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAccessExpression(node) && node.expression.kind !== ts.SyntaxKind.ThisKeyword)
      properties.add(node.name.text);
    else if (ts.isImportSpecifier(node)) properties.add((node.propertyName ?? node.name).text);
    else if (ts.isStringLiteralLike(node)) strings.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { properties, strings };
}

export function findShortcuts(nb: Notebook, shortcuts: Shortcut[] = []): ShortcutFound[] {
  const found: ShortcutFound[] = [];
  for (const shortcut of shortcuts) {
    for (const cell of nb.cells) {
      if (cell.cell_type !== "code" || gradeId(cell) !== shortcut.answer) continue;
      const { properties, strings } = reachedNames(cell.source);
      const name = shortcut.names.find((n) => properties.has(n) || strings.some((s) => s.includes(n)));
      if (name) {
        const message = `answer '${shortcut.answer}' calls dlkit's ${name}, which is what it asks you to write: ${shortcut.tests.join(", ")} earn${shortcut.tests.length === 1 ? "s" : ""} nothing`;
        found.push({ answer: shortcut.answer, name, tests: shortcut.tests, message });
      }
    }
  }
  return found;
}
