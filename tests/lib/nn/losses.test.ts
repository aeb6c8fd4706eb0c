import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import {
  BCELoss,
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  MSELoss,
  NLLLoss,
  Reduction,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  mse,
  nllLoss,
} from "../../../lib/nn";
import { Case, TensorJson, expectGradientsMatchFiniteDifferences, expectParity, fixture, toTensor } from "./helpers";

const cases = fixture("losses");

function target(c: Case): tf.Tensor {
  return toTensor(c.target as TensorJson);
}

describe("losses", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  for (const reduction of ["mean", "sum", "none"] as Reduction[]) {
    it(`match PyTorch with reduction "${reduction}", gradients included`, () => {
      const indices = target(cases[`ce_index_${reduction}`]);
      expectParity(
        null,
        cases[`ce_index_${reduction}`],
        (x) => crossEntropy(x, indices, { reduction }),
        "crossEntropy(indices)",
      );
      expectParity(
        null,
        cases[`ce_probs_${reduction}`],
        (x, p) => crossEntropy(x, p, { reduction }),
        "crossEntropy(probabilities)",
      );
      expectParity(null, cases[`nll_${reduction}`], (x) => nllLoss(x, indices, { reduction }), "nllLoss");
      expectParity(null, cases[`mse_${reduction}`], (x, y) => mse(x, y, { reduction }), "mse");
      expectParity(
        null,
        cases[`bce_${reduction}`],
        (p, y) => binaryCrossEntropy(p, y, { reduction }),
        "binaryCrossEntropy",
      );
      expectParity(
        null,
        cases[`bcelogits_${reduction}`],
        (x, y) => binaryCrossEntropyWithLogits(x, y, { reduction }),
        "bceWithLogits",
      );
      indices.dispose();
    });
  }

  it("cross-entropy, NLL and log-softmax match PyTorch on the cpu backend too, built from tfjs ops where wasm has one kernel", async () => {
    await useBestBackend({ backend: "cpu", quiet: true });
    try {
      for (const reduction of ["mean", "none"] as Reduction[]) {
        const indices = target(cases[`ce_index_${reduction}`]);
        expectParity(
          null,
          cases[`ce_index_${reduction}`],
          (x) => crossEntropy(x, indices, { reduction }),
          "crossEntropy(indices) on cpu",
        );
        expectParity(
          null,
          cases[`ce_probs_${reduction}`],
          (x, p) => crossEntropy(x, p, { reduction }),
          "crossEntropy(probabilities) on cpu",
        );
        expectParity(null, cases[`nll_${reduction}`], (x) => nllLoss(x, indices, { reduction }), "nllLoss on cpu");
        indices.dispose();
      }
    } finally {
      await useBestBackend({ backend: "wasm", quiet: true });
    }
  });

  it("crossEntropy takes [batch, classes, seq] logits with [batch, seq] targets, as PyTorch does", () => {
    const c = cases.ce_sequence;
    const labels = target(c);
    expectParity(null, c, (x) => crossEntropy(x, labels), "crossEntropy(sequence)");
    labels.dispose();
  });

  it("module forms give the same numbers as the functions", () => {
    const c = cases.ce_index_mean;
    const logits = toTensor(c.inputs[0]);
    const labels = target(c);
    const probs = toTensor(cases.bce_mean.inputs[0]);
    const y = toTensor(cases.bce_mean.inputs[1]);
    const pairs: [tf.Tensor, tf.Tensor][] = [
      [new CrossEntropyLoss().forward(logits, labels), crossEntropy(logits, labels)],
      [new NLLLoss({ reduction: "sum" }).forward(logits, labels), nllLoss(logits, labels, { reduction: "sum" })],
      [new MSELoss().forward(probs, y), mse(probs, y)],
      [new BCELoss().forward(probs, y), binaryCrossEntropy(probs, y)],
      [new BCEWithLogitsLoss().forward(probs, y), binaryCrossEntropyWithLogits(probs, y)],
    ];
    for (const [a, b] of pairs) expect(a.dataSync()[0]).toBeCloseTo(b.dataSync()[0], 6);
    expect(new NLLLoss({ reduction: "sum" }).toString()).toContain("NLLLoss(reduction=sum)");
    tf.dispose([logits, labels, probs, y, ...pairs.flat()]);
  });

  it("have gradients that agree with finite differences", () => {
    const logits = tf.variable(toTensor(cases.ce_index_mean.inputs[0]));
    const labels = target(cases.ce_index_mean);
    const probs = tf.variable(toTensor(cases.bce_mean.inputs[0]));
    const y = toTensor(cases.bce_mean.inputs[1]);
    expectGradientsMatchFiniteDifferences(() => crossEntropy(logits, labels), [logits], "crossEntropy", { eps: 1e-3 });
    expectGradientsMatchFiniteDifferences(() => mse(probs, y), [probs], "mse", { eps: 1e-3 });
    expectGradientsMatchFiniteDifferences(() => binaryCrossEntropy(probs, y), [probs], "bce", { eps: 1e-3 });
    expectGradientsMatchFiniteDifferences(() => nllLoss(logits, labels, { reduction: "none" }), [logits], "nllLoss");
    expectGradientsMatchFiniteDifferences(() => binaryCrossEntropyWithLogits(probs, y), [probs], "bceWithLogits");
    const soft = tf.variable(toTensor(cases.ce_probs_mean.inputs[1]));
    expectGradientsMatchFiniteDifferences(
      () => crossEntropy(logits, soft),
      [logits, soft],
      "crossEntropy(probabilities)",
    );
    tf.dispose([logits, labels, probs, y, soft]);
  });

  it("explain a wrong target: float labels, labels from 1, one-hot of the wrong shape, a missing batch axis, integer scores", () => {
    const logits = tf.zeros([4, 3]);
    const floatLabels = tf.tensor1d([0, 1, 2, 1]);
    const fromOne = tf.tensor1d([1, 2, 3, 3], "int32");
    const oneHot = tf.zeros([4, 2]);
    const single = tf.zeros([3]);
    expect(() => crossEntropy(logits, floatLabels)).toThrow(
      /crossEntropy: float target has shape \[4\] but logits have \[4, 3\].*class indices must be int32/,
    );
    expect(() => crossEntropy(logits, fromOne)).toThrow(
      /class indices from 1 to 3, expected 0 to 2 — are the labels counted from 1\?/,
    );
    expect(() => crossEntropy(logits, oneHot)).toThrow(/float target has shape \[4, 2\] but logits have \[4, 3\]/);
    expect(() => crossEntropy(single, fromOne)).toThrow(/logits have shape \[3\], expected \[batch, classes\]/);
    expect(() => mse(logits, floatLabels)).toThrow(/mse: input has shape \[4, 3\] but target has \[4\]/);
    const [swapped, labels] = [
      tf.tensor2d(
        [
          [0, 1, 2],
          [2, 1, 0],
          [1, 1, 1],
          [0, 0, 0],
        ],
        [4, 3],
        "int32",
      ),
      tf.tensor1d([0, 1, 2, 1], "int32"),
    ];
    expect(() => crossEntropy(swapped, labels)).toThrow(
      /crossEntropy: scores have dtype int32, expected float32 — the model's outputs go first/,
    );
    expect(() => nllLoss(swapped, labels)).toThrow(/nllLoss: scores have dtype int32, expected float32/);
    tf.dispose([logits, floatLabels, fromOne, oneHot, single, swapped, labels]);
  });
});
