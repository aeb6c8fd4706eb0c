/**
 * TP4a's checks: each passes the reference (course/labs/tp4a-cnn), says "not
 * implemented yet" for a released lab's stub, and answers every known
 * mistake (a deliberately wrong implementation) with the hint that names it,
 * through the public check and the records shipped with the kit. No check
 * and no probe leaks tensors; the kit's module holds no solution; the
 * grader's scoring of the trained-model tests reads the solution's labels.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useBestBackend } from "../../../../lib/backend";
import { tp4a } from "../../../../lib/check";
import * as tp4aModule from "../../../../lib/check/labs/tp4a-cnn";
import type { RecordOutput } from "../../../../lib/check/record";
import { runCase, type Recorded } from "../../../../lib/check/recorded";
import {
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  manualSeed,
  Module,
  ReLU,
  Sequential,
  Softmax,
  withManualSeed,
} from "../../../../lib/nn";
import { tp4a as course, LENET_SUBSET_BAR } from "../../../../course/labs/tp4a-cnn";
import { describeWhatShips } from "./shipped";
import * as M from "../../../../course/labs/tp4a-cnn/mistakes";
import * as reference from "../../../../course/labs/tp4a-cnn/reference";

beforeAll(async () => {
  await useBestBackend({ backend: "wasm", quiet: true });
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

/** What a released lab has where the solution was (course/release's stub). */
const stub = (what: string) => (): never => {
  throw new Error(`not implemented: ${what} (replace this line with your code)`);
};

/** Runs a check and asserts it leaves no tensor behind. */
function noLeak<T>(run: () => T): T {
  const before = tf.memory().numTensors;
  const result = run();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

describeWhatShips(course, tp4aModule, [
  "TEST_SUBSET",
  "fineTuneWins",
  "leNet",
  "leNetAccuracy",
  "lossFn",
  "predict",
  "probes",
  "toModelInput",
  "trainEpoch",
  "withNewHead",
]);

describe("lib/check/labs/tp4a-cnn's probes", () => {
  it("probes every graded function and both trained-model tests", () => {
    expect(Object.keys(tp4a.probes).sort()).toEqual([
      "fineTunePredictions",
      "leNetPredictions",
      "lossFn",
      "makeLeNet",
      "predict",
      "toModelInput",
      "trainEpoch",
      "withNewHead",
    ]);
  });
});

describe("probes", () => {
  it("keep tf.memory().numTensors flat when run as a case (reference and a leaky mistake alike)", () => {
    const runs: [string, () => unknown][] = [
      ["toModelInput", () => tp4a.probes.toModelInput.run(reference.toModelInput, 1_000_000)],
      ["makeLeNet", () => tp4a.probes.makeLeNet.run(reference.makeLeNet, 1_000_000)],
      ["lossFn", () => tp4a.probes.lossFn.run(reference.lossFn, 1_000_000)],
      ["predict", () => tp4a.probes.predict.run(reference.predict, 1_000_000)],
      ["predict, leaking", () => tp4a.probes.predict.run(M.leaks, 1_000_000)],
      ["withNewHead", () => tp4a.probes.withNewHead.run(reference.withNewHead, 1_000_000)],
      ["trainEpoch", () => tp4a.probes.trainEpoch.run(reference.trainEpoch, 1_000_000)],
      ["trainEpoch, leaking", () => tp4a.probes.trainEpoch.run(M.leaksLoss, 1_000_000)],
    ];
    for (const [name, run] of runs) {
      const before = tf.memory().numTensors;
      const c = runCase(run);
      expect("value" in c, `${name}: ${JSON.stringify(c).slice(0, 200)}`).toBe(true);
      expect(tf.memory().numTensors, name).toBe(before);
    }
  });

  it("build the student's layers from the seed without moving the notebook's seed sequence (later cells get the same weights)", () => {
    const firstLayerAfter = (probe: () => void) => {
      manualSeed(5);
      probe();
      const layer = new Linear(3, 2);
      const weights = Array.from(layer.weight.dataSync());
      layer.dispose();
      return weights;
    };
    const untouched = firstLayerAfter(() => undefined);
    expect(firstLayerAfter(() => void runCase(() => tp4a.probes.makeLeNet.run(reference.makeLeNet, 7)))).toEqual(
      untouched,
    );
    expect(firstLayerAfter(() => void runCase(() => tp4a.probes.withNewHead.run(reference.withNewHead, 7)))).toEqual(
      untouched,
    );
  });

  it("give the same outputs for the same seed (the grader reruns the solution on the student's seed)", () => {
    const once = runCase(() => tp4a.probes.makeLeNet.run(reference.makeLeNet, 1_000_003));
    const twice = runCase(() => tp4a.probes.makeLeNet.run(reference.makeLeNet, 1_000_003));
    expect(twice).toEqual(once);
  });
});

describe("tp4a.toModelInput", () => {
  it("passes the reference and prints one ✔ line", () => {
    const log = vi.mocked(console.log);
    log.mockClear();
    const v = noLeak(() => tp4a.toModelInput(reference.toModelInput));
    expect(v.ok).toBe(true);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toMatch(/^✔ toModelInput/);
  });

  it("says not implemented for the lab's stub", () => {
    const v = noLeak(() => tp4a.toModelInput(stub("toModelInput")));
    expect(v).toMatchObject({ ok: false, notImplemented: true, message: "toModelInput: not implemented yet" });
  });

  it.each([
    ["channels left last (NHWC)", M.channelsLast, /channels are still last.*transpose\(\[0, 3, 1, 2\]\)/],
    ["a reshape instead of a transpose", M.reshapeNotTranspose, /reshape keeps the memory order/],
    ["bytes not scaled to [0, 1]", M.notScaled, /\[0, 255\]: divide by 255/],
    ["divided by the batch maximum", M.byBatchMax, /divided by the batch's maximum/],
  ])("names the mistake: %s", (_, wrong, hint) => {
    const v = noLeak(() => tp4a.toModelInput(wrong));
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(hint);
  });

  it("asks for a cast when integers are divided", () => {
    const v = noLeak(() => tp4a.toModelInput(M.noCast));
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/dtype int32; expected float32/);
    expect(v.hint).toMatch(/toFloat\(\)/);
  });
});

describe("tp4a.leNet", () => {
  const lenet =
    (options: { padding?: number; flat?: number; softmax?: boolean } = {}) =>
    () =>
      new Sequential(
        new Conv2d(1, 6, 5, { padding: options.padding ?? 2 }),
        new ReLU(),
        new MaxPool2d(2),
        new Conv2d(6, 16, 5),
        new ReLU(),
        new MaxPool2d(2),
        new Flatten(),
        new Linear(options.flat ?? 400, 120),
        new ReLU(),
        new Linear(120, 84),
        new ReLU(),
        new Linear(84, 10),
        ...(options.softmax ? [new Softmax(-1)] : []),
      );

  it("passes LeNet-5, however its layers are written (16 * 5 * 5 or 400)", () => {
    expect(noLeak(() => tp4a.leNet(reference.makeLeNet)).ok).toBe(true);
    expect(noLeak(() => tp4a.leNet(lenet())).ok).toBe(true);
  });

  it("says not implemented for the lab's stub", () => {
    expect(noLeak(() => tp4a.leNet(stub("makeLeNet")))).toMatchObject({ ok: false, notImplemented: true });
  });

  it("names the missing padding and the expected in-features when the flatten size is wrong", () => {
    const v = noLeak(() => tp4a.leNet(lenet({ padding: 0 })));
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/256 features.*expected 400/);
    expect(v.hint).toMatch(/padding: 2 on the first conv.*16·4·4 = 256.*16·5·5 = 400/);
  });

  it("also when the student made the Linear fit the unpadded flatten", () => {
    const v = noLeak(() => tp4a.leNet(lenet({ padding: 0, flat: 256 })));
    expect(v.message).toMatch(/first Linear takes 256 features; LeNet-5's takes 16·5·5 = 400/);
    expect(v.hint).toMatch(/forgot padding: 2/);
  });

  it("spots a softmax at the end (double softmax with the cross-entropy)", () => {
    const v = noLeak(() => tp4a.leNet(M.softmaxLeNet));
    expect(v.message).toMatch(/probabilities/);
    expect(v.hint).toMatch(/drop the final Softmax.*applied twice/);
  });

  it.each([
    ["missing activations", M.noActivations, /no activations: add nn.ReLU\(\)/],
    ["tanh where the lab asks for ReLU", M.tanhLeNet, /uses nn.ReLU\(\).*original used tanh/],
    ["average pooling", M.avgPoolLeNet, /nn.MaxPool2d\(2\)/],
  ])("names the mistake: %s", (_, wrong, hint) => {
    const v = noLeak(() => tp4a.leNet(wrong));
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(hint);
  });

  it("names the first parameter whose shape differs, from the recorded LeNet-5", () => {
    const v = noLeak(() =>
      tp4a.leNet(
        () =>
          new Sequential(
            new Conv2d(1, 8, 5, { padding: 2 }),
            new ReLU(),
            new MaxPool2d(2),
            new Conv2d(8, 16, 5),
            new ReLU(),
            new MaxPool2d(2),
            new Flatten(),
            new Linear(400, 10),
          ),
      ),
    );
    expect(v.message).toMatch(
      /parameter 1 \(conv1 weight\) has shape \[8, ?1, ?5, ?5\]; LeNet-5 has \[6, ?1, ?5, ?5\]/,
    );
  });

  it("says what was returned when it is no model", () => {
    expect(noLeak(() => tp4a.leNet((() => undefined) as unknown as () => Module)).message).toMatch(
      /returned undefined; expected an nn.Module/,
    );
  });
});

describe("tp4a.lossFn", () => {
  it("passes the hand-written reference", () => {
    expect(noLeak(() => tp4a.lossFn(reference.lossFn)).ok).toBe(true);
  });

  it("says not implemented for the lab's stub", () => {
    expect(noLeak(() => tp4a.lossFn(stub("lossFn")))).toMatchObject({ ok: false, notImplemented: true });
  });

  it.each([
    ["softmax before the cross-entropy", M.doubleSoftmax, /double softmax/],
    ["sum instead of mean", M.sumNotMean, /summed over the batch/],
    ["no log-softmax", M.noSoftmax, /log-softmax missing/],
  ])("names the mistake: %s", (_, wrong, hint) => {
    const v = noLeak(() => tp4a.lossFn(wrong));
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(hint);
  });

  it("explains indices vs one-hot when the labels are used as one-hot rows", () => {
    const v = noLeak(() => tp4a.lossFn(M.labelsAsOneHot));
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(/class indices \[n\].*not one-hot.*tf.oneHot/);
  });

  it("asks for a mean when the loss is per example", () => {
    const v = noLeak(() => tp4a.lossFn(M.perExample));
    expect(v.message).toMatch(/expected a scalar/);
    expect(v.hint).toMatch(/\.mean\(\)/);
  });
});

describe("tp4a.predict", () => {
  it("passes the reference", () => {
    expect(noLeak(() => tp4a.predict(reference.predict)).ok).toBe(true);
  });

  it("says not implemented for the lab's stub", () => {
    expect(noLeak(() => tp4a.predict(stub("predict")))).toMatchObject({ ok: false, notImplemented: true });
  });

  it("names a forgotten model.eval() (Dropout still on)", () => {
    const v = noLeak(() => tp4a.predict(M.noEval));
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/training mode/);
    expect(v.hint).toMatch(/model.eval\(\)/);
  });

  it.each([
    ["scores instead of class indices", M.scores, /argMax\(1\)/],
    ["argMax over the batch axis", M.argMaxAxis0, /axis 0 is the batch/],
    ["the whole set in one batch", M.oneBatch, /slice x into batches/],
    ["tensors left behind", M.leaks, /tf.tidy/],
  ])("names the mistake: %s", (_, wrong, hint) => {
    const v = noLeak(() => tp4a.predict(wrong));
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(hint);
  });
});

describe("tp4a.withNewHead", () => {
  it("passes the reference", () => {
    expect(noLeak(() => tp4a.withNewHead(reference.withNewHead)).ok).toBe(true);
  });

  it("says not implemented for the lab's stub", () => {
    expect(noLeak(() => tp4a.withNewHead(stub("withNewHead")))).toMatchObject({ ok: false, notImplemented: true });
  });

  it.each([
    ["the old head kept", M.keepHead, /replace the last Linear/],
    ["a fresh network", M.freshNetwork, /reuse the pretrained layers/],
    ["a head stacked on the old one", M.stacked, /replace the last layer rather than adding one/],
  ])("names the mistake: %s", (_, wrong, hint) => {
    const v = noLeak(() => tp4a.withNewHead(wrong));
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(hint);
  });
});

describe("tp4a.trainEpoch", () => {
  it("passes the reference", () => {
    expect(noLeak(() => tp4a.trainEpoch(reference.trainEpoch)).ok).toBe(true);
  });

  it("says not implemented for the lab's stub", () => {
    expect(noLeak(() => tp4a.trainEpoch(stub("trainEpoch")))).toMatchObject({ ok: false, notImplemented: true });
  });

  it.each([
    ["no model.train() after predict's eval()", M.noTrainMode, /model.train\(\)/],
    ["the parameters never stepped", M.noStep, /no loss.backward\(\): optimizer.step/],
    ["the loss never disposed", M.leaksLoss, /dispose the loss/],
    ["the sum of the losses returned", M.sumOfLosses, /mean batch loss.*divide by the number of batches/],
  ])("names the mistake: %s", (_, wrong, hint) => {
    const v = noLeak(() => tp4a.trainEpoch(wrong));
    expect(v.ok).toBe(false);
    expect(v.hint).toMatch(hint);
  });
});

describe("tp4a result checks (in the student's kernel)", () => {
  it("leNetAccuracy: not implemented without a model, and computes the accuracy itself", () => {
    expect(tp4a.leNetAccuracy(undefined, undefined)).toMatchObject({ ok: false, notImplemented: true });
    const model = reference.makeLeNet();
    const test = { x: tf.zeros([20, 1, 28, 28]), y: tf.zeros([20], "int32") };
    const v = noLeak(() => tp4a.leNetAccuracy(model, test));
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(/^LeNet-5 test accuracy: \d+\.\d\d% on 20 test images; expected ≥ 97%/);
    expect(noLeak(() => tp4a.leNetAccuracy(model, test, 0)).ok).toBe(true);
    tf.dispose([test.x, test.y]);
    model.dispose();
  });

  it("leNetAccuracy: refuses a model that is not LeNet-5 (the recorded parameter count)", () => {
    const model = new Sequential(new Flatten(), new Linear(784, 10));
    const test = { x: tf.zeros([4, 1, 28, 28]), y: tf.zeros([4], "int32") };
    expect(tp4a.leNetAccuracy(model, test, 0).message).toMatch(/7,850 parameters, not LeNet-5's 61,706/);
    tf.dispose([test.x, test.y]);
    model.dispose();
  });

  it("fineTuneWins: equal budgets, the fine-tuned one ahead", () => {
    expect(tp4a.fineTuneWins(undefined, undefined)).toMatchObject({ ok: false, notImplemented: true });
    expect(tp4a.fineTuneWins([0.8, 0.9], [0.5, 0.7]).ok).toBe(true);
    expect(tp4a.fineTuneWins([0.5, 0.6], [0.5, 0.7]).ok).toBe(false);
    expect(tp4a.fineTuneWins([0.8, 0.9, 0.95], [0.5, 0.7]).message).toMatch(/equal budget/);
  });
});

describe("the trained-model probes and their scoring (in the grader's process)", () => {
  const test = () => ({
    x: tf.randomUniform([600, 1, 28, 28], 0, 1, "float32", 3),
    y: tf.tidy(() => tf.randomUniform([600], 0, 10, "float32", 4).floor().toInt()),
  });

  it("record predictions and labels of a seeded subset of 500 test images, the same for the same seed", () => {
    const data = test();
    const model = withManualSeed(1, reference.makeLeNet);
    const before = tf.memory().numTensors;
    const a = runCase(() => tp4a.probes.leNetPredictions.run({ model, test: data }, 1_000_000));
    const b = runCase(() => tp4a.probes.leNetPredictions.run({ model, test: data }, 1_000_000));
    const c = runCase(() => tp4a.probes.leNetPredictions.run({ model, test: data }, 1_007_919));
    expect(tf.memory().numTensors).toBe(before);
    expect(a).toEqual(b);
    const value = (a as { value: Record<string, { tensor: { shape: number[] } }> }).value;
    expect(value.predicted.tensor.shape).toEqual([500]);
    expect(value.labels.tensor.shape).toEqual([500]);
    expect((a as { value: Record<string, unknown> }).value.parameters).toBe(61706);
    expect(c).not.toEqual(a);
    const both = runCase(() =>
      tp4a.probes.fineTunePredictions.run({ fineTuned: model, scratch: model, test: data }, 1_000_000),
    );
    expect(Object.keys((both as { value: object }).value)).toEqual(["fineTuned", "labels", "scratch"]);
    model.dispose();
    tf.dispose([data.x, data.y]);
  });

  const ints = (values: number[]): Recorded => ({ tensor: { dtype: "int32", shape: [values.length], values } });
  const labels = Array.from({ length: 500 }, (_, i) => i % 10);
  /** `wrong` of the 500 predictions off the labels. */
  const off = (wrong: number) => labels.map((l, i) => (i < wrong ? (l + 1) % 10 : l));
  const record = (name: string, cases: Record<string, Recorded>[], seed = 1_000_000): RecordOutput => ({
    name,
    seed,
    cases: cases.map((value) => ({ value })),
  });
  const lenetRecord = (predicted: number[], own = labels, parameters = 61706, seed?: number) =>
    record(
      "leNetPredictions",
      [0, 1, 2].map(() => ({ labels: ints(own), parameters, predicted: ints(predicted) })),
      seed,
    );
  const score = (id: string, student: RecordOutput | undefined, solution: RecordOutput) =>
    course.scoring![id](new Map([[solution.name, student]]), new Map([[solution.name, solution]]));

  it(`test_lenet_accuracy: full marks at ${100 * LENET_SUBSET_BAR}% of the solution's labels, none below`, () => {
    const solution = lenetRecord(off(5));
    const bar = Math.round(500 * (1 - LENET_SUBSET_BAR));
    expect(score("test_lenet_accuracy", lenetRecord(off(bar)), solution)).toEqual({ fraction: 1, message: "" });
    const below = score("test_lenet_accuracy", lenetRecord(off(bar + 1)), solution);
    expect(below.fraction).toBe(0);
    expect(below.message).toMatch(/95\.8% accurate on 1500 test images.*at least 96\.0%/);
  });

  it("test_lenet_accuracy: never reads the student's own labels", () => {
    const solution = lenetRecord(off(0));
    const cheat = lenetRecord(off(250), off(250));
    expect(score("test_lenet_accuracy", cheat, solution).fraction).toBe(0);
  });

  it("test_lenet_accuracy: a model other than LeNet-5, another seed or no record earns nothing", () => {
    const solution = lenetRecord(off(0));
    expect(score("test_lenet_accuracy", lenetRecord(off(0), labels, 7850), solution).message).toMatch(
      /7850 parameters, not LeNet-5's 61706/,
    );
    expect(score("test_lenet_accuracy", lenetRecord(off(0), labels, 61706, 1_000_001), solution).message).toMatch(
      /seed 1000001/,
    );
    expect(score("test_lenet_accuracy", undefined, solution).message).toMatch(/recorded nothing/);
    const threw: RecordOutput = {
      name: "leNetPredictions",
      seed: 1_000_000,
      cases: [0, 1, 2].map(() => ({ error: "Cannot read properties of undefined (reading 'numParameters')" })),
    };
    expect(score("test_lenet_accuracy", threw, solution)).toMatchObject({
      fraction: 0,
      message: expect.stringMatching(/threw: Cannot read/),
    });
  });

  const finetuneRecord = (fineTuned: number[], scratch: number[], own = labels) =>
    record(
      "fineTunePredictions",
      [0, 1, 2].map(() => ({ fineTuned: ints(fineTuned), labels: ints(own), scratch: ints(scratch) })),
    );

  it("test_finetune_wins: the fine-tuned network must beat the one from scratch on the solution's labels", () => {
    const solution = finetuneRecord(off(50), off(150));
    expect(score("test_finetune_wins", finetuneRecord(off(100), off(120)), solution)).toEqual({
      fraction: 1,
      message: "",
    });
    const lost = score("test_finetune_wins", finetuneRecord(off(120), off(120)), solution);
    expect(lost.fraction).toBe(0);
    expect(lost.message).toMatch(/fine-tuned 76\.0% vs 76\.0% from scratch/);
    // The student's own labels, made to favour the fine-tuned predictions, are not read.
    expect(score("test_finetune_wins", finetuneRecord(off(300), off(100), off(300)), solution).fraction).toBe(0);
  });
});
