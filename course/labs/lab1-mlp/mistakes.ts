/**
 * Lab 1's catalogue of typical mistakes: for each check, wrong versions of
 * the reference a student could hand in, each with the hint shown to a
 * student whose outputs equal its outputs. Release records what each one
 * computes on the public seeds; the code stays here.
 */
import * as tf from "@tensorflow/tfjs";
import type { lab1 } from "../../../lib/check";
import type { Mistake } from "../../lab";
import * as ref from "./reference";

type Params = lab1.Params;

// ---------------------------------------------------------------------------
// forward

/** The slide's forward with one piece changed: `change` gets each intermediate and may replace it. */
function forwardWith(change: {
  htilde?: (p: Params, X: tf.Tensor2D) => tf.Tensor;
  h?: (ht: tf.Tensor) => tf.Tensor;
  yhat?: (yt: tf.Tensor) => tf.Tensor;
}): lab1.Forward {
  return (params, X) => {
    const htilde = (
      change.htilde ?? ((p: Params, x: tf.Tensor2D) => tf.matMul(x, p.Wh, false, true).add(p.bh.transpose()))
    )(params, X) as tf.Tensor2D;
    const h = (change.h ?? tf.tanh)(htilde) as tf.Tensor2D;
    const ytilde = tf.matMul(h, params.Wy, false, true).add(params.by.transpose()) as tf.Tensor2D;
    const yhat = (change.yhat ?? ((yt: tf.Tensor) => tf.exp(yt).div(tf.exp(yt).sum(-1, true))))(ytilde) as tf.Tensor2D;
    return [yhat, { X, htilde, h, ytilde, yhat }];
  };
}

export const forwardMistakes = {
  /** W·x with examples as columns: every output comes out transposed. */
  columns: {
    hint: "W·x vs x·Wᵀ: X holds one example per row, so htilde = X·Whᵀ + bhᵀ is [N, nh] (tf.matMul(X, Wh, false, true))",
    fn: ((params, X) => {
      const htilde = tf.matMul(params.Wh, X, false, true).add(params.bh) as tf.Tensor2D;
      const h = tf.tanh(htilde);
      const ytilde = tf.matMul(params.Wy, h).add(params.by) as tf.Tensor2D;
      const yhat = tf.exp(ytilde).div(tf.exp(ytilde).sum(0, true)) as tf.Tensor2D;
      return [yhat, { X, htilde, h, ytilde, yhat }];
    }) as lab1.Forward,
  },
  softmaxOverBatch: {
    hint: "softmax over the wrong axis: normalise each row (example) over the classes, sum(-1, true), not over the batch",
    fn: forwardWith({ yhat: (yt) => tf.exp(yt).div(tf.exp(yt).sum(0, true)) }),
  },
  notNormalised: {
    hint: "yhat = exp(ytilde) / Σ exp(ytilde): divide each row by its sum (keepDims, so it broadcasts)",
    fn: forwardWith({ yhat: (yt) => tf.exp(yt) }),
  },
  noActivation: { hint: "h = tanh(htilde): the activation is missing?", fn: forwardWith({ h: (ht) => ht }) },
  sigmoid: { hint: "the slide's activation is tanh, not sigmoid", fn: forwardWith({ h: (ht) => tf.sigmoid(ht) }) },
} satisfies Record<string, Mistake<lab1.Forward>>;

/**
 * Mistakes that throw on the first public seed: the probe's error hints name
 * them, so recording their outputs would add nothing. For the tests.
 */
export const forwardErrors = {
  /** bh [nh,1] added to [N,nh]: fails to broadcast, except on a batch of nh. */
  biasNotTransposed: {
    hint: "bh is a column [nh,1]: add bhᵀ ([1,nh]) so that it broadcasts over the batch rows",
    fn: forwardWith({ htilde: (p, X) => tf.matMul(X, p.Wh, false, true).add(p.bh) }),
  },
} satisfies Record<string, Mistake<lab1.Forward>>;

// ---------------------------------------------------------------------------
// lossAccuracy

const crossEntropyOf = (Yhat: tf.Tensor2D, Y: tf.Tensor2D) => Y.mul(Yhat.log());
const accuracyOf = (Yhat: tf.Tensor2D, Y: tf.Tensor2D) =>
  Yhat.argMax(1).equal(Y.argMax(1)).toFloat().mean() as tf.Scalar;

export const lossAccuracyMistakes = {
  sumOverBatch: {
    hint: "summed over the batch: the loss is the mean over the N examples",
    fn: ((Yhat, Y) => [crossEntropyOf(Yhat, Y).sum().neg(), accuracyOf(Yhat, Y)]) as lab1.LossAccuracy,
  },
  meanOverAll: {
    hint: "a mean over [N, ny] also divides by the number of classes: sum over the classes (axis 1), then mean over the batch",
    fn: ((Yhat, Y) => [crossEntropyOf(Yhat, Y).mean().neg(), accuracyOf(Yhat, Y)]) as lab1.LossAccuracy,
  },
  noMinus: {
    hint: "cross-entropy is −Σ y log ŷ: the minus sign is missing?",
    fn: ((Yhat, Y) => [crossEntropyOf(Yhat, Y).sum(1).mean(), accuracyOf(Yhat, Y)]) as lab1.LossAccuracy,
  },
  percent: {
    hint: "accuracy is a fraction in [0, 1] here (as in lib/train), not a percentage",
    fn: ((Yhat, Y) => [crossEntropyOf(Yhat, Y).sum(1).mean().neg(), accuracyOf(Yhat, Y).mul(100)]) as lab1.LossAccuracy,
  },
  argMaxOverBatch: {
    hint: "argMax over the class axis (1): one predicted class per example",
    fn: ((Yhat, Y) => [
      crossEntropyOf(Yhat, Y).sum(1).mean().neg(),
      Yhat.argMax(0).equal(Y.argMax(0)).toFloat().mean(),
    ]) as lab1.LossAccuracy,
  },
} satisfies Record<string, Mistake<lab1.LossAccuracy>>;

// ---------------------------------------------------------------------------
// backward

/** The slide's backward with one piece changed. */
function backwardWith(change: {
  tanhGrad?: (h: tf.Tensor) => tf.Tensor;
  divide?: boolean;
  bias?: (g: tf.Tensor) => tf.Tensor;
  wy?: (g: tf.Tensor, h: tf.Tensor) => tf.Tensor;
}): lab1.Backward {
  return (params, outputs, Y) => {
    const N = change.divide === false ? 1 : Y.shape[0];
    const ytildeGrad = outputs.yhat.sub(Y);
    const htildeGrad = tf
      .matMul(ytildeGrad, params.Wy)
      .mul((change.tanhGrad ?? ((h: tf.Tensor) => tf.scalar(1).sub(h.square())))(outputs.h));
    const bias = change.bias ?? ((g: tf.Tensor) => g.sum(0, true).transpose());
    return {
      Wy: (change.wy ?? ((g: tf.Tensor, h: tf.Tensor) => tf.matMul(g, h, true, false)))(ytildeGrad, outputs.h).div(N),
      Wh: tf.matMul(htildeGrad, outputs.X, true, false).div(N),
      by: bias(ytildeGrad).div(N),
      bh: bias(htildeGrad).div(N),
    } as Params;
  };
}

export const backwardMistakes = {
  notDividedByBatch: {
    hint: "forgot to divide by the batch size N: the loss is a mean over the batch, so are its gradients",
    fn: backwardWith({ divide: false }),
  },
  hInsteadOfTanhGrad: {
    hint: "tanh′(h̃) = 1 − h²: multiply by (1 − h²), not by h",
    fn: backwardWith({ tanhGrad: (h) => h }),
  },
  oneMinusH: {
    hint: "tanh′(h̃) = 1 − h², squared: (1 − h²), not (1 − h)",
    fn: backwardWith({ tanhGrad: (h) => tf.scalar(1).sub(h) }),
  },
  biasNotTransposed: {
    hint: "the sum over the batch keeps [1, n]: transpose it to the bias's shape [n, 1]",
    fn: backwardWith({ bias: (g) => g.sum(0, true) }),
  },
  biasSummedOverFeatures: {
    hint: "a bias gradient sums over the batch axis (0), then is transposed to [n, 1]",
    fn: backwardWith({ bias: (g) => g.sum(1, true) }),
  },
  wyTransposed: {
    hint: "∇Wy = ∇ỹᵀ·h has Wy's shape [ny, nh]: did you transpose?",
    fn: backwardWith({ wy: (g, h) => tf.matMul(h, g, true, false) }),
  },
} satisfies Record<string, Mistake<lab1.Backward>>;

// ---------------------------------------------------------------------------
// sgd

export const sgdMistakes = {
  plus: {
    hint: "step against the gradient: θ ← θ − η∇θ (a + where − belongs)",
    fn: ((p, g, eta) => ({
      Wh: p.Wh.add(g.Wh.mul(eta)),
      bh: p.bh.add(g.bh.mul(eta)),
      Wy: p.Wy.add(g.Wy.mul(eta)),
      by: p.by.add(g.by.mul(eta)),
    })) as lab1.Sgd,
  },
  noLearningRate: {
    hint: "multiply each gradient by the learning rate η",
    fn: ((p, g) => ({ Wh: p.Wh.sub(g.Wh), bh: p.bh.sub(g.bh), Wy: p.Wy.sub(g.Wy), by: p.by.sub(g.by) })) as lab1.Sgd,
  },
  /** Also what the check's property test says of any parameter returned unchanged. */
  biasesForgotten: {
    hint: "a parameter came back unchanged: update all four (Wh, bh, Wy, by)",
    fn: ((p, g, eta) => ({ Wh: p.Wh.sub(g.Wh.mul(eta)), bh: p.bh, Wy: p.Wy.sub(g.Wy.mul(eta)), by: p.by })) as lab1.Sgd,
  },
} satisfies Record<string, Mistake<lab1.Sgd>>;

// ---------------------------------------------------------------------------
// trainStep

export const trainStepMistakes = {
  oldParams: {
    hint: "params came back unchanged: return sgd's result (tfjs tensors are never changed in place)",
    fn: ((params, X, Y, eta) => ({ ...ref.trainStep(params, X, Y, eta), params })) as lab1.TrainStep,
  },
  lossAfterUpdate: {
    hint: "the loss and accuracy to return are this batch's before the update: take them from the forward you backpropagate",
    fn: ((params, X, Y, eta) => {
      const next = ref.trainStep(params, X, Y, eta).params;
      const [loss, accuracy] = ref.lossAccuracy(ref.forward(next, X)[0], Y);
      return { params: next, loss, accuracy };
    }) as lab1.TrainStep,
  },
} satisfies Record<string, Mistake<lab1.TrainStep>>;

// ---------------------------------------------------------------------------
// autogradBackward

export const autogradBackwardMistakes = {
  /** Gradients unpacked in an order other than the one the tensors were passed in. */
  swapped: {
    hint: "tf.grads returns the gradients in the order you passed the tensors: unpack them in that same order",
    fn: ((params, X, Y) => {
      const g = ref.autogradBackward(params, X, Y);
      return { Wh: g.Wy, bh: g.by, Wy: g.Wh, by: g.bh };
    }) as lab1.AutogradBackward,
  },
  sumLoss: {
    hint: "differentiate the mean loss (lossAccuracy's), not a sum over the batch",
    fn: ((params, X, Y) => {
      const loss = (Wh: tf.Tensor, bh: tf.Tensor, Wy: tf.Tensor, by: tf.Tensor) =>
        crossEntropyOf(ref.forward({ Wh, bh, Wy, by } as Params, X)[0], Y)
          .sum()
          .neg() as tf.Scalar;
      const [Wh, bh, Wy, by] = tf.grads(loss)([params.Wh, params.bh, params.Wy, params.by]);
      return { Wh, bh, Wy, by } as Params;
    }) as lab1.AutogradBackward,
  },
} satisfies Record<string, Mistake<lab1.AutogradBackward>>;

// ---------------------------------------------------------------------------
// manualStep

export const manualStepMistakes = {
  plus: {
    hint: "step against the gradient: p − η·g (a + where − belongs)",
    fn: ((model, loss, X, Y, eta) => ref.manualStep(model, loss, X, Y, -eta)) as lab1.ManualStep,
  },
  noLearningRate: {
    hint: "multiply each gradient by the learning rate η",
    fn: ((model, loss, X, Y) => ref.manualStep(model, loss, X, Y, 1)) as lab1.ManualStep,
  },
  /** Also what the check's property test says of the biases left as they were. */
  weightsOnly: {
    hint: "0.bias, 2.bias did not change: update every tensor in model.parameters()",
    fn: ((model, loss, X, Y, eta) => {
      const { value, grads } = tf.variableGrads(
        () => loss.forward(model.forward(X), Y) as tf.Scalar,
        model.parameters(),
      );
      tf.tidy(() => {
        for (const [name, p] of model.namedParameters())
          if (name.endsWith("weight")) p.assign(p.sub(grads[p.name].mul(eta)));
      });
      tf.dispose(grads);
      return value;
    }) as lab1.ManualStep,
  },
  /** Also what the check's property test says of the tensors left behind. */
  gradientsKept: {
    hint: "free the gradients (tf.dispose(grads)) and wrap the update in tf.tidy",
    fn: ((model, loss, X, Y, eta) => {
      const { value, grads } = tf.variableGrads(
        () => loss.forward(model.forward(X), Y) as tf.Scalar,
        model.parameters(),
      );
      tf.tidy(() => {
        for (const p of model.parameters()) p.assign(p.sub(grads[p.name].mul(eta)));
      });
      return value;
    }) as lab1.ManualStep,
  },
} satisfies Record<string, Mistake<lab1.ManualStep>>;

// ---------------------------------------------------------------------------
// optimizer (makeOptimizer and optimizerStep)

export const optimizerMistakes = {
  lossAfterStep: {
    hint: "return the loss optimizer.step gives: this batch's loss before the update",
    fn: {
      makeOptimizer: ref.makeOptimizer,
      optimizerStep: (model, loss, optimizer, X, Y) => {
        tf.dispose(optimizer.step(() => loss.forward(model.forward(X), Y) as tf.Scalar));
        return tf.tidy(() => loss.forward(model.forward(X), Y) as tf.Scalar);
      },
    } as lab1.OptimizerFunctions,
  },
} satisfies Record<string, Mistake<lab1.OptimizerFunctions>>;
