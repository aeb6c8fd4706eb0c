/**
 * The pieces solution checks are made of. Each check prints one line (✔ or ✘
 * with a hint naming the likely mistake) and returns the `Verdict`.
 *
 *   checkFunction(forward, reference.forward, { inputs: (seed) => [tf.randomNormal([8, 2], 0, 1, "float32", seed)] });
 *   checkShape(params.W1, [4, 2], "W1", { dims: ["nh", "nx"] });
 *   gradientCheck(loss, [w]);
 *
 * Lab checks compare with outputs recorded at release (`checkRecorded`):
 * the kit holds data, never the reference code. Hidden tests `record` what
 * the student's code computes, and the grader compares outside the kernel.
 *
 * Student labs call `notImplemented()` where a solution goes; checks report
 * it as "not implemented yet" rather than crash.
 */
export { checkFunction, type CheckFunctionOptions, type Mistake } from "./checkFunction";
export { checkShape, type CheckShapeOptions } from "./checkShape";
export { gradientCheck, type GradientCheckOptions } from "./gradientCheck";
export { NotImplementedError, notImplemented, isNotImplemented, asNotImplemented } from "./notImplemented";
export { assertOk, report, verdictLine, type Verdict } from "./verdict";
export { checkRecorded, type CheckRecordedOptions } from "./checkRecorded";
export { type ErrorHint, type Probe } from "./probe";
export {
  record,
  RECORD_MIME,
  GRADING_SEED_VARIABLE,
  FIRST_GRADING_SEED,
  gradingSeed,
  type RecordOptions,
  type RecordOutput,
} from "./record";
export {
  compareRecorded,
  toRecorded,
  recordedLeaves,
  runCase,
  type Recorded,
  type RecordedCase,
  type Tolerance,
  type Difference,
} from "./recorded";
export * as lab1 from "./labs/lab1-mlp";
export * as lab5 from "./labs/lab5-transformer";
export * as tp4a from "./labs/tp4a-cnn";
export * as tp4b from "./labs/tp4b-rnn";
