/**
 * Lab 1's checks: the slides' one-hidden-layer MLP (lecture 1's practical).
 * A check prints one line and returns the Verdict.
 *
 *   check.assertOk(check.lab1.initParams(initParams));
 *   // ✘ initParams: bh has shape [1,4]; the slide uses [nh,1] = [4,1] — did you transpose?
 *
 * Each function check runs a probe (seeded inputs in, outputs out) and
 * compares with the outputs recorded at release (`checkRecorded`), after
 * the property checks that need no reference (shapes, a scalar loss,
 * parameters left unchanged). The hidden tests record the same probes on
 * the grading seed: `check.record("forward", (seed) => check.lab1.probes.forward.run(forward, seed))`.
 *
 * Shapes follow the slides: X [N, nx] (one example per row), Wh [nh, nx],
 * bh [nh, 1], Wy [ny, nh], by [ny, 1]; yhat [N, ny].
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { CrossEntropyLoss, Linear, Module, Sequential, Tanh } from "../../nn";
import { withManualSeed } from "../../nn/random";
import { Optimizer } from "../../optim";
import { checkRecorded } from "../checkRecorded";
import { shapeHint } from "../hints";
import type { ErrorHint, Probe } from "../probe";
import { isTensor, randn, tensorsLeftBy, withModule } from "../probeHelpers";
import { Results } from "../results";
import { thrown } from "../thrown";
import { report, Verdict } from "../verdict";
import { allClose, showShape } from "../values";

/** The slide's four parameters: Wh [nh, nx], bh [nh, 1], Wy [ny, nh], by [ny, 1]. */
export type Params = { Wh: tf.Tensor2D; bh: tf.Tensor2D; Wy: tf.Tensor2D; by: tf.Tensor2D };
/** Forward's cache, one row per example: X [N, nx], h̃ and h = tanh(h̃) [N, nh], ỹ and ŷ = softmax(ỹ) [N, ny]. */
export type Outputs = { X: tf.Tensor2D; htilde: tf.Tensor2D; h: tf.Tensor2D; ytilde: tf.Tensor2D; yhat: tf.Tensor2D };
/** What one training step returns: the updated parameters, and the batch's loss and accuracy before the update. */
export type StepResult = { params: Params; loss: tf.Scalar; accuracy: tf.Scalar };

/** Part 1's `initParams(nx, nh, ny, seed)`: weights randn·0.3, zero biases, drawn from `seed`. */
export type InitParams = (nx: number, nh: number, ny: number, seed: number) => Params;
/** Part 1's `forward(params, X)`: X [N, nx] → [ŷ [N, ny], the cache]. */
export type Forward = (params: Params, X: tf.Tensor2D) => [tf.Tensor2D, Outputs];
/** Part 1's `lossAccuracy(Ŷ, Y)`: predictions and one-hot targets [N, ny] → [mean cross-entropy, accuracy], both scalars. */
export type LossAccuracy = (Yhat: tf.Tensor2D, Y: tf.Tensor2D) => [tf.Scalar, tf.Scalar];
/** Part 1's `backward(params, outputs, Y)`: the four gradients of the mean loss, shaped like the parameters. */
export type Backward = (params: Params, outputs: Outputs, Y: tf.Tensor2D) => Params;
/** Part 1's `sgd(params, grads, eta)`: θ − η∇θ for each parameter. */
export type Sgd = (params: Params, grads: Params, eta: number) => Params;
/** Part 1's `trainStep(params, X, Y, eta)`: forward, lossAccuracy, backward and sgd on one batch. */
export type TrainStep = (params: Params, X: tf.Tensor2D, Y: tf.Tensor2D, eta: number) => StepResult;
/** Part 2's `autogradBackward(params, X, Y)`: the four gradients from tfjs's autograd instead of the formulas. */
export type AutogradBackward = (params: Params, X: tf.Tensor2D, Y: tf.Tensor2D) => Params;
/** Part 3's `modelAndLoss(nx, nh, ny)`: Sequential(Linear, Tanh, Linear) and nn.CrossEntropyLoss. */
export type ModelAndLoss = (nx: number, nh: number, ny: number) => { model: Sequential; loss: Module };
/** Part 3's `manualStep(model, loss, X, Y, eta)`: one step updating the model's parameters by hand; returns the loss. */
export type ManualStep = (
  model: Sequential,
  loss: CrossEntropyLoss,
  X: tf.Tensor2D,
  Y: tf.Tensor2D,
  eta: number,
) => tf.Scalar;
/** Part 4's `makeOptimizer(model, eta)`: an optim.SGD over the model's parameters. */
export type MakeOptimizer = (model: Sequential, eta: number) => Optimizer;
/** Part 4's `optimizerStep(model, loss, optimizer, X, Y)`: one `optimizer.step`; returns the loss. */
export type OptimizerStep = (
  model: Sequential,
  loss: CrossEntropyLoss,
  optimizer: Optimizer,
  X: tf.Tensor2D,
  Y: tf.Tensor2D,
) => tf.Scalar;
/** Part 4's two functions, checked together. */
export type OptimizerFunctions = { makeOptimizer: MakeOptimizer; optimizerStep: OptimizerStep };
/** The functions the four stages train with. */
export type StageFunctions = {
  trainStep: TrainStep;
  forward: Forward;
  lossAccuracy: LossAccuracy;
  autogradBackward: AutogradBackward;
  sgd: Sgd;
  manualStep: ManualStep;
  makeOptimizer: MakeOptimizer;
  optimizerStep: OptimizerStep;
};

const LAB_NAME = "lab1-mlp";
const NAMES = ["Wh", "bh", "Wy", "by"] as const;

// ---------------------------------------------------------------------------
// Seeded inputs shaped like the lab's: nx = 2, nh = 4, ny = 2.

const LAB = { nx: 2, nh: 4, ny: 2 };
/** Batch sizes of the cases: 4 = nh, so a bias added untransposed broadcasts silently there. */
const BATCHES = [8, 5, 4];
const batchOf = (seed: number) => BATCHES[((seed % BATCHES.length) + BATCHES.length) % BATCHES.length];
/** Learning rates of the sgd and trainStep cases. */
const ETAS = [0.1, 0.03, 0.5];
const etaOf = (seed: number) => ETAS[((seed % ETAS.length) + ETAS.length) % ETAS.length];
/** The learning rate of the steps that update a model (parts 3 and 4). */
const MODEL_ETA = 0.1;

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
  const labels = Array.from({ length: n }, (_, i) =>
    i === 0 ? 0 : i === 1 ? 1 : Math.abs(Math.round(Math.sin(seed * 31 + i * 7) * 1000)) % LAB.ny,
  );
  return tf.oneHot(tf.tensor1d(labels, "int32"), LAB.ny).toFloat() as tf.Tensor2D;
}

function someBatch(seed: number, n = batchOf(seed)): { X: tf.Tensor2D; Y: tf.Tensor2D } {
  return { X: randn([n, LAB.nx], seed + 21) as tf.Tensor2D, Y: someTargets(n, seed) };
}

/** The slide's network from lib's own layers, with the weights of `params` (the notebook's loadSlideParams). */
function labModel(params: Params): Sequential {
  const { nx, nh, ny } = LAB;
  const model = new Sequential(new Linear(nx, nh, { seed: 1 }), new Tanh(), new Linear(nh, ny, { seed: 2 }));
  tf.tidy(() =>
    model.loadStateDict({
      "0.weight": params.Wh,
      "0.bias": params.bh.reshape([-1]),
      "2.weight": params.Wy,
      "2.bias": params.by.reshape([-1]),
    }),
  );
  return model;
}

/** labModel with the weights of someParams(seed), which it frees. */
function seededModel(seed: number): Sequential {
  const params = someParams(seed);
  try {
    return labModel(params);
  } finally {
    tf.dispose(Object.values(params));
  }
}

/** A model's parameters by name, copied out: they outlive the model, which the probe disposes. */
function parametersOf(model: Module): Record<string, tf.Tensor> {
  return Object.fromEntries(model.namedParameters().map(([k, p]) => [k, p.clone()]));
}

// ---------------------------------------------------------------------------
// What the checks share.

const kind = (m: unknown) => (m !== null && typeof m === "object" ? (m as object).constructor.name : typeof m);

function numbers(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

// ---------------------------------------------------------------------------
// initParams(nx, nh, ny, seed): a property check (the draw is the student's own).

/** Seeds the check draws with: tf.randomNormal takes a seed of 0 as no seed at all, so never 0. */
const SEED = 42;

const SLIDE_DIMS: Record<(typeof NAMES)[number], [string, string]> = {
  Wh: ["nh", "nx"],
  bh: ["nh", "1"],
  Wy: ["ny", "nh"],
  by: ["ny", "1"],
};

function shapeOf(name: (typeof NAMES)[number], nx: number, nh: number, ny: number): number[] {
  const size: Record<string, number> = { nx, nh, ny, "1": 1 };
  return SLIDE_DIMS[name].map((d) => size[d]);
}

function paramsProblem(what: string, value: unknown, sizes: [number, number, number], intro = ""): Verdict | null {
  if (value === null || typeof value !== "object")
    return {
      ok: false,
      message: `${what} returned ${value === undefined ? "undefined" : typeof value}; expected an object { Wh, bh, Wy, by }`,
    };
  const record = value as Record<string, unknown>;
  const missing = NAMES.filter((k) => !isTensor(record[k]));
  if (missing.length) {
    return {
      ok: false,
      message: `${what} returned no tensor under ${missing.join(", ")}; expected { Wh, bh, Wy, by }`,
      hint: "name the four tensors exactly as the slide does",
    };
  }
  for (const k of NAMES) {
    const actual = (record[k] as tf.Tensor).shape;
    const expected = shapeOf(k, ...sizes);
    if (!tf.util.arraysEqual(actual, expected)) {
      const dims = SLIDE_DIMS[k];
      const hint =
        dims[1] === "1" && actual.length === 1
          ? "the slide keeps biases as columns: add the size-1 axis"
          : shapeHint(actual, expected);
      return {
        ok: false,
        message: `${what}: ${intro}${k} has shape ${showShape(actual)}; the slide uses [${dims.join(",")}] = ${showShape(expected)}`,
        hint,
      };
    }
    if ((record[k] as tf.Tensor).dtype !== "float32") {
      return {
        ok: false,
        message: `${what}: ${k} has dtype ${(record[k] as tf.Tensor).dtype}; expected float32`,
        hint: "use tf.zeros / tf.randomNormal, which make float32",
      };
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
      hint: 'tf.randomNormal(shape, mean, stdDev): 0.3 went in as the mean; write tf.randomNormal(shape, 0, 1, "float32", seed).mul(0.3)',
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
    return {
      ok: false,
      message: `initParams: ${name}'s values have std ${s.toFixed(2)}; expected 0.3`,
      hint: "randn·0.3: did you forget the × 0.3?",
    };
  }
  if (Math.abs(s - 0.3) > 0.05 || Math.abs(m) > 0.05) {
    return {
      ok: false,
      message: `initParams: ${name}'s values have mean ${m.toFixed(2)} and std ${s.toFixed(2)}; expected mean 0, std 0.3`,
      hint: "draw with tf.randomNormal and multiply by 0.3",
    };
  }
  return null;
}

const sameNumbers = (a: tf.Tensor, b: tf.Tensor) => allClose(numbers(a), numbers(b), 0, 0);

/** Wh's and Wy's first numbers are the same: one seed drew both. */
function sameDraw(p: Params): boolean {
  const [wh, wy] = [numbers(p.Wh), numbers(p.Wy)];
  const n = Math.min(wh.length, wy.length);
  return allClose(wh.slice(0, n), wy.slice(0, n), 0, 0);
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
          verdict = {
            ok: false,
            message: `${name}: ${k} is not all zeros`,
            hint: `the slide starts the biases at zero: tf.zeros([${SLIDE_DIMS[k].join(", ")}])`,
          };
          return;
        }
      }
      const big = student(60, 80, 70, SEED);
      for (const k of ["Wh", "Wy"] as const) {
        verdict = drawProblem(k, numbers(big[k]));
        if (verdict) return;
      }
      const again = student(nx, nh, ny, SEED);
      if (!sameNumbers(again.Wh, first.Wh) || !sameNumbers(again.Wy, first.Wy)) {
        verdict = {
          ok: false,
          message: `${name}: two calls with seed ${SEED} gave different weights`,
          hint: 'pass the seed to tf.randomNormal(shape, 0, 1, "float32", seed) (and not 0, which tf.randomNormal takes as no seed): the four stages must start from the same weights',
        };
        return;
      }
      if (sameNumbers(student(nx, nh, ny, SEED + 1).Wh, first.Wh)) {
        verdict = {
          ok: false,
          message: `${name}: seeds ${SEED} and ${SEED + 1} gave the same weights`,
          hint: "the seed argument is ignored: pass it on to tf.randomNormal",
        };
        return;
      }
      if (sameDraw(big)) {
        verdict = {
          ok: false,
          message: `${name}: Wh and Wy start with the same numbers`,
          hint: "the same seed draws the same numbers: give each its own (seed for Wh, seed + 1 for Wy)",
        };
      }
    });
  } catch (err) {
    return report(thrown(name, err));
  }
  return report(
    verdict ?? {
      ok: true,
      message: `${name}: shapes [nh,nx], [nh,1], [ny,nh], [ny,1], zero biases, weights ~ N(0, 0.3²), seeded`,
    },
  );
}

/**
 * For the hidden test: what the property check looks at, as data (the draw
 * itself is the student's choice of seeds, so its numbers are not compared):
 * shapes, dtypes, the largest bias, the weights' mean and std to one
 * decimal, and whether the seed is used.
 */
const initParamsProbe: Probe<InitParams> = {
  lab: LAB_NAME,
  name: "initParams",
  run: (initParams, seed) => {
    const { nx, nh, ny } = LAB;
    const shapes = (p: Params) => Object.fromEntries(NAMES.map((k) => [k, p[k].shape]));
    const first = initParams(nx, nh, ny, seed);
    const big = initParams(60, 80, 70, seed);
    const oneDecimal = (x: number) => Math.round(x * 10) / 10 + 0;
    // Sizes drawn from the seed, so that no record of another seed answers this one.
    const [sx, sh, sy] = [1 + (seed % 7), 1 + (seed % 11), 2 + (seed % 5)];
    return {
      shapes: shapes(first),
      shapesWithSeededSizes: { sizes: [sx, sh, sy], shapes: shapes(initParams(sx, sh, sy, seed)) },
      dtypes: NAMES.map((k) => first[k].dtype),
      largestBias: Math.max(...numbers(first.bh).map(Math.abs), ...numbers(first.by).map(Math.abs)),
      weights: Object.fromEntries(
        (["Wh", "Wy"] as const).map((k) => [
          k,
          { mean: oneDecimal(mean(numbers(big[k]))), std: oneDecimal(std(numbers(big[k]))) },
        ]),
      ),
      sameSeedSameWeights: sameNumbers(initParams(nx, nh, ny, seed).Wh, first.Wh),
      nextSeedOtherWeights: !sameNumbers(initParams(nx, nh, ny, seed + 1).Wh, first.Wh),
      whAndWyDrawnApart: !sameDraw(big),
    };
  },
};

// ---------------------------------------------------------------------------
// forward(params, X) → [yhat, outputs]

/** yhat and the cache on a batch of 8, 5 or 4 (by seed), and yhat on a single example. */
const forwardProbe: Probe<Forward> = {
  lab: LAB_NAME,
  name: "forward",
  run: (forward, seed) => {
    const params = someParams(seed);
    const [yhat, cache] = forward(params, randn([batchOf(seed), LAB.nx], seed + 31) as tf.Tensor2D);
    const [yhatOfOne] = forward(params, randn([1, LAB.nx], seed + 32) as tf.Tensor2D);
    return { yhat, cache, yhatOfOne };
  },
  errorHints: [
    { when: /broadcast/i, hint: "bh is a column [nh,1]: add bhᵀ ([1,nh]) so that it broadcasts over the batch rows" },
    {
      when: /inner (shapes|dimensions)|must match/i,
      hint: "X is [N, nx] and Wh is [nh, nx]: htilde = X·Whᵀ (tf.matMul(X, Wh, false, true))",
    },
    {
      when: /is not iterable|undefined is not a function/i,
      hint: "return [yhat, { X, htilde, h, ytilde, yhat }]: the prediction and the cache",
    },
  ],
};

/** yhat and the cache { X, htilde, h, ytilde, yhat } against the slide's forward, on batches of 5, 4 and 8 and of one example. */
export function forward(student: Forward): Verdict {
  return checkRecorded(forwardProbe, student);
}

// ---------------------------------------------------------------------------
// lossAccuracy(Yhat, Y) → [loss, accuracy]

function lossInputs(seed: number): [tf.Tensor2D, tf.Tensor2D] {
  const n = batchOf(seed);
  return [tf.softmax(randn([n, LAB.ny], seed + 41, 2)) as tf.Tensor2D, someTargets(n, seed)];
}

/** On random predictions of a batch of 8, 5 or 4, and on nearly perfect ones (loss near 0, accuracy 1). */
const lossAccuracyProbe: Probe<LossAccuracy, { loss: unknown; accuracy: unknown; nearlyPerfect: unknown }> = {
  lab: LAB_NAME,
  name: "lossAccuracy",
  run: (lossAccuracy, seed) => {
    const [Yhat, Y] = lossInputs(seed);
    const random = lossAccuracy(Yhat, Y);
    const nearlyPerfect = lossAccuracy(Y.mul(0.998).add(0.001) as tf.Tensor2D, Y);
    return {
      loss: random[0],
      accuracy: random[1],
      nearlyPerfect: { loss: nearlyPerfect[0], accuracy: nearlyPerfect[1] },
    };
  },
};

/** loss = −mean Σ y log ŷ and accuracy as a fraction, both tf.Scalar (part 2 differentiates the loss). */
export function lossAccuracy(student: LossAccuracy): Verdict {
  const name = "lossAccuracy";
  return checkRecorded(lossAccuracyProbe, student, {
    inspect: ({ loss, accuracy }) => {
      if (loss === undefined || accuracy === undefined)
        return { ok: false, message: `${name} returned no [loss, accuracy] pair` };
      if (!isTensor(loss))
        return {
          ok: false,
          message: `${name}: the loss is ${typeof loss}, not a tensor`,
          hint: "keep the loss a tf.Scalar (no dataSync): part 2 differentiates it",
        };
      if (loss.rank !== 0)
        return {
          ok: false,
          message: `${name}: the loss has shape ${showShape(loss.shape)}; expected a scalar []`,
          hint: "sum over the classes, then mean over the batch: one number",
        };
      return null;
    },
  });
}

// ---------------------------------------------------------------------------
// backward(params, outputs, Y) → grads

/**
 * The cache is a random stand-in shaped like forward's (h = tanh(h̃),
 * ŷ = softmax(ỹ) for random h̃, ỹ): backward's formulas read only the
 * cache, so they need not come from these parameters.
 */
function backwardInputs(seed: number): [Params, Outputs, tf.Tensor2D] {
  const params = someParams(seed);
  const { X, Y } = someBatch(seed);
  const n = X.shape[0];
  const htilde = randn([n, LAB.nh], seed + 51) as tf.Tensor2D;
  const ytilde = randn([n, LAB.ny], seed + 52, 2) as tf.Tensor2D;
  return [params, { X, htilde, h: tf.tanh(htilde), ytilde, yhat: tf.softmax(ytilde) }, Y];
}

const backwardProbe: Probe<Backward> = {
  lab: LAB_NAME,
  name: "backward",
  run: (backward, seed) => backward(...backwardInputs(seed)),
  errorHints: [
    {
      when: /inner (shapes|dimensions)|must match/i,
      hint: "∇h̃ = ∇ỹ·Wy: [N, ny]·[ny, nh], with no transpose on Wy; ∇W = ∇ᵀ·input",
    },
    { when: /broadcast/i, hint: "a shape does not fit: ∇ỹ is [N, ny], ∇h̃ and h are [N, nh]" },
  ],
};

/** The four gradients (the slide's formulas divided by N) against the reference, on batches of 5, 4 and 8. */
export function backward(student: Backward): Verdict {
  return checkRecorded(backwardProbe, student);
}

// ---------------------------------------------------------------------------
// sgd(params, grads, eta) → params

function sgdInputs(seed: number): [Params, Params, number] {
  return [someParams(seed), someParams(seed + 100), etaOf(seed)];
}

const sgdProbe: Probe<Sgd, Partial<Params>> = {
  lab: LAB_NAME,
  name: "sgd",
  run: (sgd, seed) => sgd(...sgdInputs(seed)),
};

/** θ − η∇θ for the four parameters. */
export function sgd(student: Sgd): Verdict {
  return checkRecorded(sgdProbe, student, {
    inspect: (out, seed) => {
      const [params] = sgdInputs(seed);
      const unchanged = NAMES.filter((k) => isTensor(out[k]) && sameNumbers(out[k]!, params[k]));
      if (!unchanged.length) return null;
      return {
        ok: false,
        message: `sgd: ${unchanged.join(", ")} came back unchanged`,
        hint: "a parameter came back unchanged: update all four (Wh, bh, Wy, by)",
      };
    },
  });
}

// ---------------------------------------------------------------------------
// trainStep(params, X, Y, eta) → { params, loss, accuracy }

/** One step on a batch of 8, 5 or 4 with η 0.1, 0.03 or 0.5 (by seed). */
const trainStepProbe: Probe<TrainStep> = {
  lab: LAB_NAME,
  name: "trainStep",
  run: (trainStep, seed) => {
    const { X, Y } = someBatch(seed);
    return trainStep(someParams(seed), X, Y, etaOf(seed));
  },
};

/** One step of the slide's loop: forward, lossAccuracy, backward, sgd. */
export function trainStep(student: TrainStep): Verdict {
  return checkRecorded(trainStepProbe, student);
}

// ---------------------------------------------------------------------------
// autogradBackward(params, X, Y) → grads

const autogradBackwardProbe: Probe<AutogradBackward> = {
  lab: LAB_NAME,
  name: "autogradBackward",
  run: (autogradBackward, seed) => {
    const { X, Y } = someBatch(seed);
    return autogradBackward(someParams(seed), X, Y);
  },
  errorHints: [
    {
      when: /not a function of|Cannot compute gradient|no connection|Cannot find a connection/i,
      hint: "tf.grads differentiates the function you give it: call forward inside it, on the tensors it receives, not on params from outside",
    },
  ],
};

/** Gradients from tfjs's autograd, compared with the slide's by-hand formulas. */
export function autogradBackward(student: AutogradBackward): Verdict {
  return checkRecorded(autogradBackwardProbe, student);
}

// ---------------------------------------------------------------------------
// modelAndLoss(nx, nh, ny) → { model, loss }

function describeModel(model: unknown): string[] {
  const layers = (model as { layers?: unknown } | undefined)?.layers;
  if (!Array.isArray(layers)) return [kind(model)];
  return layers.map((l) => (l instanceof Linear ? `Linear(${l.inFeatures}, ${l.outFeatures})` : `${kind(l)}()`));
}

function architectureProblem(model: unknown, nx: number, nh: number, ny: number): Verdict | null {
  const name = "modelAndLoss";
  const layers = (model as { layers?: unknown }).layers;
  if (!Array.isArray(layers))
    return {
      ok: false,
      message: `${name}: model is ${kind(model)}; expected an nn.Sequential`,
      hint: "new nn.Sequential(layer1, layer2, ...)",
    };
  const wanted = `Linear(${nx}, ${nh}), Tanh(), Linear(${nh}, ${ny})`;
  const got = describeModel(model).join(", ");
  if (got === wanted) return null;
  const message = `${name}: with nx=${nx}, nh=${nh}, ny=${ny} the model is Sequential(${got}); expected Sequential(${wanted})`;
  const last = layers[layers.length - 1];
  if (layers.length === 4 && (kind(last) === "Softmax" || kind(last) === "Sigmoid")) {
    return {
      ok: false,
      message,
      hint: "CrossEntropyLoss applies the softmax itself: end the model with the last Linear (it outputs logits)",
    };
  }
  if (layers.length === 3 && kind(layers[1]) !== "Tanh")
    return { ok: false, message, hint: "the slide's activation is tanh: new nn.Tanh()" };
  if (layers.length === 3 && layers[0] instanceof Linear && layers[2] instanceof Linear) {
    return {
      ok: false,
      message,
      hint: "Linear(in, out): nx → nh, then nh → ny (each layer's in is the previous one's out)",
    };
  }
  return { ok: false, message, hint: "Linear, Tanh, Linear: the slide's network as three modules" };
}

/**
 * The layers for the lab's sizes and for nx=3, nh=5, ny=6, the loss's
 * class, and the logits and loss once the seed's weights are loaded (the
 * layers' own initial weights are not compared).
 */
const modelAndLossProbe: Probe<ModelAndLoss, { loss: string } & Record<string, unknown>> = {
  lab: LAB_NAME,
  name: "modelAndLoss",
  run: (modelAndLoss, seed) =>
    withManualSeed(seed, () => {
      const other = modelAndLoss(3, 5, 6);
      const layersWith356 = describeModel(other.model);
      other.model?.dispose?.();
      const { model, loss } = modelAndLoss(LAB.nx, LAB.nh, LAB.ny);
      try {
        const { X, Y } = someBatch(seed);
        const layers = describeModel(model);
        model.loadStateDict(
          Object.fromEntries(model.namedParameters().map(([k, p], i) => [k, randn(p.shape, seed + 61 + i)])),
        );
        const logits = model.forward(X);
        return { layers, layersWith356, loss: kind(loss), logits, lossValue: loss.forward(logits, Y) };
      } finally {
        model?.dispose?.();
      }
    }),
};

/** Sequential(Linear(nx, nh), Tanh(), Linear(nh, ny)) and nn.CrossEntropyLoss. */
export function modelAndLoss(student: ModelAndLoss): Verdict {
  const name = "modelAndLoss";
  const before = (): Verdict | null => {
    for (const [nx, nh, ny] of [
      [LAB.nx, LAB.nh, LAB.ny],
      [3, 5, 6],
    ]) {
      const verdict = withModule(
        SEED,
        () => student(nx, nh, ny).model,
        (model) => architectureProblem(model, nx, nh, ny),
      );
      if (verdict) return verdict;
    }
    return null;
  };
  return checkRecorded(modelAndLossProbe, student, { before, inspect: ({ loss }) => lossClassProblem(name, loss) });
}

/** The loss's class, as the probe records it: nn.CrossEntropyLoss, which takes the model's logits. */
function lossClassProblem(name: string, loss: string): Verdict | null {
  if (loss === "CrossEntropyLoss") return null;
  return {
    ok: false,
    message: `${name}: loss is ${loss}; expected nn.CrossEntropyLoss`,
    hint:
      loss === "NLLLoss"
        ? "NLLLoss wants log-probabilities; the model gives logits: CrossEntropyLoss"
        : "the slide's loss is new nn.CrossEntropyLoss()",
  };
}

// ---------------------------------------------------------------------------
// Steps that update a model: manualStep (part 3) and optimizerStep (part 4).

const MODEL_STEP_ERRORS: ErrorHint[] = [
  {
    when: /connection between|not a function of|Cannot compute gradient|varList|Cannot find a connection/i,
    hint: "compute the loss inside the function you give tfjs (model.forward and loss.forward both in it), so it can trace the loss back to the parameters",
  },
];

/** What one step did, as the probes record it: the parameters before and after, the loss returned, the tensors left behind. */
interface Step {
  start: Record<string, tf.Tensor>;
  after: Record<string, tf.Tensor>;
  returned: unknown;
  leaked: number;
}

/**
 * What one step on the seed's model shows without a reference, as a
 * verdict: a parameter it left as it was, a loss that is not a tf.Scalar,
 * tensors left behind. Null when it shows none of these.
 */
function stepProblem(name: string, { start, after, returned, leaked }: Step): Verdict | null {
  const unchanged = Object.keys(start).filter((k) => isTensor(after[k]) && sameNumbers(after[k], start[k]));
  if (unchanged.length) {
    const hint =
      unchanged.length === Object.keys(start).length
        ? "no parameter changed: assign the update to each one (p.assign(...))"
        : `${unchanged.join(", ")} did not change: update every tensor in model.parameters()`;
    return {
      ok: false,
      message: `${name}: after one step, ${unchanged.join(", ")} ${unchanged.length === 1 ? "is" : "are"} unchanged`,
      hint,
    };
  }
  if (!isTensor(returned) || returned.rank !== 0) {
    return {
      ok: false,
      message: `${name} returned ${isTensor(returned) ? `a tensor of shape ${showShape(returned.shape)}` : typeof returned}; expected the batch's loss, a tf.Scalar`,
    };
  }
  if (leaked > 0) {
    return {
      ok: false,
      message: `${name}: each call leaves ${leaked} tensor${leaked === 1 ? "" : "s"} behind`,
      hint: "free the gradients (tf.dispose(grads)) and wrap the update in tf.tidy",
    };
  }
  return null;
}

/** The seed's model's parameters before any step, by name. */
function startingParameters(seed: number): Record<string, tf.Tensor> {
  const model = seededModel(seed);
  try {
    return parametersOf(model);
  } finally {
    model.dispose();
  }
}

/** One step on a model with the seed's weights and batch (η 0.1): the loss returned, the parameters after, the tensors left behind. */
const manualStepProbe: Probe<
  ManualStep,
  { loss: unknown; parameters: Record<string, tf.Tensor>; tensorsLeftBehind: number }
> = {
  lab: LAB_NAME,
  name: "manualStep",
  run: (manualStep, seed) => {
    const model = seededModel(seed);
    try {
      const { X, Y } = someBatch(seed);
      const loss = new CrossEntropyLoss();
      const { returned, leaked } = tensorsLeftBy(() => manualStep(model, loss, X, Y, MODEL_ETA), {
        exceptReturned: true,
      });
      return { loss: returned, parameters: parametersOf(model), tensorsLeftBehind: leaked };
    } finally {
      model.dispose();
    }
  },
  errorHints: MODEL_STEP_ERRORS,
};

/** The `with torch.no_grad(): param -= eta * param.grad` loop: tf.variableGrads, then p.assign for each parameter. */
export function manualStep(student: ManualStep): Verdict {
  return checkRecorded(manualStepProbe, student, {
    inspect: (out, seed) =>
      stepProblem("manualStep", {
        start: startingParameters(seed),
        after: out.parameters,
        returned: out.loss,
        leaked: out.tensorsLeftBehind,
      }),
  });
}

/** makeOptimizer's optimizer, then two optimizerStep calls on the seed's batches: the losses, the parameters after, the optimizer's class and lr. */
const optimizerProbe: Probe<
  OptimizerFunctions,
  { losses: unknown[]; tensorsLeftBehind: number[]; parameters: Record<string, tf.Tensor> } & Record<string, unknown>
> = {
  lab: LAB_NAME,
  name: "optimizer",
  run: ({ makeOptimizer, optimizerStep }, seed) => {
    const model = seededModel(seed);
    let optimizer: Optimizer | undefined;
    try {
      optimizer = makeOptimizer(model, MODEL_ETA);
      const loss = new CrossEntropyLoss();
      const losses = [0, 1].map((k) => {
        const { X, Y } = someBatch(seed + 1000 * k);
        return tensorsLeftBy(() => optimizerStep(model, loss, optimizer!, X, Y), { exceptReturned: true });
      });
      return {
        losses: losses.map((l) => l.returned),
        tensorsLeftBehind: losses.map((l) => l.leaked),
        parameters: parametersOf(model),
        optimizer: kind(optimizer),
        lr: optimizer.lr,
      };
    } finally {
      optimizer?.dispose?.();
      model.dispose();
    }
  },
  errorHints: MODEL_STEP_ERRORS,
};

/** optim.SGD over model.parameters() with lr η, and one optimizer.step computing the loss inside its function. */
export function optimizer(makeOptimizer: MakeOptimizer, optimizerStep: OptimizerStep): Verdict {
  const name = "optimizer";
  const before = (): Verdict | null => {
    const model = seededModel(1);
    let opt: Optimizer | undefined;
    try {
      opt = makeOptimizer(model, MODEL_ETA);
      return optimizerProblem(name, model, opt);
    } finally {
      opt?.dispose?.();
      model.dispose();
    }
  };
  return checkRecorded(
    optimizerProbe,
    { makeOptimizer, optimizerStep },
    {
      before,
      inspect: (out, seed) =>
        stepProblem("optimizerStep", {
          start: startingParameters(seed),
          after: out.parameters,
          returned: out.losses[0],
          leaked: out.tensorsLeftBehind[0],
        }),
    },
  );
}

/** What makeOptimizer must make: an optim.SGD over the model's parameters with lr η. */
function optimizerProblem(name: string, model: Module, opt: Optimizer): Verdict | null {
  if (!(opt instanceof Optimizer) && typeof (opt as { step?: unknown })?.step !== "function") {
    return {
      ok: false,
      message: `${name}: makeOptimizer returned ${kind(opt)}; expected an optimizer (new optim.SGD(...))`,
    };
  }
  if (kind(opt) !== "SGD") {
    return {
      ok: false,
      message: `${name}: makeOptimizer made ${kind(opt)}; expected SGD`,
      hint: "the slide's optimizer is plain SGD: new optim.SGD(model.parameters(), { lr: eta })",
    };
  }
  if (Math.abs(opt.lr - MODEL_ETA) > 1e-12) {
    return {
      ok: false,
      message: `${name}: makeOptimizer(model, ${MODEL_ETA}) has lr ${opt.lr}; expected ${MODEL_ETA}`,
      hint: "pass the learning rate: { lr: eta }",
    };
  }
  const params = model.parameters();
  if (opt.params.length !== params.length || opt.params.some((p, i) => p !== params[i])) {
    return {
      ok: false,
      message: `${name}: the optimizer does not hold the model's ${params.length} parameters`,
      hint: "give it model.parameters(): the tensors it is to update",
    };
  }
  return null;
}

// ---------------------------------------------------------------------------
// The four stages, re-run short: what the hidden test of "the four stages" records.

const STAGE_STEPS = 5;
const STAGE_BATCH = 6;
const STAGE_ETA = 0.3;

/**
 * Five steps of each stage's loop from the seed's weights on the seed's
 * batches (η 0.3): the loss of each step, by stage. The four lists are the
 * same when the stages agree.
 */
const stagesProbe: Probe<StageFunctions> = {
  lab: LAB_NAME,
  name: "stages",
  run: (fns, seed) => {
    const start = tf.tidy(() => {
      const p = someParams(seed);
      return { ...p, Wh: p.Wh.mul(0.3), Wy: p.Wy.mul(0.3) } as Params;
    });
    const batches = Array.from({ length: STAGE_STEPS }, (_, k) => someBatch(seed + 100 * k, STAGE_BATCH));
    const losses: Record<string, tf.Tensor[]> = { byHand: [], autograd: [], modules: [], optimizer: [] };

    let params = start;
    for (const { X, Y } of batches) {
      const next = fns.trainStep(params, X, Y, STAGE_ETA);
      losses.byHand.push(next.loss);
      params = next.params;
    }
    params = start;
    for (const { X, Y } of batches) {
      const [loss] = fns.lossAccuracy(fns.forward(params, X)[0], Y);
      losses.autograd.push(loss);
      params = fns.sgd(params, fns.autogradBackward(params, X, Y), STAGE_ETA);
    }
    const loss = new CrossEntropyLoss();
    const modules = labModel(start);
    try {
      for (const { X, Y } of batches) losses.modules.push(fns.manualStep(modules, loss, X, Y, STAGE_ETA));
    } finally {
      modules.dispose();
    }
    const withOptimizer = labModel(start);
    let optimizer: Optimizer | undefined;
    try {
      optimizer = fns.makeOptimizer(withOptimizer, STAGE_ETA);
      for (const { X, Y } of batches) losses.optimizer.push(fns.optimizerStep(withOptimizer, loss, optimizer, X, Y));
    } finally {
      optimizer?.dispose?.();
      withOptimizer.dispose();
    }
    return losses;
  },
};

// ---------------------------------------------------------------------------
// The probes, for the hidden tests (check.record) and for release, which records their outputs.

/**
 * Lab 1's probes by check name, for the hidden tests and for release, which records their outputs:
 * `check.record("forward", (seed) => check.lab1.probes.forward.run(forward, seed))`.
 */
export const probes = {
  initParams: initParamsProbe,
  forward: forwardProbe,
  lossAccuracy: lossAccuracyProbe,
  backward: backwardProbe,
  sgd: sgdProbe,
  trainStep: trainStepProbe,
  autogradBackward: autogradBackwardProbe,
  modelAndLoss: modelAndLossProbe,
  manualStep: manualStepProbe,
  optimizer: optimizerProbe,
  stages: stagesProbe,
};

// ---------------------------------------------------------------------------
// The four stages' results in the notebook, and the check that they agree.

/** What one stage's training loop produced, kept for the charts and `stagesAgree`. */
export interface StageResult {
  /** Mean batch loss and accuracy of each epoch. */
  curves: { loss: number[]; accuracy: number[] };
  /** Class probabilities [N, ny] of the trained network. */
  predict: (X: tf.Tensor2D) => tf.Tensor;
  /** On the whole training set, after the last epoch. */
  loss: number;
  /** On the whole training set, after the last epoch, as a fraction. */
  accuracy: number;
}

/**
 * What each stage's training produced, kept apart from the cells that train
 * so that the charts below a failed (or unfinished) stage say why they are
 * empty instead of failing on a missing name.
 */
export class Stages extends Results<Record<string, StageResult>> {
  constructor() {
    super((stage) => `the training of stage "${stage}"`);
  }
}

/** Every stage trained to ≥ minAccuracy, and all reach the same final loss within `tolerance`. */
export function stagesAgree(stages: Stages, names: string[], minAccuracy = 0.95, tolerance = 1e-3): Verdict {
  const name = "the four stages";
  let results: StageResult[];
  try {
    results = names.map((n) => stages.get(n));
  } catch (err) {
    return report(thrown(name, err));
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
  return report({
    ok: true,
    message: `${name} agree: final losses within ${spread.toExponential(1)}, accuracy ≥ ${100 * minAccuracy}% in each`,
  });
}
