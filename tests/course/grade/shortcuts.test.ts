/**
 * An answer that calls the library's own version of the exercise earns
 * nothing on its test: Lab 5's attention pieces all ship in dlkit.
 */
import * as path from "path";
import { describe, expect, it } from "vitest";
import { lab5 } from "../../../course/labs/lab5-transformer";
import { findShortcuts } from "../../../course/grade/shortcuts";
import { Notebook, readNotebook } from "../../../jupyter/notebook";
import { gradeId } from "../../../course/release";

const ROOT = path.resolve(__dirname, "../../..");
const solution = readNotebook(path.join(ROOT, "solutions/lab5-transformer.ipynb"));

/** Lab 5's solution with the answer `id` replaced by `source`. */
function answering(id: string, source: string): Notebook {
  const nb = structuredClone(solution);
  nb.cells.find((c) => gradeId(c) === id)!.source = source;
  return nb;
}

describe("findShortcuts", () => {
  it("finds none in the solution, whose multi-head attention calls its own scaledDotProductAttention", () => {
    expect(findShortcuts(solution, lab5.shortcuts)).toEqual([]);
  });

  it("finds the library reached as a property, an imported name, a require path or an indexed name", () => {
    const ways = [
      "function scaledDotProductAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask?: tf.Tensor) { return nn.scaledDotProductAttention(q, k, v, mask); }",
      'import { scaledDotProductAttention as sdpa } from "dlkit/dist/lib/nn";',
      'const lib = require("dlkit/dist/lib/nn/scaled_dot_product_attention");',
      'const sdpa = (nn as any)["scaledDotProductAttention"];',
    ];
    for (const source of ways) {
      expect(
        findShortcuts(answering("sdpa", source), lab5.shortcuts).map((f) => [f.answer, f.tests]),
        source,
      ).toEqual([["sdpa", ["test_sdpa"]]]);
    }
    const [found] = findShortcuts(
      answering("mha", "class MultiHeadAttention extends nn.MultiheadAttention {}"),
      lab5.shortcuts,
    );
    expect(found.message).toBe(
      "answer 'mha' calls dlkit's MultiheadAttention, which is what it asks you to write: test_mha earns nothing",
    );
  });
});
