/**
 * What every lab's check module must be as it ships to students: the records
 * release makes, small; only the checks and probes; no line of the course's
 * reference or of the solution notebook's answers.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import type { CourseLab } from "../../../../course/lab";
import { compareRecords, recordLab } from "../../../../course/record-checks";
import { readNotebook } from "../../../../jupyter/notebook";
import { normaliseLine, solutionLines } from "../../../../course/release/leaks";

const ROOT = path.resolve(__dirname, "../../../..");
const lines = (text: string) => text.split("\n").map(normaliseLine);
/**
 * A parameter or property declared with its type only (`loader: Iterable<Batch>,`): a piece of a
 * signature, which Prettier puts on a line of its own when the signature is long. No call, no literal.
 */
const declaration = (l: string) => {
  const typed = /^(readonly\s+)?[\w$]+\??:\s+(.+?)[,;]?$/.exec(l);
  return typed !== null && !/[\w$]\s*\(/.test(typed[2]) && !/^[-\d."'`]/.test(typed[2]);
};
/** Lines worth looking for: code, not comments, imports or bare signatures. */
const telling = (l: string) =>
  l.length >= 20 && !/^(import|export (function|interface|type|class)|\/\*\*|\*|\/\/)/.test(l) && !declaration(l);

export function describeWhatShips(course: CourseLab, module: object, exportedNames: string[]): void {
  const lab = course.name;
  const own = path.join(ROOT, "lib/check/labs", `${lab}.ts`);
  describe(`lib/check/labs/${lab}, as shipped to students`, () => {
    it("exports the checks and probes only, no reference and no catalogue of mistakes (students would read the solution)", () => {
      expect(Object.keys(module).sort()).toEqual([...exportedNames].sort());
      expect(Object.keys(module).filter((k) => /reference|mistake/i.test(k))).toEqual([]);
    });

    it("holds no line of the reference nor of the solution's answers but what the student's lab and the rest of lib give", () => {
      const shipped = new Set(lines(fs.readFileSync(own, "utf8")));
      const libFiles = (fs.readdirSync(path.join(ROOT, "lib"), { recursive: true }) as string[])
        .map((f) => path.join(ROOT, "lib", f))
        .filter((f) => f.endsWith(".ts") && f !== own);
      const labNotebook = readNotebook(path.join(ROOT, "labs", `${lab}.ipynb`));
      const given = new Set([
        ...labNotebook.cells.flatMap((c) => lines(c.source)),
        ...libFiles.flatMap((f) => lines(fs.readFileSync(f, "utf8"))),
      ]);
      const answers = solutionLines(readNotebook(path.join(ROOT, "solutions", `${lab}.ipynb`)), labNotebook, lab)
        .filter((l) => l.form === "source")
        .map((l) => l.text);
      const secret = [
        ...lines(fs.readFileSync(path.join(ROOT, "course/labs", lab, "reference.ts"), "utf8")),
        ...answers,
      ].filter(telling);
      expect(secret.length).toBeGreaterThan(10);
      expect(secret.filter((l) => shipped.has(l) && !given.has(l))).toEqual([]);
    });

    it("ships the records release makes from the course (a stale record would fail a correct student)", async () => {
      expect(compareRecords(ROOT, await recordLab(course))).toEqual([]);
    }, 120_000);

    it("ships records small enough for every student kit", () => {
      expect(fs.statSync(path.join(ROOT, "lib/check/records", `${lab}.json`)).size).toBeLessThan(150_000);
    });
  });
}
