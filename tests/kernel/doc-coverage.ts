/**
 * Which public names of dlkit carry a doc comment on their declaration (the
 * only place editors and the kernel's Shift+Tab look). Run alone to list the
 * ones that lack one: npx ts-node --transpile-only tests/kernel/doc-coverage.ts
 */
import * as path from "path";
import * as ts from "typescript";

export interface DocCoverage {
  documented: string[];
  undocumented: string[];
}

export function docCoverage(entry = path.resolve(__dirname, "..", "..", "lib", "index.ts")): DocCoverage {
  const program = ts.createProgram([entry], { strict: true, skipLibCheck: true, esModuleInterop: true, resolveJsonModule: true });
  const checker = program.getTypeChecker();
  const result: DocCoverage = { documented: [], undocumented: [] };
  const visit = (moduleSymbol: ts.Symbol, prefix: string) => {
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const name = prefix + exported.name;
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

if (require.main === module) {
  const { documented, undocumented } = docCoverage();
  console.log(`${documented.length} public names documented, ${undocumented.length} without a doc comment:`);
  console.log(undocumented.join("\n"));
}
