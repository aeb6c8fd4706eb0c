/**
 * lab1-mlp, instructor side: the reference and typical mistakes behind each
 * public check, and how the grader scores the test cells.
 *
 * Every graded test cell records one probe (test_forward records "forward",
 * ...); each is scored case by case against the solution's record.
 * initParams and stages have no recorded mistakes: their public checks are
 * property checks (statistics of the draw; the notebook's four trainings
 * agreeing), and their records serve the grader.
 */
import { probes } from "../../../lib/check/labs/lab1-mlp";
import { checkSource, type CheckSource, type CourseLab, type Mistake } from "../../lab";
import { scoreCaseByCase } from "../../score";
import * as mistakes from "./mistakes";
import * as ref from "./reference";

/** Public seeds: batches of 5, 4 and 8 (the probes pick the batch size by seed; never seed 0). */
const SEEDS = [1, 2, 3];

const all = <F>(catalogue: Record<string, Mistake<F>>): Mistake<F>[] => Object.values(catalogue);

const checks = [
  checkSource({ probe: probes.initParams, seeds: SEEDS, reference: ref.initParams, mistakes: [] }),
  checkSource({ probe: probes.forward, seeds: SEEDS, reference: ref.forward, mistakes: all(mistakes.forwardMistakes) }),
  checkSource({
    probe: probes.lossAccuracy,
    seeds: SEEDS,
    reference: ref.lossAccuracy,
    mistakes: all(mistakes.lossAccuracyMistakes),
  }),
  checkSource({
    probe: probes.backward,
    seeds: SEEDS,
    reference: ref.backward,
    mistakes: all(mistakes.backwardMistakes),
  }),
  checkSource({ probe: probes.sgd, seeds: SEEDS, reference: ref.sgd, mistakes: all(mistakes.sgdMistakes) }),
  checkSource({
    probe: probes.trainStep,
    seeds: SEEDS,
    reference: ref.trainStep,
    mistakes: all(mistakes.trainStepMistakes),
  }),
  checkSource({
    probe: probes.autogradBackward,
    seeds: SEEDS,
    reference: ref.autogradBackward,
    mistakes: all(mistakes.autogradBackwardMistakes),
  }),
  checkSource({ probe: probes.modelAndLoss, seeds: SEEDS, reference: ref.modelAndLoss, mistakes: [] }),
  checkSource({
    probe: probes.manualStep,
    seeds: SEEDS,
    reference: ref.manualStep,
    mistakes: all(mistakes.manualStepMistakes),
  }),
  checkSource({
    probe: probes.optimizer,
    seeds: SEEDS,
    reference: ref.optimizer,
    mistakes: all(mistakes.optimizerMistakes),
  }),
  checkSource({ probe: probes.stages, seeds: SEEDS, reference: ref.stages, mistakes: [] }),
] as unknown[] as CheckSource<never>[];

export const lab1: CourseLab = {
  name: "lab1-mlp",
  checks,
  scoring: {
    // Twenty steps of training (five per stage) in another order of float32
    // operations than the solution's drift further than one function's output.
    test_stages: scoreCaseByCase({ rtol: 1e-3, atol: 1e-5 }),
  },
};
