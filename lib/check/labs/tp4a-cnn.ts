/**
 * TP4a's checks (convolutional networks on MNIST digits): a probe for each
 * TODO, whose outputs the public check compares with the outputs recorded at
 * release (lib/check/records/tp4a-cnn.json), after property checks that need
 * no reference (shapes, dtypes, eval mode, batches, leaks); and the result
 * checks (LeNet-5's test accuracy, fine-tuning beating training from scratch).
 * A check prints one line and returns the Verdict.
 *
 *   check.assertOk(check.tp4a.leNet(makeLeNet));
 *   // ✘ makeLeNet: the first Linear takes 256 features; LeNet-5's takes 16·5·5 = 400 — forgot padding: 2 on the first conv? …
 *
 * Hidden tests record (check.record) what the probes compute on the grading
 * seed, and what the notebook's trained models predict on a seeded subset of
 * the test set (probes.leNetPredictions, probes.fineTunePredictions).
 *
 * Layout is PyTorch's, as lib/nn's: images [n, C, H, W], logits [n, classes],
 * labels as int32 class indices [n].
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Batch } from "../../data/dataset";
import { Random } from "../../data/random";
import { crossEntropy, Dropout, Flatten, Linear, Module, ReLU, Sequential } from "../../nn";
import { Optimizer, SGD } from "../../optim";
import { accuracy, evaluate } from "../../train";
import { checkRecorded } from "../checkRecorded";
import { NotImplementedError } from "../notImplemented";
import type { Probe } from "../probe";
import { tensorsLeftBy, withModule } from "../probeHelpers";
import type { Recorded } from "../recorded";
import { loadRecords } from "../records";
import { thrown } from "../thrown";
import { report, Verdict } from "../verdict";
import { showShape } from "../values";

/** The lab's `toModelInput(raw)`: image bytes [n, H, W, C] → float32 [n, C, H, W] in [0, 1]. */
export type ToModelInput = (raw: tf.Tensor4D) => tf.Tensor;
/** The lab's `makeLeNet()`: LeNet-5 for [n, 1, 28, 28] images, giving logits [n, 10]. */
export type MakeLeNet = () => Module;
/** The lab's `lossFn(logits, y)`: logits [n, classes] and int32 class indices [n] → the mean cross-entropy, a scalar. */
export type LossFn = (logits: tf.Tensor, y: tf.Tensor) => tf.Tensor;
/** The lab's `predict(model, x, batchSize)`: class indices [n], in eval mode, `batchSize` images at a time, leaving no tensors behind. */
export type Predict = (model: Module, x: tf.Tensor, batchSize: number) => tf.Tensor;
/** The lab's `withNewHead(pretrained, numClasses)`: the pretrained layers with a fresh last Linear of `numClasses` outputs. */
export type WithNewHead = (pretrained: Sequential, numClasses: number) => Module;
/** The lab's `trainEpoch(model, optimizer, loader, lossFn)`: one pass over the loader in training mode; returns the mean batch loss. */
export type TrainEpoch = (
  model: Module,
  optimizer: Optimizer,
  loader: Iterable<Batch>,
  lossFn: (logits: tf.Tensor, y: tf.Tensor) => tf.Scalar,
) => number;

const LAB = "tp4a-cnn";

// ---------------------------------------------------------------------------
// What all checks share.

function isModule(m: unknown): m is Module {
  return (
    m instanceof Module ||
    (m !== null &&
      typeof m === "object" &&
      typeof (m as Module).forward === "function" &&
      typeof (m as Module).parameters === "function")
  );
}

/** The reference's recorded output on the first public seed, when the kit has it (checkRecorded reports when it does not). */
function recordedReference(probe: Probe<never>): Recorded | undefined {
  try {
    const first = loadRecords(probe.lab).checks[probe.name]?.expected[0];
    return first && "value" in first ? first.value : undefined;
  } catch {
    return undefined;
  }
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** The seed of the property checks: the first public seed (tfjs draws unseeded for a seed of 0, so never 0). */
const SEED = 7;

/** A model that records, at every forward, its mode and the batch size. */
class Spy extends Module {
  readonly modes: boolean[] = [];
  readonly batches: number[] = [];
  constructor(readonly inner: Module) {
    super();
    this.registerModule("inner", inner);
  }
  forward(x: tf.Tensor): tf.Tensor {
    this.modes.push(this.training);
    this.batches.push(x.shape[0] ?? 1);
    return this.inner.forward(x);
  }
}

/** A small classifier with Dropout (so eval mode matters), on [n, 3, 2, 2] inputs, 4 classes. */
function dropoutNet(seed: number): Sequential {
  return new Sequential(
    new Flatten(),
    new Linear(12, 16, { seed }),
    new ReLU(),
    new Dropout(0.5, { seed: seed + 1 }),
    new Linear(16, 4, { seed: seed + 2 }),
  );
}

// ---------------------------------------------------------------------------
// toModelInput(raw): [n, H, W, C] bytes → [n, C, H, W] float32 in [0, 1]

/** Grey images and 3-channel ones (where a reshape is not a transpose), by seed; small, so that their records are. */
const RAW_SHAPES: [number, number, number, number][] = [
  [2, 5, 4, 1],
  [2, 3, 4, 3],
  [1, 4, 3, 3],
];

function rawImages(seed: number): tf.Tensor4D {
  // Below 230, so that dividing by the batch's maximum is told apart from dividing by 255.
  return tf.tidy(
    () =>
      tf
        .randomUniform(RAW_SHAPES[seed % RAW_SHAPES.length], 0, 230, "float32", seed)
        .floor()
        .toInt() as tf.Tensor4D,
  );
}

const toModelInputProbe: Probe<ToModelInput> = {
  lab: LAB,
  name: "toModelInput",
  run: (toModelInput, seed) => toModelInput(rawImages(seed)),
};

/** Checks `toModelInput`: a float32 tensor, then the recorded outputs on grey and 3-channel images [n, H, W, C]. */
export function toModelInput(student: ToModelInput): Verdict {
  const name = "toModelInput";
  const inspect = (out: unknown): Verdict | null => {
    if (!(out instanceof tf.Tensor))
      return { ok: false, message: `${name} returned ${typeof out}; expected a tensor [n, C, H, W]` };
    if (out.dtype !== "float32") {
      return {
        ok: false,
        message: `${name} returned dtype ${out.dtype}; expected float32`,
        hint: "cast first with raw.toFloat(): integer division rounds every pixel but white down to 0",
      };
    }
    return null;
  };
  return checkRecorded(toModelInputProbe, student, { inspect });
}

// ---------------------------------------------------------------------------
// makeLeNet(): LeNet-5 for [n, 1, 28, 28] inputs

const leNetProbe: Probe<MakeLeNet, { logits: tf.Tensor; shapes: number[][] }> = {
  lab: LAB,
  name: "makeLeNet",
  run: (makeLeNet, seed) =>
    withModule(seed, makeLeNet, (model) => {
      const x = tf.randomUniform([3, 1, 28, 28], 0, 1, "float32", seed);
      return { logits: model.train(false).forward(x), shapes: model.parameters().map((p) => p.shape) };
    }),
  errorHints: [
    {
      when: /input has 256 features.*expected 400/,
      hint: "forgot padding: 2 on the first conv? Without it the flatten gives 16·4·4 = 256 features; LeNet-5's first Linear takes 16·5·5 = 400",
    },
    {
      when: /features.*expected/,
      hint: "the first Linear's in-features must be what Flatten gives: 16 channels · 5 · 5 = 400 with padding 2 on the first conv",
    },
    {
      when: /channels/,
      hint: "images are [n, 1, 28, 28]: the first conv takes 1 channel, the second takes the first's 6",
    },
  ],
};

/** "conv1 weight", "fc2 bias", …: the names of LeNet-5's parameters, from their shapes. */
function parameterNames(shapes: number[][]): string[] {
  let convs = 0;
  let linears = 0;
  let last = "";
  return shapes.map((s) => {
    if (s.length === 4) last = `conv${++convs}`;
    else if (s.length === 2) last = `fc${++linears}`;
    return `${last} ${s.length === 1 ? "bias" : "weight"}`;
  });
}

/** Why the parameter shapes differ from the recorded LeNet-5's, as precisely as can be told. */
function lenetShapeProblem(shapes: number[][], expected: number[][]): Verdict | null {
  const firstLinear = shapes.find((s) => s.length === 2);
  if (firstLinear && firstLinear[1] === 16 * 4 * 4) {
    return {
      ok: false,
      message: `makeLeNet: the first Linear takes ${firstLinear[1]} features; LeNet-5's takes 16·5·5 = 400`,
      hint: "forgot padding: 2 on the first conv? Without it 28×28 → 24 → 12 → 8 → 4, so the flatten gives 16·4·4 = 256 instead of 400",
    };
  }
  const names = parameterNames(expected);
  for (let i = 0; i < expected.length; i++) {
    const got = shapes[i];
    if (!got || !tf.util.arraysEqual(got, expected[i])) {
      return {
        ok: false,
        message: `makeLeNet: parameter ${i + 1} (${names[i]}) has shape ${got ? showShape(got) : "none"}; LeNet-5 has ${showShape(expected[i])}`,
        hint: "conv 6@5×5 (padding 2) → pool → conv 16@5×5 → pool → Linear 400→120 → 84 → 10; weights are [out, in, kH, kW] and [out, in]",
      };
    }
  }
  const [count, want] = [shapes, expected].map((ss) => ss.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0));
  if (count !== want)
    return {
      ok: false,
      message: `makeLeNet: ${fmt(count)} parameters; LeNet-5 has ${fmt(want)}`,
      hint: "extra layers, or a bias switched off?",
    };
  return null;
}

/** The parameter shapes of the recorded LeNet-5. */
function recordedLeNetShapes(): number[][] | undefined {
  const value = recordedReference(leNetProbe as Probe<never>);
  const shapes =
    value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, Recorded>).shapes
      : undefined;
  return Array.isArray(shapes) ? (shapes as number[][]) : undefined;
}

/** Output [n, 10] logits (no softmax) for [n, 1, 28, 28] inputs, LeNet-5's parameter shapes, then the recorded outputs of the seeded model. */
export function leNet(makeLeNet: MakeLeNet): Verdict {
  const name = "makeLeNet";
  const before = (): Verdict | null =>
    withModule(SEED, makeLeNet as () => unknown, (model) =>
      isModule(model)
        ? null
        : {
            ok: false,
            message: `${name} returned ${model === undefined ? "undefined" : typeof model}; expected an nn.Module (e.g. new nn.Sequential(...))`,
          },
    );
  const inspect = ({ logits: out, shapes }: { logits: tf.Tensor; shapes: number[][] }): Verdict | null => {
    if (!tf.util.arraysEqual(out.shape, [3, 10])) {
      const hint =
        out.rank === 4
          ? "flatten before the Linear layers (nn.Flatten)"
          : "the last Linear gives 10 logits, one per digit";
      return {
        ok: false,
        message: `${name}: output has shape ${showShape(out.shape)} for 3 images of [1, 28, 28]; expected [3, 10]`,
        hint,
      };
    }
    const sums = out.sum(1).dataSync();
    if (out.min().dataSync()[0] >= 0 && Array.from(sums).every((s) => Math.abs(s - 1) < 1e-4)) {
      return {
        ok: false,
        message: `${name}: the outputs are probabilities (each row sums to 1); expected logits`,
        hint: "drop the final Softmax: nn.crossEntropy (like PyTorch's CrossEntropyLoss) applies log-softmax itself, so a softmax before it is applied twice",
      };
    }
    const expected = recordedLeNetShapes();
    return expected ? lenetShapeProblem(shapes, expected) : null;
  };
  return checkRecorded(leNetProbe, makeLeNet, { before, inspect });
}

// ---------------------------------------------------------------------------
// lossFn(logits, y): the mean cross-entropy, y class indices

const ONE_HOT_HINT =
  "y holds class indices [n] (int32), not one-hot rows [n, 10]: make them one-hot with tf.oneHot(y, 10) before multiplying — or pass the indices to nn.crossEntropy (PyTorch's F.cross_entropy takes indices too)";

/** Batch sizes, by seed: 10 = the number of classes, where indices used as one-hot broadcast silently. */
const LOSS_BATCHES = [8, 10, 5];

function lossInputs(seed: number): [tf.Tensor, tf.Tensor] {
  const n = LOSS_BATCHES[seed % LOSS_BATCHES.length];
  return [
    tf.randomNormal([n, 10], 0, 2, "float32", seed),
    tf.tidy(() =>
      tf
        .randomUniform([n], 0, 10, "float32", seed + 100)
        .floor()
        .toInt(),
    ),
  ];
}

const lossFnProbe: Probe<LossFn> = {
  lab: LAB,
  name: "lossFn",
  run: (lossFn, seed) => lossFn(...lossInputs(seed)),
  errorHints: [
    { when: /broadcast/i, hint: ONE_HOT_HINT },
    {
      when: /float target|dtype float32, expected int32/,
      hint: "keep y as int32 class indices: nn.crossEntropy takes indices, or one-hot rows of the logits' shape",
    },
  ],
};

/** Checks `lossFn` on logits [n, 10] and class indices [n] (n = 10 among them, where one-hot mistakes broadcast silently) against the recorded losses. */
export function lossFn(student: LossFn): Verdict {
  const name = "lossFn";
  const inspect = (out: unknown): Verdict | null =>
    out instanceof tf.Tensor && out.rank !== 0
      ? {
          ok: false,
          message: `${name} returned shape ${showShape(out.shape)}; expected a scalar (the batch mean)`,
          hint: "reduce the per-example losses with .mean()",
        }
      : null;
  return checkRecorded(lossFnProbe, student, { inspect });
}

// ---------------------------------------------------------------------------
// predict(model, x, batchSize): class indices, in eval mode, in batches, no leaks

const PREDICT_IMAGES = 70;
const PREDICT_BATCH = 32;

/** What the student's predict did with a model in training mode: its result, whether the model ran in training mode or on a batch over batchSize, the tensors left behind. */
const predictProbe: Probe<
  Predict,
  { predicted: unknown; trainingMode: boolean; withinBatchSize: boolean; leaked: number }
> = {
  lab: LAB,
  name: "predict",
  run: (predict, seed) => {
    const x = tf.randomNormal([PREDICT_IMAGES, 3, 2, 2], 0, 1, "float32", seed);
    const spy = new Spy(dropoutNet(seed));
    try {
      spy.train();
      const { returned: predicted, leaked } = tensorsLeftBy(() => predict(spy, x, PREDICT_BATCH), {
        exceptReturned: true,
      });
      return {
        predicted,
        trainingMode: spy.modes.some((m) => m),
        withinBatchSize: spy.batches.every((b) => b <= PREDICT_BATCH),
        leaked,
      };
    } finally {
      spy.dispose();
    }
  },
};

/** Checks `predict`: class indices [n] (not scores), eval mode, batches of at most batchSize, no tensors left behind, then the recorded predictions. */
export function predict(student: Predict): Verdict {
  const name = "predict";
  const n = PREDICT_IMAGES;
  const inspect = ({
    predicted: out,
    trainingMode,
    withinBatchSize,
    leaked,
  }: {
    predicted: unknown;
    trainingMode: boolean;
    withinBatchSize: boolean;
    leaked: number;
  }): Verdict | null => {
    if (!(out instanceof tf.Tensor))
      return { ok: false, message: `${name} returned ${typeof out}; expected a tensor of class indices [n]` };
    if (out.rank === 2) {
      return {
        ok: false,
        message: `${name} returned shape ${showShape(out.shape)}: scores; expected class indices [${n}]`,
        hint: "take the class with the highest score: .argMax(1)",
      };
    }
    if (!tf.util.arraysEqual(out.shape, [n])) {
      const hint = out.shape[0] === 4 ? "argMax over axis 1, the classes — axis 0 is the batch" : undefined;
      return {
        ok: false,
        message: `${name} returned shape ${showShape(out.shape)} for ${n} images; expected [${n}]`,
        hint,
      };
    }
    if (trainingMode) {
      return {
        ok: false,
        message: `${name}: the model was in training mode during the forward pass, so Dropout dropped units and the predictions are random`,
        hint: "call model.eval() first (PyTorch: model.eval()); the training loop switches back with model.train()",
      };
    }
    if (!withinBatchSize) {
      return {
        ok: false,
        message: `${name}: forward ran on more than batchSize = ${PREDICT_BATCH} images at once; expected batches of at most that`,
        hint: "slice x into batches (x.slice(start, size)), predict each, then tf.concat: a whole test set at once can exhaust memory",
      };
    }
    if (leaked > 0) {
      return {
        ok: false,
        message: `${name}: ${leaked} tensor(s) left behind (tf.memory().numTensors grew by ${leaked + 1} for 1 result)`,
        hint: "wrap each batch's work in tf.tidy(() => ...), and dispose the per-batch parts after tf.concat",
      };
    }
    return null;
  };
  return checkRecorded(predictProbe, student, { inspect });
}

// ---------------------------------------------------------------------------
// withNewHead(pretrained, numClasses): the pretrained features, a fresh last Linear

/**
 * A "pretrained" net: Flatten, Linear 12→8, ReLU, Linear 8→3 (its head), with
 * weights from seeds apart from those the student's new layers draw (`seed`
 * on): a network built afresh does not get the pretrained weights by chance.
 */
function tinyPretrained(seed: number): Sequential {
  return new Sequential(
    new Flatten(),
    new Linear(12, 8, { seed: seed + 101 }),
    new ReLU(),
    new Linear(8, 3, { seed: seed + 202 }),
  );
}

const NEW_CLASSES = 5;

/** The student's model on a tiny pretrained net (its new layers built from `seed`), and what it computes; every weight freed. */
function runWithNewHead<T>(student: WithNewHead, seed: number, use: (model: unknown) => T): T {
  const pretrained = tinyPretrained(seed);
  try {
    // The student's model shares the pretrained layers; disposing a tensor twice is harmless.
    return withModule(seed, () => student(pretrained, NEW_CLASSES) as unknown, use);
  } finally {
    pretrained.dispose();
  }
}

const withNewHeadProbe: Probe<WithNewHead> = {
  lab: LAB,
  name: "withNewHead",
  run: (withNewHead, seed) =>
    runWithNewHead(withNewHead, seed, (model) => {
      const m = model as Module;
      return {
        logits: m.train(false).forward(tf.randomNormal([6, 3, 2, 2], 0, 1, "float32", seed)),
        shapes: m.parameters().map((p) => p.shape),
      };
    }),
};

/** Checks `withNewHead` on a tiny pretrained net: numClasses outputs, the feature layers' pretrained weights kept, the old head gone, then the recorded logits. */
export function withNewHead(student: WithNewHead): Verdict {
  const name = "withNewHead";
  const original = tinyPretrained(SEED);
  try {
    const before = (): Verdict | null =>
      runWithNewHead(student, SEED, (model): Verdict | null => {
        if (!isModule(model)) return { ok: false, message: `${name} returned ${typeof model}; expected an nn.Module` };
        const out = model.train(false).forward(tf.randomNormal([6, 3, 2, 2], 0, 1, "float32", SEED));
        if (tf.util.arraysEqual(out.shape, [6, 3])) {
          return {
            ok: false,
            message: `${name}: the output has the pretrained model's 3 classes; expected numClasses = ${NEW_CLASSES}`,
            hint: "replace the last Linear (the head) by a new nn.Linear(head.inFeatures, numClasses)",
          };
        }
        if (!tf.util.arraysEqual(out.shape, [6, NEW_CLASSES]))
          return {
            ok: false,
            message: `${name}: output has shape ${showShape(out.shape)}; expected [6, ${NEW_CLASSES}]`,
          };
        const params = model.parameters();
        const features = original.parameters().slice(0, 2);
        const kept = features.every((w) =>
          params.some((p) => tf.util.arraysEqual(p.shape, w.shape) && p.sub(w).abs().max().dataSync()[0] < 1e-6),
        );
        if (!kept) {
          return {
            ok: false,
            message: `${name}: the feature layers do not hold the pretrained weights`,
            hint: "reuse the pretrained layers (pretrained.layers.slice(0, -1)): a new network throws away what pretraining learned",
          };
        }
        if (params.length > 4 || params.some((p) => tf.util.arraysEqual(p.shape, [3, 8]))) {
          return {
            ok: false,
            message: `${name}: the old head (Linear 8→3) is still in the model`,
            hint: "replace the last layer rather than adding one after it: drop pretrained.layers' last entry",
          };
        }
        return null;
      });
    return checkRecorded(withNewHeadProbe, student, { before });
  } finally {
    original.dispose();
  }
}

// ---------------------------------------------------------------------------
// trainEpoch(model, optimizer, loader, lossFn): one pass, by hand

function trainingSet(seed: number): Batch[] {
  return [0, 1, 2, 3].map((i) => ({
    x: tf.randomNormal([8, 3, 2, 2], 0, 1, "float32", seed + 10 * i),
    y: tf.tidy(() =>
      tf
        .randomUniform([8], 0, 4, "float32", seed + 10 * i + 1)
        .floor()
        .toInt(),
    ),
  }));
}

/** The kit's cross-entropy: the probe trains with it, so that trainEpoch is checked apart from the lab's lossFn. */
const kitLoss = (logits: tf.Tensor, y: tf.Tensor) => crossEntropy(logits, y) as tf.Scalar;

/** What one epoch of trainEpoch did, as the probe records it. */
interface EpochOutputs {
  loss: unknown;
  /** The net's logits on the first batch after the epoch (eval mode). */
  logitsAfter: tf.Tensor;
  /** The net ran, and only in training mode. */
  trainingMode: boolean;
  leaked: number;
}

/**
 * One epoch of the student's trainEpoch on a small Dropout net left in eval
 * mode (as predict leaves it), SGD lr 0.1: what it returned, the net's logits
 * on the first batch after (eval mode), whether the net ran in training mode
 * only, and the tensors left behind.
 */
const trainEpochProbe: Probe<TrainEpoch, EpochOutputs> = {
  lab: LAB,
  name: "trainEpoch",
  run: (trainEpoch, seed) => {
    const batches = trainingSet(seed);
    const spy = new Spy(dropoutNet(seed));
    const optimizer = new SGD(spy.parameters(), { lr: 0.1 });
    try {
      spy.train(false);
      const { returned: loss, leaked } = tensorsLeftBy(() => trainEpoch(spy, optimizer, batches, kitLoss));
      const logitsAfter = spy.inner.train(false).forward(batches[0].x);
      return { loss, logitsAfter, trainingMode: spy.modes.length > 0 && spy.modes.every((m) => m), leaked };
    } finally {
      spy.dispose();
    }
  },
};

/** The Dropout net's logits on the first batch before any training (eval mode): what an epoch that never steps leaves. */
function untrainedLogits(seed: number): tf.Tensor {
  const net = dropoutNet(seed);
  try {
    return net.train(false).forward(trainingSet(seed)[0].x);
  } finally {
    net.dispose();
  }
}

/** Checks `trainEpoch` on a small Dropout net: training mode, parameters that change, no tensors left behind, then the recorded loss and logits. */
export function trainEpoch(student: TrainEpoch): Verdict {
  const name = "trainEpoch";
  const inspect = ({ logitsAfter, trainingMode, leaked }: EpochOutputs, seed: number): Verdict | null => {
    const unchanged = untrainedLogits(seed).sub(logitsAfter).abs().max().dataSync()[0] === 0;
    if (!trainingMode && unchanged)
      return {
        ok: false,
        message: `${name}: the model never ran in training mode, and its parameters did not change`,
        hint: "for (const { x, y } of loader) { ... model.forward(x) ... }",
      };
    if (!trainingMode) {
      return {
        ok: false,
        message: `${name}: the model was in eval mode while training, so Dropout was off`,
        hint: "call model.train() before the loop (PyTorch: model.train()): predict() left the model in eval mode",
      };
    }
    if (unchanged) {
      return {
        ok: false,
        message: `${name}: the parameters did not change`,
        hint: "tfjs has no loss.backward(): optimizer.step(() => loss) computes the gradients and updates the parameters",
      };
    }
    if (leaked > 0) {
      return {
        ok: false,
        message: `${name}: ${leaked} tensor(s) left behind after one epoch`,
        hint: "dispose the loss that optimizer.step returns once you have read it (PyTorch frees it for you)",
      };
    }
    return null;
  };
  return checkRecorded(trainEpochProbe, student, { inspect });
}

// ---------------------------------------------------------------------------
// Results: the notebook's trained models.

/** The trained LeNet's accuracy on the test set, computed here with train.evaluate (eval mode, batches of 500): at least `minimum`. */
export function leNetAccuracy(model: Module | undefined, test: Batch | undefined, minimum = 0.97): Verdict {
  const name = "LeNet-5 test accuracy";
  if (!model || !test)
    return report(thrown(name, new NotImplementedError("the training of LeNet (makeLeNet, lossFn and its cell)")));
  const expected = recordedLeNetShapes();
  const want = expected?.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  const count = model.numParameters();
  if (want !== undefined && count !== want)
    return report({
      ok: false,
      message: `${name}: the model has ${fmt(count)} parameters, not LeNet-5's ${fmt(want)}`,
    });
  const n = test.x.shape[0]!;
  const batches: Batch[] = [];
  for (let start = 0; start < n; start += 500)
    batches.push({
      x: test.x.slice(start, Math.min(500, n - start)),
      y: test.y.slice(start, Math.min(500, n - start)),
    });
  const correct = evaluate(model, batches, { metrics: { accuracy } }).accuracy;
  tf.dispose(batches.flatMap((b) => [b.x, b.y]));
  const line = `${(100 * correct).toFixed(2)}% on ${n} test images`;
  if (correct >= minimum) return report({ ok: true, message: `${name}: ${line} (≥ ${100 * minimum}%)` });
  return report({
    ok: false,
    message: `${name}: ${line}; expected ≥ ${100 * minimum}%`,
    hint:
      correct < 0.2
        ? "chance level: is the loss decreasing? logits (no softmax) and int32 labels into the loss?"
        : "train longer (more epochs) or check the learning rate; inputs must be in [0, 1]",
  });
}

/** Fine-tuning ends above training from scratch, with the same budget (the same number of epochs). */
export function fineTuneWins(fineTuned: number[] | undefined, scratch: number[] | undefined): Verdict {
  const name = "fine-tuning vs scratch";
  if (!fineTuned?.length || !scratch?.length)
    return report(
      thrown(name, new NotImplementedError("the fine-tuning comparison (withNewHead, trainEpoch and its cell)")),
    );
  if (fineTuned.length !== scratch.length) {
    return report({
      ok: false,
      message: `${name}: ${fineTuned.length} epochs fine-tuned but ${scratch.length} from scratch; compare at equal budget`,
    });
  }
  const [a, b] = [fineTuned[fineTuned.length - 1], scratch[scratch.length - 1]];
  const line = `${(100 * a).toFixed(1)}% fine-tuned vs ${(100 * b).toFixed(1)}% from scratch after ${fineTuned.length} epochs`;
  if (a > b) return report({ ok: true, message: `${name}: ${line}` });
  return report({
    ok: false,
    message: `${name}: ${line}; fine-tuning should win`,
    hint: "did the fine-tuned model start from the pretrained weights (models.fashionCnn()) with only the head replaced?",
  });
}

/** How many test images the grader's records hold per case: enough for an accuracy, cheap to predict and to record. */
export const TEST_SUBSET = 500;

/** A subset of the test set drawn from `seed`, and the model's predicted classes on it (eval mode, one forward pass). */
function seededTestSubset(test: Batch, seed: number): Batch {
  const at = new Random(seed).permutation(test.x.shape[0]!).slice(0, TEST_SUBSET);
  return tf.tidy(() => {
    const indices = tf.tensor1d(at, "int32");
    return { x: test.x.gather(indices), y: test.y.gather(indices) };
  });
}

const predictedClasses = (model: Module, x: tf.Tensor): tf.Tensor => model.train(false).forward(x).argMax(-1);

/** The notebook's trained LeNet and its test set. */
export interface TrainedLeNet {
  model: Module;
  test: Batch;
}

/** For the grader: the trained LeNet's predictions on a seeded subset of the test set, the subset's labels, its parameter count. */
const leNetPredictionsProbe: Probe<TrainedLeNet> = {
  lab: LAB,
  name: "leNetPredictions",
  run: ({ model, test }, seed) => {
    const { x, y } = seededTestSubset(test, seed);
    return { predicted: predictedClasses(model, x), labels: y, parameters: model.numParameters() };
  },
};

/** The notebook's two networks trained on the small budget, and the test set. */
export interface FineTuneRuns {
  fineTuned: Module;
  scratch: Module;
  test: Batch;
}

/** For the grader: both networks' predictions on a seeded subset of the test set, and the subset's labels. */
const fineTunePredictionsProbe: Probe<FineTuneRuns> = {
  lab: LAB,
  name: "fineTunePredictions",
  run: ({ fineTuned, scratch, test }, seed) => {
    const { x, y } = seededTestSubset(test, seed);
    return { fineTuned: predictedClasses(fineTuned, x), scratch: predictedClasses(scratch, x), labels: y };
  },
};

// ---------------------------------------------------------------------------

/** What each check runs; hidden tests record their outputs on the grading seed. */
export const probes = {
  toModelInput: toModelInputProbe,
  makeLeNet: leNetProbe,
  lossFn: lossFnProbe,
  predict: predictProbe,
  withNewHead: withNewHeadProbe,
  trainEpoch: trainEpochProbe,
  leNetPredictions: leNetPredictionsProbe,
  fineTunePredictions: fineTunePredictionsProbe,
};
