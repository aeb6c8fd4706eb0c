/**
 * Every public name of dlkit carries a doc comment on its declaration, the
 * only place editors and the kernel's Shift+Tab look: a name without one
 * shows the student its signature and nothing else.
 */
import * as path from "path";
import * as ts from "typescript";
import { describe, expect, it } from "vitest";

interface DocCoverage {
  documented: string[];
  undocumented: string[];
}

/** The public names reachable from `entry`, namespaces dotted (`nn.Linear`, `check.lab1.probes`), split by whether their declaration has a doc comment. */
function docCoverage(entry = path.resolve(__dirname, "..", "..", "lib", "index.ts")): DocCoverage {
  const program = ts.createProgram([entry], {
    strict: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
  });
  const checker = program.getTypeChecker();
  const result: DocCoverage = { documented: [], undocumented: [] };
  const visit = (moduleSymbol: ts.Symbol, prefix: string) => {
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const name = prefix + exported.name;
      // A namespace re-export (`export * as nn from "./nn"`) is a folder of names, each documented on its own.
      if (symbol.flags & ts.SymbolFlags.ValueModule && symbol.declarations?.some(ts.isSourceFile)) {
        visit(symbol, `${name}.`);
        continue;
      }
      const docs = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
      (docs ? result.documented : result.undocumented).push(name);
    }
  };
  visit(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!, "");
  return result;
}

describe("doc comments of dlkit's public names", () => {
  const { documented, undocumented } = docCoverage();

  it("finds the library's main names with their doc comments (the walk reaches into nn, optim, plot)", () => {
    expect(documented).toEqual(
      expect.arrayContaining(["nn.Linear", "optim.Adam", "plot.attentionMap", "check.lab1.probes"]),
    );
  });

  it("leaves no public name without a doc comment on its declaration", () => {
    expect(
      undocumented,
      `${undocumented.length} public name(s) show no doc on Shift+Tab; write a TSDoc comment on each declaration:\n  ${undocumented.join("\n  ")}`,
    ).toEqual([]);
  });
});
