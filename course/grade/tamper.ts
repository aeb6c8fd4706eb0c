/**
 * Finds student cells that declare again a name a read-only cell defines
 * (`function check() {}` after the lab's `check`): later cells, tests
 * included, would call the student's version. Restoring cells cannot undo
 * that, so the grader is told.
 */
import * as ts from "@tslab/typescript-for-tslab";
import type { Notebook } from "../../jupyter/notebook";
import { gradeId, isLocked } from "../nbgrader/cells";

/** The names a cell declares at its top level (functions, classes, variables, imports). */
function topLevelNames(source: string): string[] {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const names: string[] = [];
  const bind = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.push(name.text);
    else for (const e of name.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const s of file.statements) {
    if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name)
      names.push(s.name.text);
    else if (ts.isVariableStatement(s)) s.declarationList.declarations.forEach((d) => bind(d.name));
    else if (ts.isImportDeclaration(s) && s.importClause) {
      const c = s.importClause;
      if (c.name) names.push(c.name.text);
      const b = c.namedBindings;
      if (b && ts.isNamespaceImport(b)) names.push(b.name.text);
      else if (b) b.elements.forEach((e) => names.push(e.name.text));
    }
  }
  return names;
}

export function findRedefinitions(nb: Notebook): string[] {
  const owner = new Map<string, string>();
  for (const cell of nb.cells) {
    if (cell.cell_type === "code" && isLocked(cell))
      for (const name of topLevelNames(cell.source)) owner.set(name, gradeId(cell) ?? "?");
  }
  const found: string[] = [];
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code" || isLocked(cell)) return;
    for (const name of new Set(topLevelNames(cell.source))) {
      if (owner.has(name)) {
        const where = gradeId(cell) ? `answer cell '${gradeId(cell)}'` : `cell ${i + 1}`;
        found.push(`${where} redefines '${name}' from read-only cell '${owner.get(name)}', which the tests rely on`);
      }
    }
  });
  return found;
}
