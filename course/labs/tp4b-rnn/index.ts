/**
 * tp4b-rnn, instructor side: the reference and typical mistakes behind each
 * public check, and how the grader scores the test cells.
 *
 * Every graded test cell records one probe (check_RNN records "RNN", ...),
 * scored case by case against the solution's record, except
 * check_accuracy: it records the trained GRU's predictions on a seeded
 * sample of the held-out words, scored as an accuracy over the labels in the
 * solution's record.
 */
import { probes } from "../../../lib/check/labs/tp4b-rnn";
import { checkSource, type CheckSource, type CourseLab, type Mistake, type ScoreTest, type TestScore } from "../../lab";
import { pooledAccuracy } from "../../score";
import * as mistakes from "./mistakes";
import * as ref from "./reference";

/** Public seeds (never 0: tf.randomNormal takes 0 as no seed); two keep the records of the larger outputs small. */
const SEEDS = [1, 2, 3];
const TWO_SEEDS = [1, 2];

const all = <F>(catalogue: Record<string, Mistake<F>>): Mistake<F>[] => Object.values(catalogue);

const checks = [
  checkSource({
    probe: probes.wordToTensor,
    seeds: TWO_SEEDS,
    reference: ref.wordToTensorCase,
    mistakes: all(mistakes.wordToTensorMistakes),
  }),
  checkSource({ probe: probes.rnnClass, seeds: TWO_SEEDS, reference: ref.RNN, mistakes: all(mistakes.rnnMistakes) }),
  checkSource({
    probe: probes.trainWord,
    seeds: SEEDS,
    reference: ref.trainWord,
    mistakes: all(mistakes.trainWordMistakes),
  }),
  checkSource({
    probe: probes.wordClassifier,
    seeds: TWO_SEEDS,
    reference: ref.WordClassifier,
    mistakes: all(mistakes.classifierMistakes),
  }),
  // One word per seed, n from 1 to 5: four seeds see n = 1 to 4 (2 twice).
  checkSource({
    probe: probes.predict,
    seeds: [1, 2, 3, 4],
    reference: ref.predictCase,
    mistakes: all(mistakes.predictMistakes),
  }),
] as unknown[] as CheckSource<never>[];

/** The GRU's bar on held-out words, and the languages it must tell apart. */
export const HELD_OUT_BAR = { accuracy: 0.75, languages: 5 };

/**
 * check_accuracy: the student's predictions over every case, right when
 * they equal the label in the solution's record (never the student's); full
 * marks at the bar, none below.
 */
export function scoreHeldOut(bar = HELD_OUT_BAR): ScoreTest {
  return (student, solution): TestScore => {
    const name = "accuracy";
    const theirs = solution.get(name);
    if (!theirs) throw new Error(`the solution recorded no '${name}'`);
    const scored = pooledAccuracy(name, "predicted", student.get(name), theirs);
    if ("message" in scored) return { fraction: 0, message: scored.message };
    const { accuracy, total, labels: languages } = scored;
    if (languages.size < bar.languages)
      throw new Error(`the solution's '${name}' covers ${languages.size} languages; the bar is ${bar.languages}`);
    const shown = `${(100 * accuracy).toFixed(1)}% of ${total} held-out words over ${languages.size} languages`;
    return accuracy >= bar.accuracy
      ? { fraction: 1, message: "" }
      : { fraction: 0, message: `the GRU's held-out accuracy is ${shown}; the bar is ${100 * bar.accuracy}%` };
  };
}

export const tp4b: CourseLab = {
  name: "tp4b-rnn",
  checks,
  scoring: { check_accuracy: scoreHeldOut() },
};
