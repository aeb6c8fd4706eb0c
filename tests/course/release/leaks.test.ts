/** The leak finder release and the student-kit test rely on: if it went blind, an answer could ship unnoticed. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { Cell } from "../../../jupyter/notebook";
import { findLeaks, solutionLines } from "../../../course/release/leaks";
import { releaseNotebook } from "../../../course/release/pipeline";
import { codeCell, notebook } from "../../helpers";

const answerCell = (source: string, gradeId: string): Cell => ({
  ...codeCell(source),
  metadata: { nbgrader: { grade: false, grade_id: gradeId, locked: false, schema_version: 3, solution: true } },
});
const testCell = (source: string, gradeId: string): Cell => ({
  ...codeCell(source),
  metadata: {
    nbgrader: { grade: true, grade_id: gradeId, locked: false, points: 1, schema_version: 3, solution: false },
  },
});

const solution = notebook([
  codeCell('import * as tf from "@tensorflow/tfjs";\nimport { check } from "dlkit";'),
  answerCell(
    [
      "function softmaxRows(x: tf.Tensor2D): tf.Tensor2D {",
      "  // BEGIN SOLUTION",
      "  const shifted: tf.Tensor2D = x.sub(x.max(1, true));",
      "  return tf.exp(shifted).div(tf.exp(shifted).sum(1, true));",
      "  // END SOLUTION",
      "}",
    ].join("\n"),
    "softmax",
  ),
  testCell(
    [
      "// BEGIN HIDDEN TESTS",
      'check.record("softmax", (seed) => softmaxRows(tf.randomNormal([3, 4], 0, 1, "float32", seed)));',
      "// END HIDDEN TESTS",
      'console.log(softmaxRows(tf.tensor2d([[1, 2]])).sum().dataSync()[0] === 1 ? "✔ softmax rows sum to 1" : "✘ softmax");',
    ].join("\n"),
    "test_softmax",
  ),
]);
const lab = releaseNotebook(structuredClone(solution), "planted", "planted.ipynb");
const lines = solutionLines(solution, lab, "planted.ipynb");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-leaks-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
function plant(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
const leaked = (file: string) => findLeaks([file], lines).map((l) => l.line.text);

describe("the leak finder", () => {
  it("takes the answers' and hidden tests' lines, not what the lab shows, nor short lines", () => {
    const texts = lines.map((l) => l.text);
    expect(texts).toContain("return tf.exp(shifted).div(tf.exp(shifted).sum(1, true));");
    expect(texts).toContain(
      'check.record("softmax", (seed) => softmaxRows(tf.randomNormal([3, 4], 0, 1, "float32", seed)));',
    );
    // Its JavaScript, which is what dist/ would hold: the type annotation is gone.
    expect(texts).toContain("const shifted = x.sub(x.max(1, true));");
    expect(texts.some((t) => t.includes("✔ softmax rows sum to 1"))).toBe(false);
    expect(texts.some((t) => t.startsWith("function softmaxRows"))).toBe(false);
    expect(texts.every((t) => t.replace(/\s/g, "").length >= 20)).toBe(true);
  });

  it("finds an answer planted in compiled JavaScript, however it is indented", () => {
    const file = plant(
      "planted.js",
      "exports.ref = (x) => {\n        const shifted = x.sub(x.max(1, true));\n    return tf.exp(shifted).div(tf.exp(shifted).sum(1,   true));\n};\n",
    );
    expect(leaked(file).sort()).toEqual([
      "const shifted = x.sub(x.max(1, true));",
      "return tf.exp(shifted).div(tf.exp(shifted).sum(1, true));",
    ]);
  });

  it("finds a hidden test planted in a JSON string and an answer in a doc comment", () => {
    const json = plant(
      "planted.json",
      JSON.stringify({
        cells: [
          {
            source: [
              'check.record("softmax", (seed) => softmaxRows(tf.randomNormal([3, 4], 0, 1, "float32", seed)));\n',
            ],
          },
        ],
      }),
    );
    expect(leaked(json)).toEqual([
      'check.record("softmax", (seed) => softmaxRows(tf.randomNormal([3, 4], 0, 1, "float32", seed)));',
    ]);
    const dts = plant(
      "planted.d.ts",
      "/**\n * const shifted: tf.Tensor2D = x.sub(x.max(1, true));\n */\nexport declare function f(): void;\n",
    );
    expect(leaked(dts)).toEqual(["const shifted: tf.Tensor2D = x.sub(x.max(1, true));"]);
  });

  it("passes the released lab itself and files without answers", () => {
    const released = plant("planted.ipynb", JSON.stringify(lab, null, 1));
    const clean = plant("clean.js", "const shifted = x.sub(x.mean(1, true));\nreturn y;\n");
    expect(findLeaks([released, clean], lines)).toEqual([]);
  });
});
