/**
 * Lab 1's checks: the slides' one-hidden-layer MLP (lecture 1's practical)
 * as a reference, and for each TODO the mistakes students make with the hint
 * that names each one. A check prints one line and returns the Verdict.
 *
 *   check.assertOk(check.lab1.initParams(initParams));
 *   // ✘ initParams: bh has shape [1,4]; the slide uses [nh,1] = [4,1] — did you transpose?
 *
 * Shapes follow the slides: X [N, nx] (one example per row), Wh [nh, nx],
 * bh [nh, 1], Wy [ny, nh], by [ny, 1]; yhat [N, ny].
 */
import * as tf from "@tensorflow/tfjs";
import { CrossEntropyLoss, Linear, Module, Sequential, Tanh } from "../../nn";
import { Optimizer, SGD } from "../../optim";
import { checkFunction, Mistake } from "../checkFunction";
import { shapeHint } from "../hints";
import { asNotImplemented, NotImplementedError } from "../notImplemented";
import { report, Verdict } from "../verdict";
import { allClose, showShape } from "../values";

export type Params = { Wh: tf.Tensor2D; bh: tf.Tensor2D; Wy: tf.Tensor2D; by: tf.Tensor2D };
export type Outputs = { X: tf.Tensor2D; htilde: tf.Tensor2D; h: tf.Tensor2D; ytilde: tf.Tensor2D; yhat: tf.Tensor2D };
export type StepResult = { params: Params; loss: tf.Scalar; accuracy: tf.Scalar };

const NAMES = ["Wh", "bh", "Wy", "by"] as const;

// ---------------------------------------------------------------------------
// The reference: the slides' PyTorch code, line for line, in tfjs.

function initParamsRef(nx: number, nh: number, ny: number, seed: number): Params {
  return tf.tidy(() => ({
    Wh: tf.randomNormal([nh, nx], 0, 1, "float32", seed).mul(0.3) as tf.Tensor2D,
    bh: tf.zeros([nh, 1]) as tf.Tensor2D,
    Wy: tf.randomNormal([ny, nh], 0, 1, "float32", seed + 1).mul(0.3) as tf.Tensor2D,
    by: tf.zeros([ny, 1]) as tf.Tensor2D,
  }));
}

function forwardRef(params: Params, X: tf.Tensor2D): [tf.Tensor2D, Outputs] {
  const htilde = tf.matMul(X, params.Wh, false, true).add(params.bh.transpose()) as tf.Tensor2D;
  const h = tf.tanh(htilde);
  const ytilde = tf.matMul(h, params.Wy, false, true).add(params.by.transpose()) as tf.Tensor2D;
  const e = tf.exp(ytilde);
  const yhat = e.div(e.sum(-1, true)) as tf.Tensor2D;
  return [yhat, { X, htilde, h, ytilde, yhat }];
}

function lossAccuracyRef(Yhat: tf.Tensor2D, Y: tf.Tensor2D): [tf.Scalar, tf.Scalar] {
  const loss = Y.mul(Yhat.log()).sum(1).mean().neg() as tf.Scalar;
  const accuracy = Yhat.argMax(1).equal(Y.argMax(1)).toFloat().mean() as tf.Scalar;
  return [loss, accuracy];
}

function backwardRef(params: Params, outputs: Outputs, Y: tf.Tensor2D): Params {
  const N = Y.shape[0];
  const ytildeGrad = outputs.yhat.sub(Y);
  const htildeGrad = tf.matMul(ytildeGrad, params.Wy).mul(tf.scalar(1).sub(outputs.h.square()));
  return {
    Wy: tf.matMul(ytildeGrad, outputs.h, true, false).div(N),
    Wh: tf.matMul(htildeGrad, outputs.X, true, false).div(N),
    by: ytildeGrad.sum(0, true).transpose().div(N),
    bh: htildeGrad.sum(0, true).transpose().div(N),
  } as Params;
}

function sgdRef(params: Params, grads: Params, eta: number): Params {
  return {
    Wh: params.Wh.sub(grads.Wh.mul(eta)),
    bh: params.bh.sub(grads.bh.mul(eta)),
    Wy: params.Wy.sub(grads.Wy.mul(eta)),
    by: params.by.sub(grads.by.mul(eta)),
  } as Params;
}

function trainStepRef(params: Params, X: tf.Tensor2D, Y: tf.Tensor2D, eta: number): StepResult {
  const [Yhat, outputs] = forwardRef(params, X);
  const [loss, accuracy] = lossAccuracyRef(Yhat, Y);
  const grads = backwardRef(params, outputs, Y);
  return { params: sgdRef(params, grads, eta), loss, accuracy };
}

function autogradBackwardRef(params: Params, X: tf.Tensor2D, Y: tf.Tensor2D): Params {
  const loss = (Wh: tf.Tensor, bh: tf.Tensor, Wy: tf.Tensor, by: tf.Tensor) =>
    lossAccuracyRef(forwardRef({ Wh, bh, Wy, by } as Params, X)[0], Y)[0];
  const [Wh, bh, Wy, by] = tf.grads(loss)([params.Wh, params.bh, params.Wy, params.by]);
  return { Wh, bh, Wy, by } as Params;
}

function modelAndLossRef(nx: number, nh: number, ny: number): { model: Sequential; loss: CrossEntropyLoss } {
  return { model: new Sequential(new Linear(nx, nh), new Tanh(), new Linear(nh, ny)), loss: new CrossEntropyLoss() };
}

function manualStepRef(model: Module, loss: Module, X: tf.Tensor2D, Y: tf.Tensor2D, eta: number): tf.Scalar {
  const { value, grads } = tf.variableGrads(() => loss.forward(model.forward(X), Y) as tf.Scalar, model.parameters());
  tf.tidy(() => {
    for (const p of model.parameters()) p.assign(p.sub(grads[p.name].mul(eta)));
  });
  tf.dispose(grads);
  return value;
}

function makeOptimizerRef(model: Module, eta: number): Optimizer {
  return new SGD(model.parameters(), { lr: eta });
}

function optimizerStepRef(model: Module, loss: Module, optimizer: Optimizer, X: tf.Tensor2D, Y: tf.Tensor2D): tf.Scalar {
  return optimizer.step(() => loss.forward(model.forward(X), Y) as tf.Scalar);
}

/** The slides' functions, for graders and for building deliberately wrong versions in tests. */
export const reference = {
  initParams: initParamsRef,
  forward: forwardRef,
  lossAccuracy: lossAccuracyRef,
  backward: backwardRef,
  sgd: sgdRef,
  trainStep: trainStepRef,
  autogradBackward: autogradBackwardRef,
  modelAndLoss: modelAndLossRef,
  manualStep: manualStepRef,
  makeOptimizer: makeOptimizerRef,
  optimizerStep: optimizerStepRef,
};

// ---------------------------------------------------------------------------
// Seeded inputs shaped like the lab's: nx = 2, nh = 4, ny = 2.

const LAB = { nx: 2, nh: 4, ny: 2 };
/** Batch sizes of the trials: 4 = nh, so a bias added untransposed broadcasts silently there. */
const BATCHES = [8, 5, 4];
const batchOf = (seed: number) => BATCHES[((seed % BATCHES.length) + BATCHES.length) % BATCHES.length];

function randn(shape: number[], seed: number, std = 1): tf.Tensor {
  return tf.randomNormal(shape, 0, std, "float32", seed);
}

/** Parameters with non-zero biases, so that a lost bias shows. */
function someParams(seed: number): Params {
  const { nx, nh, ny } = LAB;
  return {
    Wh: randn([nh, nx], seed + 11),
    bh: randn([nh, 1], seed + 12, 0.5),
    Wy: randn([ny, nh], seed + 13),
    by: randn([ny, 1], seed + 14, 0.5),
  } as Params;
}

/** One-hot targets with both classes present. */
function someTargets(n: number, seed: number): tf.Tensor2D {
  const labels = Array.from({ length: n }, (_, i) => (i === 0 ? 0 : i === 1 ? 1 : Math.abs(Math.round(Math.sin(seed * 31 + i * 7) * 1000)) % LAB.ny));
  return tf.oneHot(tf.tensor1d(labels, "int32"), LAB.ny).toFloat() as tf.Tensor2D;
}

function someBatch(seed: number): { X: tf.Tensor2D; Y: tf.Tensor2D } {
  const n = batchOf(seed);
  return { X: randn([n, LAB.nx], seed + 21) as tf.Tensor2D, Y: someTargets(n, seed) };
}

// ---------------------------------------------------------------------------
// What all checks share.

/** A student function whose stub errors become NotImplementedError, so checkFunction reports them as such. */
function recognisingStubs<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    try {
      return fn(...args);
    } catch (err) {
      throw asNotImplemented(err) ?? err;
    }
  };
}

/** An error a student's code throws and what it usually means. */
interface ErrorHint {
  when: RegExp;
  hint: string;
}

/** The verdict for what a student's code threw: not implemented, or the error with a hint from `hints`. */
function verdictForThrow(name: string, err: unknown, hints: ErrorHint[] = []): Verdict {
  const missing = asNotImplemented(err);
  if (missing) {
    // When the function calls another that is still a stub, name that one.
    const what = missing.what && missing.what !== name ? `${missing.what} is ` : "";
    return { ok: false, notImplemented: true, message: `${name}: ${what}not implemented yet` };
  }
  const message = (err instanceof Error ? err.message : String(err)).split("\n")[0];
  const hint = hints.find((h) => h.when.test(message))?.hint;
  return { ok: false, message: `${name} threw: ${message}`, hint };
}

/** Runs `attempt` once: null when it returns, else the verdict for what it threw. */
function tryRun(name: string, attempt: () => void, hints: ErrorHint[] = []): Verdict | null {
  try {
    tf.tidy(() => {
      attempt();
    });
    return null;
  } catch (err) {
    return verdictForThrow(name, err, hints);
  }
}

const SHAPE_ERRORS: ErrorHint = {
  when: /inner (shapes|dimensions)|must match/i,
  hint: "two shapes do not fit: did you transpose one side, or forget the batch axis?",
};

function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

function numbers(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Runs checkFunction once the student's function has run on a first input without throwing. */
function compareWithReference<A extends unknown[]>(
  name: string,
  student: (...args: A) => unknown,
  referenceFn: (...args: A) => unknown,
  inputs: (seed: number) => A,
  hints: Mistake<A>[],
  errorHints: ErrorHint[],
  seed = 0,
  trials = 3,
): Verdict {
  for (let t = 0; t < trials; t++) {
    const failed = tryRun(name, () => student(...inputs(seed + t)), errorHints);
    if (failed) return report(failed);
  }
  return checkFunction(recognisingStubs(student), referenceFn, { name, inputs, hints, seed, trials });
}

// ---------------------------------------------------------------------------
// initParams(nx, nh, ny, seed)

type InitParams = (nx: number, nh: number, ny: number, seed: number) => Params;

/** Seeds the check draws with: tf.randomNormal takes a seed of 0 as no seed at all, so never 0. */
const SEED = 42;

const SLIDE_DIMS: Record<(typeof NAMES)[number], [string, string]> = { Wh: ["nh", "nx"], bh: ["nh", "1"], Wy: ["ny", "nh"], by: ["ny", "1"] };

function shapeOf(name: (typeof NAMES)[number], nx: number, nh: number, ny: number): number[] {
  const size: Record<string, number> = { nx, nh, ny, "1": 1 };
  return SLIDE_DIMS[name].map((d) => size[d]);
}

function paramsProblem(what: string, value: unknown, sizes: [number, number, number], intro = ""): Verdict | null {
  if (value === null || typeof value !== "object") return { ok: false, message: `${what} returned ${value === undefined ? "undefined" : typeof value}; expected an object { Wh, bh, Wy, by }` };
  const record = value as Record<string, unknown>;
  const missing = NAMES.filter((k) => !isTensor(record[k]));
  if (missing.length) {
    return { ok: false, message: `${what} returned no tensor under ${missing.join(", ")}; expected { Wh, bh, Wy, by }`, hint: "name the four tensors exactly as the slide does" };
  }
  for (const k of NAMES) {
    const actual = (record[k] as tf.Tensor).shape;
    const expected = shapeOf(k, ...sizes);
    if (!tf.util.arraysEqual(actual, expected)) {
      const dims = SLIDE_DIMS[k];
      const hint = dims[1] === "1" && actual.length === 1 ? "the slide keeps biases as columns: add the size-1 axis" : shapeHint(actual, expected);
      return { ok: false, message: `${what}: ${intro}${k} has shape ${showShape(actual)}; the slide uses [${dims.join(",")}] = ${showShape(expected)}`, hint };
    }
    if ((record[k] as tf.Tensor).dtype !== "float32") {
      return { ok: false, message: `${what}: ${k} has dtype ${(record[k] as tf.Tensor).dtype}; expected float32`, hint: "use tf.zeros / tf.randomNormal, which make float32" };
    }
  }
  return null;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function std(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

/** What the weights' spread says about how they were drawn; null when it is randn·0.3. */
function drawProblem(name: string, values: number[]): Verdict | null {
  const [m, s] = [mean(values), std(values)];
  if (Math.abs(m - 0.3) < 0.05 && Math.abs(s - 1) < 0.1) {
    return {
      ok: false,
      message: `initParams: ${name}'s values have mean ${m.toFixed(2)} and std ${s.toFixed(2)}; expected mean 0, std 0.3`,
      hint: "tf.randomNormal(shape, mean, stdDev): 0.3 went in as the mean; write tf.randomNormal(shape, 0, 1, \"float32\", seed).mul(0.3)",
    };
  }
  if (Math.min(...values) >= 0) {
    return {
      ok: false,
      message: `initParams: ${name}'s values are all ≥ 0 (mean ${m.toFixed(2)}); expected a normal draw around 0`,
      hint: "tf.randomUniform draws from [0, 1): the slide's randn is tf.randomNormal",
    };
  }
  if (Math.abs(s - 1) < 0.1) {
    return { ok: false, message: `initParams: ${name}'s values have std ${s.toFixed(2)}; expected 0.3`, hint: "randn·0.3: did you forget the × 0.3?" };
  }
  if (Math.abs(s - 0.3) > 0.05 || Math.abs(m) > 0.05) {
    return { ok: false, message: `initParams: ${name}'s values have mean ${m.toFixed(2)} and std ${s.toFixed(2)}; expected mean 0, std 0.3`, hint: "draw with tf.randomNormal and multiply by 0.3" };
  }
  return null;
}

/** Shapes [nh,nx], [nh,1], [ny,nh], [ny,1]; zero biases; weights randn·0.3; the same seed giving the same weights. */
export function initParams(student: InitParams): Verdict {
  const name = "initParams";
  const { nx, nh, ny } = LAB;
  let verdict: Verdict | null = null;
  try {
    tf.tidy(() => {
      const first = student(nx, nh, ny, SEED);
      verdict = paramsProblem(name, first, [nx, nh, ny]);
      if (verdict) return;
      const other = student(3, 5, 6, SEED);
      verdict = paramsProblem(name, other, [3, 5, 6], "with nx=3, nh=5, ny=6, ");
      if (verdict) return;
      for (const k of ["bh", "by"] as const) {
        if (numbers(first[k]).some((v) => v !== 0)) {
          verdict = { ok: false, message: `${name}: ${k} is not all zeros`, hint: `the slide starts the biases at zero: tf.zeros([${SLIDE_DIMS[k].join(", ")}])` };
          return;
        }
      }
      const big = student(60, 80, 70, SEED);
      for (const k of ["Wh", "Wy"] as const) {
        verdict = drawProblem(k, numbers(big[k]));
        if (verdict) return;
      }
      const again = student(nx, nh, ny, SEED);
      if (!allClose(numbers(again.Wh), numbers(first.Wh), 0, 0) || !allClose(numbers(again.Wy), numbers(first.Wy), 0, 0)) {
        verdict = {
          ok: false,
          message: `${name}: two calls with seed ${SEED} gave different weights`,
          hint: "pass the seed to tf.randomNormal(shape, 0, 1, \"float32\", seed) (and not 0, which tf.randomNormal takes as no seed): the four stages must start from the same weights",
        };
        return;
      }
      const seeded = student(nx, nh, ny, SEED + 1);
      if (allClose(numbers(seeded.Wh), numbers(first.Wh), 0, 0)) {
        verdict = { ok: false, message: `${name}: seeds ${SEED} and ${SEED + 1} gave the same weights`, hint: "the seed argument is ignored: pass it on to tf.randomNormal" };
        return;
      }
      const [wh, wy] = [numbers(big.Wh), numbers(big.Wy)];
      const n = Math.min(wh.length, wy.length);
      if (allClose(wh.slice(0, n), wy.slice(0, n), 0, 0)) {
        verdict = {
          ok: false,
          message: `${name}: Wh and Wy start with the same numbers`,
          hint: "the same seed draws the same numbers: give each its own (seed for Wh, seed + 1 for Wy)",
        };
      }
    });
  } catch (err) {
    return report(verdictForThrow(name, err, [SHAPE_ERRORS]));
  }
  return report(verdict ?? { ok: true, message: `${name}: shapes [nh,nx], [nh,1], [ny,nh], [ny,1], zero biases, weights ~ N(0, 0.3²), seeded` });
}

// ---------------------------------------------------------------------------
// forward(params, X) → [yhat, outputs]

type Forward = (params: Params, X: tf.Tensor2D) => [tf.Tensor2D, Outputs];
type ForwardArgs = [Params, tf.Tensor2D];

function forwardInputs(seed: number): ForwardArgs {
  return [someParams(seed), randn([batchOf(seed), LAB.nx], seed + 31) as tf.Tensor2D];
}

/** The slide's forward with one piece changed: `change` gets each intermediate and may replace it. */
function forwardWith(change: { htilde?: (p: Params, X: tf.Tensor2D) => tf.Tensor; h?: (ht: tf.Tensor) => tf.Tensor; yhat?: (yt: tf.Tensor) => tf.Tensor }): Forward {
  return (params, X) => {
    const htilde = (change.htilde ?? ((p: Params, x: tf.Tensor2D) => tf.matMul(x, p.Wh, false, true).add(p.bh.transpose())))(params, X) as tf.Tensor2D;
    const h = (change.h ?? tf.tanh)(htilde) as tf.Tensor2D;
    const ytilde = tf.matMul(h, params.Wy, false, true).add(params.by.transpose()) as tf.Tensor2D;
    const yhat = (change.yhat ?? ((yt: tf.Tensor) => tf.exp(yt).div(tf.exp(yt).sum(-1, true))))(ytilde) as tf.Tensor2D;
    return [yhat, { X, htilde, h, ytilde, yhat }];
  };
}

/** The mistakes made in forward, as wrong forwards; exported for the tests. */
export const forwardMistakes = {
  softmaxOverBatch: forwardWith({ yhat: (yt) => tf.exp(yt).div(tf.exp(yt).sum(0, true)) }),
  notNormalised: forwardWith({ yhat: (yt) => tf.exp(yt) }),
  noActivation: forwardWith({ h: (ht) => ht }),
  sigmoid: forwardWith({ h: (ht) => tf.sigmoid(ht) }),
  biasNotTransposed: forwardWith({ htilde: (p, X) => tf.matMul(X, p.Wh, false, true).add(p.bh) }),
  /** W·x with examples as columns: every output comes out transposed. */
  columns: ((params: Params, X: tf.Tensor2D) => {
    const htilde = tf.matMul(params.Wh, X, false, true).add(params.bh) as tf.Tensor2D;
    const h = tf.tanh(htilde);
    const ytilde = tf.matMul(params.Wy, h).add(params.by) as tf.Tensor2D;
    const yhat = tf.exp(ytilde).div(tf.exp(ytilde).sum(0, true)) as tf.Tensor2D;
    return [yhat, { X, htilde, h, ytilde, yhat }];
  }) as Forward,
};

const FORWARD_HINTS: Mistake<ForwardArgs>[] = [
  { mistake: forwardMistakes.columns, hint: "W·x vs x·Wᵀ: X holds one example per row, so htilde = X·Whᵀ + bhᵀ is [N, nh] (tf.matMul(X, Wh, false, true))" },
  { mistake: forwardMistakes.softmaxOverBatch, hint: "softmax over the wrong axis: normalise each row (example) over the classes, sum(-1, true), not over the batch" },
  { mistake: forwardMistakes.notNormalised, hint: "yhat = exp(ytilde) / Σ exp(ytilde): divide each row by its sum (keepDims, so it broadcasts)" },
  { mistake: forwardMistakes.noActivation, hint: "h = tanh(htilde): the activation is missing?" },
  { mistake: forwardMistakes.sigmoid, hint: "the slide's activation is tanh, not sigmoid" },
  { mistake: forwardMistakes.biasNotTransposed, hint: "bh is a column [nh,1]: add bhᵀ ([1,nh]) so that it broadcasts over the batch rows" },
];

const FORWARD_ERRORS: ErrorHint[] = [
  { when: /broadcast/i, hint: "bh is a column [nh,1]: add bhᵀ ([1,nh]) so that it broadcasts over the batch rows" },
  { when: /inner (shapes|dimensions)|must match/i, hint: "X is [N, nx] and Wh is [nh, nx]: htilde = X·Whᵀ (tf.matMul(X, Wh, false, true))" },
];

/** yhat and the cache { X, htilde, h, ytilde, yhat } against the slide's forward, on batches of 8, 5 and 4. */
export function forward(student: Forward): Verdict {
  return compareWithReference("forward", student, forwardRef, forwardInputs, FORWARD_HINTS, FORWARD_ERRORS);
}

// ---------------------------------------------------------------------------
// lossAccuracy(Yhat, Y) → [loss, accuracy]

type LossAccuracy = (Yhat: tf.Tensor2D, Y: tf.Tensor2D) => [tf.Scalar, tf.Scalar];
type LossArgs = [tf.Tensor2D, tf.Tensor2D];

function lossInputs(seed: number): LossArgs {
  const n = batchOf(seed);
  return [tf.softmax(randn([n, LAB.ny], seed + 41, 2)) as tf.Tensor2D, someTargets(n, seed)];
}

const crossEntropyOf = (Yhat: tf.Tensor2D, Y: tf.Tensor2D) => Y.mul(Yhat.log());
const accuracyOf = (Yhat: tf.Tensor2D, Y: tf.Tensor2D) => Yhat.argMax(1).equal(Y.argMax(1)).toFloat().mean() as tf.Scalar;

/** The mistakes made in lossAccuracy; exported for the tests. */
export const lossAccuracyMistakes = {
  sumOverBatch: ((Yhat, Y) => [crossEntropyOf(Yhat, Y).sum().neg(), accuracyOf(Yhat, Y)]) as LossAccuracy,
  meanOverAll: ((Yhat, Y) => [crossEntropyOf(Yhat, Y).mean().neg(), accuracyOf(Yhat, Y)]) as LossAccuracy,
  noMinus: ((Yhat, Y) => [crossEntropyOf(Yhat, Y).sum(1).mean(), accuracyOf(Yhat, Y)]) as LossAccuracy,
  percent: ((Yhat, Y) => [crossEntropyOf(Yhat, Y).sum(1).mean().neg(), accuracyOf(Yhat, Y).mul(100)]) as LossAccuracy,
  argMaxOverBatch: ((Yhat, Y) => [crossEntropyOf(Yhat, Y).sum(1).mean().neg(), Yhat.argMax(0).equal(Y.argMax(0)).toFloat().mean()]) as LossAccuracy,
};

const LOSS_HINTS: Mistake<LossArgs>[] = [
  { mistake: lossAccuracyMistakes.sumOverBatch, hint: "summed over the batch: the loss is the mean over the N examples" },
  { mistake: lossAccuracyMistakes.meanOverAll, hint: "a mean over [N, ny] also divides by the number of classes: sum over the classes (axis 1), then mean over the batch" },
  { mistake: lossAccuracyMistakes.noMinus, hint: "cross-entropy is −Σ y log ŷ: the minus sign is missing?" },
  { mistake: lossAccuracyMistakes.percent, hint: "accuracy is a fraction in [0, 1] here (as in lib/train), not a percentage" },
  { mistake: lossAccuracyMistakes.argMaxOverBatch, hint: "argMax over the class axis (1): one predicted class per example" },
];

/** loss = −mean Σ y log ŷ and accuracy as a fraction, both tf.Scalar (part 2 differentiates the loss). */
export function lossAccuracy(student: LossAccuracy): Verdict {
  const name = "lossAccuracy";
  let verdict: Verdict | null = null;
  try {
    tf.tidy(() => {
      const out = student(...lossInputs(0)) as unknown;
      if (!Array.isArray(out) || out.length !== 2) {
        verdict = { ok: false, message: `${name} returned ${Array.isArray(out) ? `an array of ${out.length}` : typeof out}; expected [loss, accuracy]` };
      } else if (!isTensor(out[0])) {
        verdict = { ok: false, message: `${name}: the loss is ${typeof out[0]}, not a tensor`, hint: "keep the loss a tf.Scalar (no dataSync): part 2 differentiates it" };
      } else if (out[0].rank !== 0) {
        verdict = { ok: false, message: `${name}: the loss has shape ${showShape(out[0].shape)}; expected a scalar []`, hint: "sum over the classes, then mean over the batch: one number" };
      }
    });
  } catch (err) {
    return report(verdictForThrow(name, err));
  }
  if (verdict) return report(verdict);
  return compareWithReference(name, student, lossAccuracyRef, lossInputs, LOSS_HINTS, []);
}

// ---------------------------------------------------------------------------
// backward(params, outputs, Y) → grads

type Backward = (params: Params, outputs: Outputs, Y: tf.Tensor2D) => Params;
type BackwardArgs = [Params, Outputs, tf.Tensor2D];

function backwardInputs(seed: number): BackwardArgs {
  const params = someParams(seed);
  const { X, Y } = someBatch(seed);
  return [params, forwardRef(params, X)[1], Y];
}

/** The slide's backward with one piece changed. */
function backwardWith(change: { tanhGrad?: (h: tf.Tensor) => tf.Tensor; divide?: boolean; bias?: (g: tf.Tensor) => tf.Tensor; wy?: (g: tf.Tensor, h: tf.Tensor) => tf.Tensor }): Backward {
  return (params, outputs, Y) => {
    const N = change.divide === false ? 1 : Y.shape[0];
    const ytildeGrad = outputs.yhat.sub(Y);
    const htildeGrad = tf.matMul(ytildeGrad, params.Wy).mul((change.tanhGrad ?? ((h: tf.Tensor) => tf.scalar(1).sub(h.square())))(outputs.h));
    const bias = change.bias ?? ((g: tf.Tensor) => g.sum(0, true).transpose());
    return {
      Wy: (change.wy ?? ((g: tf.Tensor, h: tf.Tensor) => tf.matMul(g, h, true, false)))(ytildeGrad, outputs.h).div(N),
      Wh: tf.matMul(htildeGrad, outputs.X, true, false).div(N),
      by: bias(ytildeGrad).div(N),
      bh: bias(htildeGrad).div(N),
    } as Params;
  };
}

/** The mistakes made in backward; exported for the tests. */
export const backwardMistakes = {
  notDividedByBatch: backwardWith({ divide: false }),
  hInsteadOfTanhGrad: backwardWith({ tanhGrad: (h) => h }),
  oneMinusH: backwardWith({ tanhGrad: (h) => tf.scalar(1).sub(h) }),
  biasNotTransposed: backwardWith({ bias: (g) => g.sum(0, true) }),
  biasSummedOverFeatures: backwardWith({ bias: (g) => g.sum(1, true) }),
  wyTransposed: backwardWith({ wy: (g, h) => tf.matMul(h, g, true, false) }),
};

const BACKWARD_HINTS: Mistake<BackwardArgs>[] = [
  { mistake: backwardMistakes.notDividedByBatch, hint: "forgot to divide by the batch size N: the loss is a mean over the batch, so are its gradients" },
  { mistake: backwardMistakes.hInsteadOfTanhGrad, hint: "tanh′(h̃) = 1 − h²: multiply by (1 − h²), not by h" },
  { mistake: backwardMistakes.oneMinusH, hint: "tanh′(h̃) = 1 − h², squared: (1 − h²), not (1 − h)" },
  { mistake: backwardMistakes.biasNotTransposed, hint: "the sum over the batch keeps [1, n]: transpose it to the bias's shape [n, 1]" },
  { mistake: backwardMistakes.biasSummedOverFeatures, hint: "a bias gradient sums over the batch axis (0), then is transposed to [n, 1]" },
  { mistake: backwardMistakes.wyTransposed, hint: "∇Wy = ∇ỹᵀ·h has Wy's shape [ny, nh]: did you transpose?" },
];

const BACKWARD_ERRORS: ErrorHint[] = [
  { when: /inner (shapes|dimensions)|must match/i, hint: "∇h̃ = ∇ỹ·Wy: [N, ny]·[ny, nh], with no transpose on Wy; ∇W = ∇ᵀ·input" },
  { when: /broadcast/i, hint: "a shape does not fit: ∇ỹ is [N, ny], ∇h̃ and h are [N, nh]" },
];

/** The four gradients (the slide's formulas divided by N) against the reference, on batches of 8, 5 and 4. */
export function backward(student: Backward): Verdict {
  return compareWithReference("backward", student, backwardRef, backwardInputs, BACKWARD_HINTS, BACKWARD_ERRORS);
}

// ---------------------------------------------------------------------------
// sgd(params, grads, eta) → params

type Sgd = (params: Params, grads: Params, eta: number) => Params;
type SgdArgs = [Params, Params, number];

const ETAS = [0.1, 0.03, 0.5];

function sgdInputs(seed: number): SgdArgs {
  return [someParams(seed), someParams(seed + 100), ETAS[((seed % 3) + 3) % 3]];
}

/** The mistakes made in sgd; exported for the tests. */
export const sgdMistakes = {
  plus: ((p, g, eta) => ({ Wh: p.Wh.add(g.Wh.mul(eta)), bh: p.bh.add(g.bh.mul(eta)), Wy: p.Wy.add(g.Wy.mul(eta)), by: p.by.add(g.by.mul(eta)) })) as Sgd,
  noLearningRate: ((p, g) => ({ Wh: p.Wh.sub(g.Wh), bh: p.bh.sub(g.bh), Wy: p.Wy.sub(g.Wy), by: p.by.sub(g.by) })) as Sgd,
  biasesForgotten: ((p, g, eta) => ({ Wh: p.Wh.sub(g.Wh.mul(eta)), bh: p.bh, Wy: p.Wy.sub(g.Wy.mul(eta)), by: p.by })) as Sgd,
};

const SGD_HINTS: Mistake<SgdArgs>[] = [
  { mistake: sgdMistakes.plus, hint: "step against the gradient: θ ← θ − η∇θ (a + where − belongs)" },
  { mistake: sgdMistakes.noLearningRate, hint: "multiply each gradient by the learning rate η" },
  {
    when: (actual, _expected, [params]) => {
      const out = actual as Partial<Params>;
      return NAMES.some((k) => isTensor(out[k]) && allClose(numbers(out[k]!), numbers(params[k]), 0, 0));
    },
    hint: "a parameter came back unchanged: update all four (Wh, bh, Wy, by)",
  },
];

/** θ − η∇θ for the four parameters. */
export function sgd(student: Sgd): Verdict {
  return compareWithReference("sgd", student, sgdRef, sgdInputs, SGD_HINTS, []);
}

// ---------------------------------------------------------------------------
// trainStep(params, X, Y, eta) → { params, loss, accuracy }

type TrainStep = (params: Params, X: tf.Tensor2D, Y: tf.Tensor2D, eta: number) => StepResult;
type TrainStepArgs = [Params, tf.Tensor2D, tf.Tensor2D, number];

function trainStepInputs(seed: number): TrainStepArgs {
  const { X, Y } = someBatch(seed);
  return [someParams(seed), X, Y, ETAS[((seed % 3) + 3) % 3]];
}

/** The mistakes made in the loop's step; exported for the tests. */
export const trainStepMistakes = {
  oldParams: ((params, X, Y, eta) => ({ ...trainStepRef(params, X, Y, eta), params })) as TrainStep,
  lossAfterUpdate: ((params, X, Y, eta) => {
    const next = trainStepRef(params, X, Y, eta).params;
    const [loss, accuracy] = lossAccuracyRef(forwardRef(next, X)[0], Y);
    return { params: next, loss, accuracy };
  }) as TrainStep,
};

const TRAIN_STEP_HINTS: Mistake<TrainStepArgs>[] = [
  { mistake: trainStepMistakes.oldParams, hint: "params came back unchanged: return sgd's result (tfjs tensors are never changed in place)" },
  { mistake: trainStepMistakes.lossAfterUpdate, hint: "the loss and accuracy to return are this batch's before the update: take them from the forward you backpropagate" },
];

/** One step of the slide's loop: forward, lossAccuracy, backward, sgd. */
export function trainStep(student: TrainStep): Verdict {
  return compareWithReference("trainStep", student, trainStepRef, trainStepInputs, TRAIN_STEP_HINTS, [SHAPE_ERRORS]);
}

// ---------------------------------------------------------------------------
// autogradBackward(params, X, Y) → grads

type AutogradBackward = (params: Params, X: tf.Tensor2D, Y: tf.Tensor2D) => Params;
type AutogradArgs = [Params, tf.Tensor2D, tf.Tensor2D];

function autogradInputs(seed: number): AutogradArgs {
  const { X, Y } = someBatch(seed);
  return [someParams(seed), X, Y];
}

/** The mistakes made with tf.grads; exported for the tests. */
export const autogradMistakes = {
  /** Gradients unpacked in an order other than the one the tensors were passed in. */
  swapped: ((params, X, Y) => {
    const g = autogradBackwardRef(params, X, Y);
    return { Wh: g.Wy, bh: g.by, Wy: g.Wh, by: g.bh };
  }) as AutogradBackward,
  sumLoss: ((params, X, Y) => {
    const loss = (Wh: tf.Tensor, bh: tf.Tensor, Wy: tf.Tensor, by: tf.Tensor) => crossEntropyOf(forwardRef({ Wh, bh, Wy, by } as Params, X)[0], Y).sum().neg() as tf.Scalar;
    const [Wh, bh, Wy, by] = tf.grads(loss)([params.Wh, params.bh, params.Wy, params.by]);
    return { Wh, bh, Wy, by } as Params;
  }) as AutogradBackward,
};

const AUTOGRAD_HINTS: Mistake<AutogradArgs>[] = [
  { mistake: autogradMistakes.swapped, hint: "tf.grads returns the gradients in the order you passed the tensors: unpack them in that same order" },
  { mistake: autogradMistakes.sumLoss, hint: "differentiate the mean loss (lossAccuracy's), not a sum over the batch" },
];

const AUTOGRAD_ERRORS: ErrorHint[] = [
  {
    when: /not a function of|Cannot compute gradient|no connection|Cannot find a connection/i,
    hint: "tf.grads differentiates the function you give it: call forward inside it, on the tensors it receives, not on params from outside",
  },
  SHAPE_ERRORS,
];

/** Gradients from tfjs's autograd, compared with the slide's by-hand formulas. */
export function autogradBackward(student: AutogradBackward): Verdict {
  return compareWithReference("autogradBackward", student, autogradBackwardRef, autogradInputs, AUTOGRAD_HINTS, AUTOGRAD_ERRORS);
}

// ---------------------------------------------------------------------------
// modelAndLoss(nx, nh, ny) → { model, loss }

type ModelAndLoss = (nx: number, nh: number, ny: number) => { model: Sequential; loss: Module };

const kind = (m: unknown) => (m !== null && typeof m === "object" ? (m as object).constructor.name : typeof m);

function describeModel(layers: Module[]): string {
  return layers.map((l) => (l instanceof Linear ? `Linear(${l.inFeatures}, ${l.outFeatures})` : `${kind(l)}()`)).join(", ");
}

function architectureProblem(model: unknown, nx: number, nh: number, ny: number): Verdict | null {
  const name = "modelAndLoss";
  const layers = (model as { layers?: unknown }).layers;
  if (!Array.isArray(layers)) return { ok: false, message: `${name}: model is ${kind(model)}; expected an nn.Sequential`, hint: "new nn.Sequential(layer1, layer2, ...)" };
  const wanted = `Linear(${nx}, ${nh}), Tanh(), Linear(${nh}, ${ny})`;
  const got = describeModel(layers);
  if (got === wanted) return null;
  const message = `${name}: with nx=${nx}, nh=${nh}, ny=${ny} the model is Sequential(${got}); expected Sequential(${wanted})`;
  const last = layers[layers.length - 1];
  if (layers.length === 4 && (kind(last) === "Softmax" || kind(last) === "Sigmoid")) {
    return { ok: false, message, hint: "CrossEntropyLoss applies the softmax itself: end the model with the last Linear (it outputs logits)" };
  }
  if (layers.length === 3 && kind(layers[1]) !== "Tanh") return { ok: false, message, hint: "the slide's activation is tanh: new nn.Tanh()" };
  if (layers.length === 3 && layers[0] instanceof Linear && layers[2] instanceof Linear) {
    return { ok: false, message, hint: "Linear(in, out): nx → nh, then nh → ny (each layer's in is the previous one's out)" };
  }
  return { ok: false, message, hint: "Linear, Tanh, Linear: the slide's network as three modules" };
}

/** Sequential(Linear(nx, nh), Tanh(), Linear(nh, ny)) and nn.CrossEntropyLoss. */
export function modelAndLoss(student: ModelAndLoss): Verdict {
  const name = "modelAndLoss";
  let verdict: Verdict | null = null;
  try {
    for (const [nx, nh, ny] of [[LAB.nx, LAB.nh, LAB.ny], [3, 5, 6]]) {
      const { model, loss } = student(nx, nh, ny);
      try {
        verdict = architectureProblem(model, nx, nh, ny);
        if (!verdict && kind(loss) !== "CrossEntropyLoss") {
          verdict = {
            ok: false,
            message: `${name}: loss is ${kind(loss)}; expected nn.CrossEntropyLoss`,
            hint: kind(loss) === "NLLLoss" ? "NLLLoss wants log-probabilities; the model gives logits: CrossEntropyLoss" : "the slide's loss is new nn.CrossEntropyLoss()",
          };
        }
      } finally {
        model?.dispose?.();
      }
      if (verdict) break;
    }
  } catch (err) {
    return report(verdictForThrow(name, err));
  }
  return report(verdict ?? { ok: true, message: `${name}: Sequential(Linear(nx, nh), Tanh(), Linear(nh, ny)) and CrossEntropyLoss` });
}

// ---------------------------------------------------------------------------
// Steps that update a model: manualStep (part 3) and optimizerStep (part 4).

function labModel(seed: number): Sequential {
  const { nx, nh, ny } = LAB;
  return new Sequential(new Linear(nx, nh, { seed }), new Tanh(), new Linear(nh, ny, { seed: seed + 2 }));
}

/**
 * Runs a step that updates a model (the student's, then the reference's on
 * an identical model) and compares the loss returned and the parameters
 * after; also that the step leaves no tensor behind.
 */
function compareModelSteps(
  name: string,
  studentStep: (model: Sequential, X: tf.Tensor2D, Y: tf.Tensor2D) => tf.Scalar,
  referenceStep: (model: Sequential, X: tf.Tensor2D, Y: tf.Tensor2D) => tf.Scalar,
  errorHints: ErrorHint[],
): Verdict {
  const mine = labModel(7);
  const theirs = labModel(7);
  const { X, Y } = tf.tidy(() => someBatch(0));
  try {
    const before = tf.memory().numTensors;
    let loss: unknown;
    try {
      loss = studentStep(mine, X, Y);
    } catch (err) {
      return report(verdictForThrow(name, err, errorHints));
    }
    if (!isTensor(loss) || loss.rank !== 0) {
      return report({ ok: false, message: `${name} returned ${isTensor(loss) ? `a tensor of shape ${showShape(loss.shape)}` : typeof loss}; expected the batch's loss, a tf.Scalar` });
    }
    const leaked = tf.memory().numTensors - before - 1;
    const expected = referenceStep(theirs, X, Y);
    const [got, want] = [loss.dataSync()[0], expected.dataSync()[0]];
    tf.dispose([loss, expected]);
    const afterStudent = mine.namedParameters();
    const afterReference = new Map(theirs.namedParameters());
    const start = new Map(labModel(7).namedParameters().map(([k, p]) => [k, numbers(p)] as [string, number[]]));
    const unchanged = afterStudent.filter(([k, p]) => allClose(numbers(p), start.get(k)!, 0, 0)).map(([k]) => k);
    const wrong = afterStudent.find(([k, p]) => !allClose(numbers(p), numbers(afterReference.get(k)!), 1e-4, 1e-6));
    if (wrong) {
      const [k, p] = wrong;
      const [a, s, r] = [numbers(p), start.get(k)!, numbers(afterReference.get(k)!)];
      const step = a.map((v, i) => v - s[i]);
      const wanted = r.map((v, i) => v - s[i]);
      let hint = "each parameter moves by −η·(its gradient)";
      if (unchanged.length === afterStudent.length) hint = "no parameter changed: assign the update to each one (p.assign(...))";
      else if (unchanged.length) hint = `${unchanged.join(", ")} did not change: update every tensor in model.parameters()`;
      else if (allClose(step, wanted.map((v) => -v), 1e-3, 1e-6)) hint = "step against the gradient: p − η·g (a + where − belongs)";
      else if (allClose(step.map((v) => v * 0.1), wanted, 1e-3, 1e-6)) hint = "multiply each gradient by the learning rate η";
      return report({ ok: false, message: `${name}: after one step, parameter ${k} differs from the reference`, hint });
    }
    if (Math.abs(got - want) > 1e-5 + 1e-4 * Math.abs(want)) {
      return report({ ok: false, message: `${name} returned loss ${got.toPrecision(5)}; expected ${want.toPrecision(5)}`, hint: "return the loss of this batch before the update (the value tf.variableGrads gives)" });
    }
    if (leaked > 0) {
      return report({
        ok: false,
        message: `${name}: each call leaves ${leaked} tensor${leaked === 1 ? "" : "s"} behind`,
        hint: "free the gradients (tf.dispose(grads)) and wrap the update in tf.tidy",
      });
    }
    return report({ ok: true, message: `${name}: one step updates every parameter like the reference, returns the loss, leaks nothing` });
  } finally {
    mine.dispose();
    theirs.dispose();
    tf.dispose([X, Y]);
  }
}

type ManualStep = (model: Sequential, loss: CrossEntropyLoss, X: tf.Tensor2D, Y: tf.Tensor2D, eta: number) => tf.Scalar;

/** The mistakes made in the manual update; exported for the tests. */
export const manualStepMistakes = {
  plus: ((model, loss, X, Y, eta) => manualStepRef(model, loss, X, Y, -eta)) as ManualStep,
  weightsOnly: ((model, loss, X, Y, eta) => {
    const { value, grads } = tf.variableGrads(() => loss.forward(model.forward(X), Y) as tf.Scalar, model.parameters());
    tf.tidy(() => {
      for (const [name, p] of model.namedParameters()) if (name.endsWith("weight")) p.assign(p.sub(grads[p.name].mul(eta)));
    });
    tf.dispose(grads);
    return value;
  }) as ManualStep,
  gradientsKept: ((model, loss, X, Y, eta) => {
    const { value, grads } = tf.variableGrads(() => loss.forward(model.forward(X), Y) as tf.Scalar, model.parameters());
    tf.tidy(() => {
      for (const p of model.parameters()) p.assign(p.sub(grads[p.name].mul(eta)));
    });
    return value;
  }) as ManualStep,
};

const MODEL_STEP_ERRORS: ErrorHint[] = [
  {
    when: /connection between|not a function of|Cannot compute gradient|varList/i,
    hint: "compute the loss inside the function you give tfjs (model.forward and loss.forward both in it), so it can trace the loss back to the parameters",
  },
];

/** The `with torch.no_grad(): param -= eta * param.grad` loop: tf.variableGrads, then p.assign for each parameter. */
export function manualStep(student: ManualStep, eta = 0.1): Verdict {
  const loss = new CrossEntropyLoss();
  return compareModelSteps(
    "manualStep",
    (m, X, Y) => recognisingStubs(student)(m, loss, X, Y, eta),
    (m, X, Y) => manualStepRef(m, loss, X, Y, eta),
    MODEL_STEP_ERRORS,
  );
}

type MakeOptimizer = (model: Sequential, eta: number) => Optimizer;
type OptimizerStep = (model: Sequential, loss: CrossEntropyLoss, optimizer: Optimizer, X: tf.Tensor2D, Y: tf.Tensor2D) => tf.Scalar;

/** optim.SGD over model.parameters() with lr η, and one optimizer.step computing the loss inside its function. */
export function optimizer(makeOptimizer: MakeOptimizer, optimizerStep: OptimizerStep, eta = 0.1): Verdict {
  const name = "optimizer";
  const probe = labModel(3);
  try {
    const opt = recognisingStubs(makeOptimizer)(probe, eta);
    if (!(opt instanceof Optimizer) && typeof (opt as { step?: unknown })?.step !== "function") {
      return report({ ok: false, message: `${name}: makeOptimizer returned ${kind(opt)}; expected an optimizer (new optim.SGD(...))` });
    }
    if (kind(opt) !== "SGD") {
      return report({ ok: false, message: `${name}: makeOptimizer made ${kind(opt)}; expected SGD`, hint: "the slide's optimizer is plain SGD: new optim.SGD(model.parameters(), { lr: eta })" });
    }
    if (Math.abs(opt.lr - eta) > 1e-12) {
      return report({ ok: false, message: `${name}: makeOptimizer(model, ${eta}) has lr ${opt.lr}; expected ${eta}`, hint: "pass the learning rate: { lr: eta }" });
    }
    if (opt.params.length !== probe.parameters().length || opt.params.some((p, i) => p !== probe.parameters()[i])) {
      return report({ ok: false, message: `${name}: the optimizer does not hold the model's ${probe.parameters().length} parameters`, hint: "give it model.parameters(): the tensors it is to update" });
    }
    opt.dispose();
  } catch (err) {
    return report(verdictForThrow(name, err));
  } finally {
    probe.dispose();
  }
  const loss = new CrossEntropyLoss();
  return compareModelSteps(
    "optimizerStep",
    (m, X, Y) => {
      const opt = recognisingStubs(makeOptimizer)(m, eta);
      try {
        return recognisingStubs(optimizerStep)(m, loss, opt, X, Y);
      } finally {
        opt.dispose();
      }
    },
    (m, X, Y) => optimizerStepRef(m, loss, makeOptimizerRef(m, eta), X, Y),
    MODEL_STEP_ERRORS,
  );
}

// ---------------------------------------------------------------------------
// The four stages' results, and the check that they agree.

export interface StageResult {
  /** Mean batch loss and accuracy of each epoch. */
  curves: { loss: number[]; accuracy: number[] };
  /** Class probabilities [N, ny] of the trained network. */
  predict: (X: tf.Tensor2D) => tf.Tensor;
  /** On the whole training set, after the last epoch. */
  loss: number;
  accuracy: number;
}

/**
 * What each stage's training produced, kept apart from the cells that train
 * so that the charts below a failed (or unfinished) stage say why they are
 * empty instead of failing on a missing name.
 */
export class Stages {
  private readonly results = new Map<string, StageResult>();

  set(stage: string, result: StageResult): void {
    this.results.set(stage, result);
  }

  /** The stage's result; throws a NotImplementedError when that stage has not finished training. */
  get(stage: string): StageResult {
    const result = this.results.get(stage);
    if (!result) {
      const err = new NotImplementedError(`the training of stage "${stage}"`);
      err.message = `stage "${stage}" has no results yet: its training cell did not run to the end (a TODO it uses is not implemented yet?)`;
      throw err;
    }
    return result;
  }

  has(stage: string): boolean {
    return this.results.has(stage);
  }

  get names(): string[] {
    return [...this.results.keys()];
  }
}

/** Every stage trained to ≥ minAccuracy, and all reach the same final loss within `tolerance`. */
export function stagesAgree(stages: Stages, names: string[], minAccuracy = 0.95, tolerance = 1e-3): Verdict {
  const name = "the four stages";
  let results: StageResult[];
  try {
    results = names.map((n) => stages.get(n));
  } catch (err) {
    return report(verdictForThrow(name, err));
  }
  const low = names.findIndex((_, i) => !(results[i].accuracy >= minAccuracy));
  if (low >= 0) {
    return report({
      ok: false,
      message: `${name}: "${names[low]}" reaches ${(100 * results[low].accuracy).toFixed(1)}% training accuracy; expected ≥ ${100 * minAccuracy}%`,
      hint: "the stages above it passed their checks? then compare its loop with stage 1's",
    });
  }
  const losses = results.map((r) => r.loss);
  const spread = Math.max(...losses) - Math.min(...losses);
  if (!(spread <= tolerance)) {
    const far = losses.map((l) => Math.abs(l - losses[0])).reduce((best, d, i, all) => (d > all[best] ? i : best), 0);
    return report({
      ok: false,
      message: `${name}: final losses differ by ${spread.toExponential(1)} ("${names[0]}" ${losses[0].toFixed(5)}, "${names[far]}" ${losses[far].toFixed(5)}); expected within ${tolerance}`,
      hint: "same seed, same starting weights, same batches, same η: which of these differs in that stage?",
    });
  }
  return report({ ok: true, message: `${name} agree: final losses within ${spread.toExponential(1)}, accuracy ≥ ${100 * minAccuracy}% in each` });
}
