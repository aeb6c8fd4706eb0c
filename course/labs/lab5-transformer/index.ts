/**
 * lab5-transformer, instructor side: the reference and typical mistakes
 * behind each public check, and how the grader scores the trained model's
 * tests (held-out accuracy, a reversing head) from what they recorded.
 */
import { probes, shapes } from "../../../lib/check/labs/lab5-transformer";
import type { RecordOutput } from "../../../lib/check/record";
import { Recorded, recordedLeaves } from "../../../lib/check/recorded";
import type { Numeric } from "../../../lib/check/values";
import { checkSource, CourseLab, ScoreTest, TestScore } from "../../lab";
import { pooledAccuracy, unusable } from "../../score";
import * as mistakes from "./mistakes";
import * as reference from "./reference";

/** Public seeds 1..n: every input shape of a probe once (shape = seed % n), and at least two random draws. */
const seedsFor = (n: number) => Array.from({ length: Math.max(n, 2) }, (_, i) => i + 1);

/** The numeric leaf at `path` of a recorded case's value, or null. */
function leaf(value: Recorded, path: string): Numeric | null {
  return recordedLeaves(value).find((l) => l.path === path)?.value ?? null;
}

/** The one record `name` of the student and the solution, or why it cannot be scored. */
function records(
  name: string,
  student: Map<string, RecordOutput | undefined>,
  solution: Map<string, RecordOutput>,
): { mine: RecordOutput; theirs: RecordOutput } | string {
  const theirs = solution.get(name);
  if (!theirs) throw new Error(`the solution shows no record '${name}'`);
  const mine = student.get(name);
  return unusable(name, mine, theirs) ?? { mine: mine!, theirs };
}

const zero = (message: string): TestScore => ({ fraction: 0, message });

/**
 * test_accuracy: the student's predictions on the held-out sequences of the
 * grading seed, against the true targets in the SOLUTION's record (the
 * student's record could say anything), must be ≥ `bar` right.
 */
export function scoreHeldOutAccuracy(bar = 0.99): ScoreTest {
  return (student, solution) => {
    const name = "heldOutPredictions";
    const theirs = solution.get(name);
    if (!theirs) throw new Error(`the solution shows no record '${name}'`);
    const scored = pooledAccuracy(name, "predictions", student.get(name), theirs, "targets");
    if ("message" in scored) return zero(scored.message);
    const { accuracy, right, total } = scored;
    const percent = (100 * accuracy).toFixed(2);
    return accuracy >= bar
      ? { fraction: 1, message: "" }
      : zero(`held-out token accuracy ${percent}% < ${100 * bar}% (${right} of ${total} tokens)`);
  };
}

/** For weights [batch, layers, heads, L, L]: per layer and head, the fraction of (sequence, query i) whose arg-max key is L−1−i. */
export function antiDiagonalFractions(weights: Numeric): number[][] {
  const [batch, layers, heads, L, S] = weights.shape;
  const fractions = Array.from({ length: layers }, () => new Array<number>(heads).fill(0));
  for (let b = 0; b < batch; b++) {
    for (let l = 0; l < layers; l++) {
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < L; i++) {
          const row = (((b * layers + l) * heads + h) * L + i) * S;
          let best = 0;
          for (let j = 1; j < S; j++) if (weights.values[row + j] > weights.values[row + best]) best = j;
          if (best === L - 1 - i) fractions[l][h] += 1 / (batch * L);
        }
      }
    }
  }
  return fractions;
}

/**
 * test_reverses: in the student's attention maps on held-out sequences,
 * some head's most-attended key is L−1−i for ≥ `bar` of the queries.
 */
export function scoreReversingHead(bar = 0.9): ScoreTest {
  return (student, solution) => {
    const found = records("attentionMaps", student, solution);
    if (typeof found === "string") return zero(found);
    let best = 0;
    for (const got of found.mine.cases) {
      if ("error" in got) return zero(`the trained model threw on the held-out sequences: ${got.error}`);
      const weights = leaf(got.value, "weights");
      if (!weights || weights.shape.length !== 5 || weights.shape[3] !== weights.shape[4]) {
        return zero(
          `the attention weights have shape [${weights?.shape ?? "none"}]; expected [batch, layers, heads, L, L]`,
        );
      }
      best = Math.max(best, ...antiDiagonalFractions(weights).flat());
    }
    return best >= bar
      ? { fraction: 1, message: "" }
      : zero(`the best head attends to key L−1−i for ${(100 * best).toFixed(1)}% of queries (< ${100 * bar}%)`);
  };
}

export const lab5: CourseLab = {
  name: "lab5-transformer",
  checks: [
    checkSource({
      probe: probes.alignment,
      seeds: seedsFor(shapes.alignment),
      reference: reference.alignment,
      mistakes: mistakes.alignment,
    }),
    checkSource({
      probe: probes.scaledDotProductAttention,
      seeds: seedsFor(shapes.scaledDotProductAttention),
      reference: reference.scaledDotProductAttention,
      mistakes: mistakes.scaledDotProductAttention,
    }),
    checkSource({
      probe: probes.multiHeadAttention,
      seeds: seedsFor(shapes.multiHeadAttention),
      reference: reference.MultiHeadAttention,
      mistakes: mistakes.multiHeadAttention,
    }),
    checkSource({
      probe: probes.sinusoidalEncoding,
      seeds: seedsFor(shapes.sinusoidalEncoding),
      reference: reference.sinusoidalEncoding,
      mistakes: mistakes.sinusoidalEncoding,
    }),
    checkSource({
      probe: probes.encoderBlock,
      seeds: seedsFor(shapes.encoderBlock),
      reference: reference.EncoderBlock,
      mistakes: mistakes.encoderBlock,
    }),
    checkSource({
      probe: probes.transformerPredictor,
      seeds: seedsFor(shapes.transformerPredictor),
      reference: reference.TransformerPredictor,
      mistakes: mistakes.transformerPredictor,
    }),
    checkSource({
      probe: probes.antiDiagonalFraction,
      seeds: [1, 2, 3],
      reference: reference.antiDiagonalFraction,
      mistakes: mistakes.antiDiagonalFraction,
    }),
    checkSource({
      probe: probes.causalMask,
      seeds: seedsFor(shapes.causalMask),
      reference: reference.causalMask,
      mistakes: mistakes.causalMask,
    }),
  ] as never[],
  scoring: {
    test_accuracy: scoreHeldOutAccuracy(0.99),
    test_reverses: scoreReversingHead(0.9),
  },
  // dlkit ships each of these pieces, as PyTorch does; the exercises are to write them.
  shortcuts: [
    { answer: "sdpa", names: ["scaledDotProductAttention", "scaled_dot_product_attention"], tests: ["test_sdpa"] },
    {
      answer: "mha",
      names: ["MultiheadAttention", "multihead_attention", "scaledDotProductAttention"],
      tests: ["test_mha"],
    },
    { answer: "sinusoidal", names: ["PositionalEncoding", "positional_encoding"], tests: ["test_sinusoidal"] },
    {
      answer: "encoder_block",
      names: ["TransformerEncoderLayer", "MultiheadAttention", "nn/transformer"],
      tests: ["test_encoder_block"],
    },
    {
      answer: "predictor",
      names: ["TransformerEncoder", "TransformerEncoderLayer", "MultiheadAttention"],
      tests: ["test_predictor"],
    },
  ],
};
