/**
 * Lab 1's checks: each passes the slides' solution and catches each mistake
 * students make, with that mistake's hint. Every wrong implementation here
 * is one a student could hand in.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { solutionStub } from "../../../../kernel/release/stub";
import { useBestBackend } from "../../../../lib/backend";
import { lab1, notImplemented, verdictLine, type Verdict } from "../../../../lib/check";
import * as nn from "../../../../lib/nn";
import * as optim from "../../../../lib/optim";

type Params = lab1.Params;
const ref = lab1.reference;

beforeAll(async () => {
  await useBestBackend({ quiet: true });
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

/** What the student notebook's stub throws, taken from release itself. */
function stubError(name: string): Error {
  const code = solutionStub(name);
  const message = JSON.parse(code.match(/^throw new Error\((.*)\);$/)![1]) as string;
  return new Error(message);
}

function stub(name: string): never {
  throw stubError(name);
}

function expectPass(v: Verdict): void {
  expect(v.ok, verdictLine(v)).toBe(true);
}

function expectHint(v: Verdict, hint: string | RegExp): void {
  expect(v.ok).toBe(false);
  if (typeof hint === "string") expect(v.hint).toBe(hint);
  else expect(v.hint).toMatch(hint);
}

function expectNotImplemented(v: Verdict, message: string): void {
  expect(v.ok).toBe(false);
  expect(v.notImplemented).toBe(true);
  expect(v.message).toBe(message);
  expect(verdictLine(v)).toBe(`✘ ${message}`);
}

/** The slide's init_params with one tensor made differently. */
function initWith(change: Partial<Record<keyof Params, (nx: number, nh: number, ny: number, seed: number) => tf.Tensor>>) {
  return (nx: number, nh: number, ny: number, seed: number): Params =>
    tf.tidy(() => {
      const p = ref.initParams(nx, nh, ny, seed);
      const out = { ...p };
      for (const [k, make] of Object.entries(change)) out[k as keyof Params] = make(nx, nh, ny, seed) as tf.Tensor2D;
      return out;
    });
}

describe("lab1.initParams", () => {
  it("passes the slide's init_params and prints one ✔ line", () => {
    const log = vi.mocked(console.log);
    log.mockClear();
    expectPass(lab1.initParams(ref.initParams));
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toMatch(/^✔ initParams: /);
  });

  it("asks about a transpose when bh is a row [1,nh]", () => {
    const v = lab1.initParams(initWith({ bh: (_nx, nh) => tf.zeros([1, nh]) }));
    expect(v.message).toBe("initParams: bh has shape [1,4]; the slide uses [nh,1] = [4,1]");
    expectHint(v, "did you transpose?");
  });

  it("asks about a transpose when Wh is [nx,nh]", () => {
    const v = lab1.initParams(initWith({ Wh: (nx, nh, _ny, seed) => tf.randomNormal([nx, nh], 0, 1, "float32", seed).mul(0.3) }));
    expect(v.message).toBe("initParams: Wh has shape [2,4]; the slide uses [nh,nx] = [4,2]");
    expectHint(v, "did you transpose?");
  });

  it("asks for the size-1 axis when a bias is a vector", () => {
    const v = lab1.initParams(initWith({ by: (_nx, _nh, ny) => tf.zeros([ny]) }));
    expectHint(v, "the slide keeps biases as columns: add the size-1 axis");
  });

  it("catches nx and ny mixed up, which the lab's sizes (nx = ny = 2) hide", () => {
    const v = lab1.initParams(initWith({ Wy: (nx, nh, _ny, seed) => tf.randomNormal([nx, nh], 0, 1, "float32", seed + 1).mul(0.3) }));
    expect(v.message).toBe("initParams: with nx=3, nh=5, ny=6, Wy has shape [3,5]; the slide uses [ny,nh] = [6,5]");
  });

  it("asks about the missing × 0.3", () => {
    const v = lab1.initParams(initWith({ Wh: (nx, nh, _ny, seed) => tf.randomNormal([nh, nx], 0, 1, "float32", seed) }));
    expect(v.message).toMatch(/^initParams: Wh's values have std (0\.9\d|1\.0\d); expected 0\.3$/);
    expectHint(v, "randn·0.3: did you forget the × 0.3?");
  });

  it("spots 0.3 passed as tf.randomNormal's mean instead of its stdDev", () => {
    const v = lab1.initParams(initWith({ Wy: (_nx, nh, ny, seed) => tf.randomNormal([ny, nh], 0.3, undefined, "float32", seed + 1) }));
    expectHint(v, /^tf\.randomNormal\(shape, mean, stdDev\): 0\.3 went in as the mean/);
  });

  it("spots a uniform draw", () => {
    const v = lab1.initParams(initWith({ Wh: (nx, nh, _ny, seed) => tf.randomUniform([nh, nx], 0, 1, "float32", seed).mul(0.3) }));
    expectHint(v, "tf.randomUniform draws from [0, 1): the slide's randn is tf.randomNormal");
  });

  it("asks for zero biases", () => {
    const v = lab1.initParams(initWith({ bh: (_nx, nh, _ny, seed) => tf.randomNormal([nh, 1], 0, 0.3, "float32", seed + 2) }));
    expect(v.message).toBe("initParams: bh is not all zeros");
    expectHint(v, "the slide starts the biases at zero: tf.zeros([nh, 1])");
  });

  it("asks for the seed when two calls differ", () => {
    const v = lab1.initParams(initWith({ Wh: (nx, nh) => tf.randomNormal([nh, nx]).mul(0.3) }));
    expect(v.message).toBe("initParams: two calls with seed 42 gave different weights");
    expectHint(v, /^pass the seed to tf\.randomNormal/);
  });

  it("notices a seed that is ignored", () => {
    const v = lab1.initParams(initWith({
      Wh: (nx, nh) => tf.randomNormal([nh, nx], 0, 1, "float32", 7).mul(0.3),
      Wy: (_nx, nh, ny) => tf.randomNormal([ny, nh], 0, 1, "float32", 8).mul(0.3),
    }));
    expectHint(v, "the seed argument is ignored: pass it on to tf.randomNormal");
  });

  it("notices Wh and Wy drawn with the same seed", () => {
    const v = lab1.initParams(initWith({ Wy: (_nx, nh, ny, seed) => tf.randomNormal([ny, nh], 0, 1, "float32", seed).mul(0.3) }));
    expect(v.message).toBe("initParams: Wh and Wy start with the same numbers");
  });

  it("reports release's stub as not implemented, not as a crash", () => {
    expectNotImplemented(lab1.initParams(() => stub("initParams")), "initParams: not implemented yet");
  });

  it("reports lib/check's notImplemented() the same way", () => {
    expectNotImplemented(lab1.initParams(() => notImplemented("initParams")), "initParams: not implemented yet");
  });

  it("leaves no tensor behind", () => {
    const before = tf.memory().numTensors;
    lab1.initParams(ref.initParams);
    lab1.initParams(initWith({ bh: (_nx, nh) => tf.zeros([1, nh]) }));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("lab1.forward", () => {
  it("passes the slide's forward, and tf.softmax in place of exp / sum", () => {
    expectPass(lab1.forward(ref.forward));
    expectPass(lab1.forward((p, X) => {
      const [, o] = ref.forward(p, X);
      const yhat = tf.softmax(o.ytilde) as tf.Tensor2D;
      return [yhat, { ...o, yhat }];
    }));
  });

  it("asks about the softmax axis when it normalises over the batch", () => {
    expectHint(lab1.forward(lab1.forwardMistakes.softmaxOverBatch), "softmax over the wrong axis: normalise each row (example) over the classes, sum(-1, true), not over the batch");
  });

  it("asks for the normalisation when yhat = exp(ytilde)", () => {
    expectHint(lab1.forward(lab1.forwardMistakes.notNormalised), "yhat = exp(ytilde) / Σ exp(ytilde): divide each row by its sum (keepDims, so it broadcasts)");
  });

  it("asks about the missing tanh", () => {
    expectHint(lab1.forward(lab1.forwardMistakes.noActivation), "h = tanh(htilde): the activation is missing?");
  });

  it("names tanh when sigmoid was used", () => {
    expectHint(lab1.forward(lab1.forwardMistakes.sigmoid), "the slide's activation is tanh, not sigmoid");
  });

  it("explains the bias column when bh is added untransposed", () => {
    const v = lab1.forward(lab1.forwardMistakes.biasNotTransposed);
    expect(v.message).toMatch(/^forward threw: .*broadcast/);
    expectHint(v, "bh is a column [nh,1]: add bhᵀ ([1,nh]) so that it broadcasts over the batch rows");
  });

  it("explains W·x vs x·Wᵀ when examples are taken as columns", () => {
    const v = lab1.forward(lab1.forwardMistakes.columns);
    expect(v.message).toBe("forward [0] has shape [2,8]; expected [8,2]");
    expectHint(v, /^W·x vs x·Wᵀ: X holds one example per row/);
  });

  it("explains the orientation when X·Wh does not fit", () => {
    const v = lab1.forward((p, X) => {
      const htilde = tf.matMul(X, p.Wh).add(p.bh.transpose()) as tf.Tensor2D;
      return ref.forward(p, X) && [htilde, { X, htilde, h: htilde, ytilde: htilde, yhat: htilde }];
    });
    expectHint(v, "X is [N, nx] and Wh is [nh, nx]: htilde = X·Whᵀ (tf.matMul(X, Wh, false, true))");
  });

  it("names what is missing from the cache", () => {
    const v = lab1.forward((p, X) => {
      const [yhat, o] = ref.forward(p, X);
      return [yhat, { X: o.X, h: o.h, yhat } as lab1.Outputs];
    });
    expect(v.message).toBe("forward returned {[0], [1].X, [1].h, [1].yhat}; expected {[0], [1].X, [1].h, [1].htilde, [1].yhat, [1].ytilde}");
  });

  it("reports the stub as not implemented", () => {
    expectNotImplemented(lab1.forward(() => stub("forward")), "forward: not implemented yet");
  });
});

describe("lab1.lossAccuracy", () => {
  it("passes the slide's loss and accuracy", () => {
    expectPass(lab1.lossAccuracy(ref.lossAccuracy));
  });

  it("asks for the mean when the loss is summed over the batch", () => {
    expectHint(lab1.lossAccuracy(lab1.lossAccuracyMistakes.sumOverBatch), "summed over the batch: the loss is the mean over the N examples");
  });

  it("explains a mean over [N, ny]", () => {
    expectHint(lab1.lossAccuracy(lab1.lossAccuracyMistakes.meanOverAll), /^a mean over \[N, ny\] also divides by the number of classes/);
  });

  it("asks about the minus sign", () => {
    expectHint(lab1.lossAccuracy(lab1.lossAccuracyMistakes.noMinus), "cross-entropy is −Σ y log ŷ: the minus sign is missing?");
  });

  it("asks for a fraction when the accuracy is a percentage, as on the slide", () => {
    expectHint(lab1.lossAccuracy(lab1.lossAccuracyMistakes.percent), "accuracy is a fraction in [0, 1] here (as in lib/train), not a percentage");
  });

  it("asks about the argMax axis", () => {
    expectHint(lab1.lossAccuracy(lab1.lossAccuracyMistakes.argMaxOverBatch), "argMax over the class axis (1): one predicted class per example");
  });

  it("asks for a tensor when the loss was read out as a number", () => {
    const v = lab1.lossAccuracy(((Yhat: tf.Tensor2D, Y: tf.Tensor2D) => {
      const [loss, accuracy] = ref.lossAccuracy(Yhat, Y);
      return [loss.dataSync()[0], accuracy];
    }) as unknown as Parameters<typeof lab1.lossAccuracy>[0]);
    expect(v.message).toBe("lossAccuracy: the loss is number, not a tensor");
    expectHint(v, "keep the loss a tf.Scalar (no dataSync): part 2 differentiates it");
  });

  it("reports the stub as not implemented", () => {
    expectNotImplemented(lab1.lossAccuracy(() => stub("lossAccuracy")), "lossAccuracy: not implemented yet");
  });
});

describe("lab1.backward", () => {
  it("passes the slide's backward", () => {
    expectPass(lab1.backward(ref.backward));
  });

  it("asks for the division by the batch size", () => {
    expectHint(lab1.backward(lab1.backwardMistakes.notDividedByBatch), "forgot to divide by the batch size N: the loss is a mean over the batch, so are its gradients");
  });

  it("explains tanh′ when h is used instead of 1 − h²", () => {
    expectHint(lab1.backward(lab1.backwardMistakes.hInsteadOfTanhGrad), "tanh′(h̃) = 1 − h²: multiply by (1 − h²), not by h");
  });

  it("asks for the square in 1 − h²", () => {
    expectHint(lab1.backward(lab1.backwardMistakes.oneMinusH), "tanh′(h̃) = 1 − h², squared: (1 − h²), not (1 − h)");
  });

  it("asks to transpose the bias gradients' [1, n] sums", () => {
    expectHint(lab1.backward(lab1.backwardMistakes.biasNotTransposed), "the sum over the batch keeps [1, n]: transpose it to the bias's shape [n, 1]");
  });

  it("asks to sum the bias gradients over the batch axis", () => {
    expectHint(lab1.backward(lab1.backwardMistakes.biasSummedOverFeatures), "a bias gradient sums over the batch axis (0), then is transposed to [n, 1]");
  });

  it("asks about a transpose when ∇Wy is hᵀ·∇ỹ", () => {
    expectHint(lab1.backward(lab1.backwardMistakes.wyTransposed), "∇Wy = ∇ỹᵀ·h has Wy's shape [ny, nh]: did you transpose?");
  });

  it("explains ∇h̃ = ∇ỹ·Wy when Wy was transposed", () => {
    const v = lab1.backward((params, outputs, Y) => {
      const ytildeGrad = outputs.yhat.sub(Y);
      tf.matMul(ytildeGrad, params.Wy, false, true);
      return ref.backward(params, outputs, Y);
    });
    expect(v.message).toMatch(/^backward threw: .*inner shapes/);
    expectHint(v, /^∇h̃ = ∇ỹ·Wy: \[N, ny\]·\[ny, nh\], with no transpose on Wy/);
  });

  it("reports the stub as not implemented", () => {
    expectNotImplemented(lab1.backward(() => stub("backward")), "backward: not implemented yet");
  });
});

describe("lab1.sgd", () => {
  it("passes θ − η∇θ", () => {
    expectPass(lab1.sgd(ref.sgd));
  });

  it("asks about the sign", () => {
    expectHint(lab1.sgd(lab1.sgdMistakes.plus), "step against the gradient: θ ← θ − η∇θ (a + where − belongs)");
  });

  it("asks for the learning rate", () => {
    expectHint(lab1.sgd(lab1.sgdMistakes.noLearningRate), "multiply each gradient by the learning rate η");
  });

  it("notices parameters left unchanged", () => {
    expectHint(lab1.sgd(lab1.sgdMistakes.biasesForgotten), "a parameter came back unchanged: update all four (Wh, bh, Wy, by)");
  });

  it("reports the stub as not implemented", () => {
    expectNotImplemented(lab1.sgd(() => stub("sgd")), "sgd: not implemented yet");
  });
});

describe("lab1.trainStep", () => {
  it("passes the slide's loop body", () => {
    expectPass(lab1.trainStep(ref.trainStep));
  });

  it("notices the old parameters returned", () => {
    expectHint(lab1.trainStep(lab1.trainStepMistakes.oldParams), "params came back unchanged: return sgd's result (tfjs tensors are never changed in place)");
  });

  it("notices a loss measured after the update", () => {
    expectHint(lab1.trainStep(lab1.trainStepMistakes.lossAfterUpdate), /^the loss and accuracy to return are this batch's before the update/);
  });

  it("names the stub it calls when an earlier TODO is not done yet", () => {
    const v = lab1.trainStep((params, X, Y, eta) => {
      stub("forward");
      return ref.trainStep(params, X, Y, eta);
    });
    expectNotImplemented(v, "trainStep: forward is not implemented yet");
  });
});

describe("lab1.autogradBackward", () => {
  it("passes tf.grads of the mean loss", () => {
    expectPass(lab1.autogradBackward(ref.autogradBackward));
  });

  it("passes tf.variableGrads over variables as well", () => {
    expectPass(lab1.autogradBackward((params, X, Y) => {
      const vars = { Wh: tf.variable(params.Wh), bh: tf.variable(params.bh), Wy: tf.variable(params.Wy), by: tf.variable(params.by) };
      try {
        const { value, grads } = tf.variableGrads(() => ref.lossAccuracy(ref.forward(vars as unknown as Params, X)[0], Y)[0], Object.values(vars));
        value.dispose();
        return { Wh: grads[vars.Wh.name], bh: grads[vars.bh.name], Wy: grads[vars.Wy.name], by: grads[vars.by.name] } as Params;
      } finally {
        tf.dispose(Object.values(vars));
      }
    }));
  });

  it("explains the order tf.grads returns gradients in", () => {
    expectHint(lab1.autogradBackward(lab1.autogradMistakes.swapped), "tf.grads returns the gradients in the order you passed the tensors: unpack them in that same order");
  });

  it("asks for the mean loss when a sum was differentiated", () => {
    expectHint(lab1.autogradBackward(lab1.autogradMistakes.sumLoss), "differentiate the mean loss (lossAccuracy's), not a sum over the batch");
  });

  it("explains that the forward pass must run inside the function given to tf.grads", () => {
    const v = lab1.autogradBackward((params, X, Y) => {
      const loss = ref.lossAccuracy(ref.forward(params, X)[0], Y)[0];
      const [Wh, bh, Wy, by] = tf.grads(() => loss)([params.Wh, params.bh, params.Wy, params.by]);
      return { Wh, bh, Wy, by } as Params;
    });
    expectHint(v, /^tf\.grads differentiates the function you give it: call forward inside it/);
  });

  it("reports the stub as not implemented", () => {
    expectNotImplemented(lab1.autogradBackward(() => stub("autogradBackward")), "autogradBackward: not implemented yet");
  });
});

describe("lab1.modelAndLoss", () => {
  it("passes Sequential(Linear, Tanh, Linear) with CrossEntropyLoss", () => {
    expectPass(lab1.modelAndLoss(ref.modelAndLoss));
  });

  const withLayers = (layers: (nx: number, nh: number, ny: number) => nn.Module[], loss: () => nn.Module = () => new nn.CrossEntropyLoss()) =>
    (nx: number, nh: number, ny: number) => ({ model: new nn.Sequential(...layers(nx, nh, ny)), loss: loss() });

  it("explains that CrossEntropyLoss has the softmax inside", () => {
    const v = lab1.modelAndLoss(withLayers((nx, nh, ny) => [new nn.Linear(nx, nh), new nn.Tanh(), new nn.Linear(nh, ny), new nn.Softmax()]));
    expect(v.message).toBe("modelAndLoss: with nx=2, nh=4, ny=2 the model is Sequential(Linear(2, 4), Tanh(), Linear(4, 2), Softmax()); expected Sequential(Linear(2, 4), Tanh(), Linear(4, 2))");
    expectHint(v, "CrossEntropyLoss applies the softmax itself: end the model with the last Linear (it outputs logits)");
  });

  it("names tanh when another activation is used", () => {
    expectHint(lab1.modelAndLoss(withLayers((nx, nh, ny) => [new nn.Linear(nx, nh), new nn.ReLU(), new nn.Linear(nh, ny)])), "the slide's activation is tanh: new nn.Tanh()");
  });

  it("catches sizes hard-coded to 2, 4, 2", () => {
    const v = lab1.modelAndLoss(withLayers(() => [new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 2)]));
    expect(v.message).toMatch(/^modelAndLoss: with nx=3, nh=5, ny=6 the model is Sequential\(Linear\(2, 4\)/);
    expectHint(v, "Linear(in, out): nx → nh, then nh → ny (each layer's in is the previous one's out)");
  });

  it("names the slide's loss when another one is used", () => {
    const v = lab1.modelAndLoss(withLayers((nx, nh, ny) => [new nn.Linear(nx, nh), new nn.Tanh(), new nn.Linear(nh, ny)], () => new nn.MSELoss()));
    expect(v.message).toBe("modelAndLoss: loss is MSELoss; expected nn.CrossEntropyLoss");
    expectHint(v, "the slide's loss is new nn.CrossEntropyLoss()");
  });

  it("reports the stub as not implemented", () => {
    expectNotImplemented(lab1.modelAndLoss(() => stub("modelAndLoss")), "modelAndLoss: not implemented yet");
  });
});

describe("lab1.manualStep", () => {
  it("passes tf.variableGrads then p.assign(p − η·g) for every parameter", () => {
    expectPass(lab1.manualStep(ref.manualStep));
  });

  it("asks about the sign", () => {
    expectHint(lab1.manualStep(lab1.manualStepMistakes.plus), "step against the gradient: p − η·g (a + where − belongs)");
  });

  it("asks for the learning rate", () => {
    expectHint(lab1.manualStep((model, loss, X, Y) => ref.manualStep(model, loss, X, Y, 1)), "multiply each gradient by the learning rate η");
  });

  it("names the parameters left unchanged", () => {
    expectHint(lab1.manualStep(lab1.manualStepMistakes.weightsOnly), "0.bias, 2.bias did not change: update every tensor in model.parameters()");
  });

  it("catches gradients that are never freed", () => {
    const v = lab1.manualStep(lab1.manualStepMistakes.gradientsKept);
    expect(v.message).toBe("manualStep: each call leaves 4 tensors behind");
    expectHint(v, "free the gradients (tf.dispose(grads)) and wrap the update in tf.tidy");
  });

  it("explains that the loss must be computed inside tf.variableGrads", () => {
    const v = lab1.manualStep((model, loss, X, Y, eta) => {
      const L = loss.forward(model.forward(X), Y) as tf.Scalar;
      const { value, grads } = tf.variableGrads(() => L, model.parameters());
      tf.tidy(() => model.parameters().forEach((p) => p.assign(p.sub(grads[p.name].mul(eta)))));
      tf.dispose(grads);
      return value;
    });
    expectHint(v, /^compute the loss inside the function you give tfjs/);
  });

  it("reports the stub as not implemented", () => {
    expectNotImplemented(lab1.manualStep(() => stub("manualStep")), "manualStep: not implemented yet");
  });
});

describe("lab1.optimizer", () => {
  it("passes optim.SGD and optimizer.step", () => {
    expectPass(lab1.optimizer(ref.makeOptimizer, ref.optimizerStep));
  });

  it("names SGD when another optimizer is made", () => {
    const v = lab1.optimizer((model, eta) => new optim.Adam(model.parameters(), { lr: eta }), ref.optimizerStep);
    expect(v.message).toBe("optimizer: makeOptimizer made Adam; expected SGD");
    expectHint(v, /^the slide's optimizer is plain SGD/);
  });

  it("asks for the learning rate when it is hard-coded", () => {
    expectHint(lab1.optimizer((model) => new optim.SGD(model.parameters(), { lr: 0.03 }), ref.optimizerStep), "pass the learning rate: { lr: eta }");
  });

  it("explains that the loss must be computed inside optimizer.step", () => {
    const v = lab1.optimizer(ref.makeOptimizer, (model, loss, optimizer, X, Y) => {
      const L = loss.forward(model.forward(X), Y) as tf.Scalar;
      return optimizer.step(() => L);
    });
    expect(v.message).toMatch(/^optimizerStep threw: Cannot find a connection/);
    expectHint(v, /^compute the loss inside the function you give tfjs/);
  });

  it("reports the stubs as not implemented", () => {
    expectNotImplemented(lab1.optimizer(() => stub("makeOptimizer"), ref.optimizerStep), "optimizer: makeOptimizer is not implemented yet");
    expectNotImplemented(lab1.optimizer(ref.makeOptimizer, () => stub("optimizerStep")), "optimizerStep: not implemented yet");
  });
});

describe("lab1.Stages and stagesAgree", () => {
  const result = (loss: number, accuracy: number): lab1.StageResult => ({ curves: { loss: [loss], accuracy: [accuracy] }, predict: (X) => X, loss, accuracy });
  const names = ["by hand", "autograd", "modules", "optimizer"];

  it("says a stage that has not trained is not implemented yet", () => {
    const stages = new lab1.Stages();
    expect(() => stages.get("by hand")).toThrow(/stage "by hand" has no results yet: .* not implemented yet/);
    const v = lab1.stagesAgree(stages, names);
    expect(v.notImplemented).toBe(true);
    expect(v.message).toBe('the four stages: the training of stage "by hand" is not implemented yet');
  });

  it("passes four stages that agree", () => {
    const stages = new lab1.Stages();
    names.forEach((n, i) => stages.set(n, result(0.05 + i * 1e-5, 0.99)));
    expectPass(lab1.stagesAgree(stages, names));
  });

  it("names the stage that trains too little", () => {
    const stages = new lab1.Stages();
    names.forEach((n, i) => stages.set(n, result(0.05, i === 2 ? 0.6 : 0.99)));
    expect(lab1.stagesAgree(stages, names).message).toBe('the four stages: "modules" reaches 60.0% training accuracy; expected ≥ 95%');
  });

  it("names the stage whose loss differs", () => {
    const stages = new lab1.Stages();
    names.forEach((n, i) => stages.set(n, result(i === 3 ? 0.07 : 0.05, 0.99)));
    const v = lab1.stagesAgree(stages, names);
    expect(v.message).toMatch(/"optimizer" 0\.07000/);
    expectHint(v, /^same seed, same starting weights, same batches/);
  });
});
