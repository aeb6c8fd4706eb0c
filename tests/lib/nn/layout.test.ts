/**
 * Sequential's channels-last runs (lib/nn/layout.ts): a stack of image
 * layers gives exactly what its layers give one by one, gradients
 * included, with one transpose at each end of the run instead of two per
 * layer; a student's layer that overrides forward is still called; errors
 * still show the channels-first shape the student passed.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential } from "../../../lib/nn";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
});

function cnn(): Sequential {
  return new Sequential(
    new Conv2d(3, 4, 3, { padding: 1, seed: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(4, 5, 3, { seed: 2 }),
    new ReLU(),
    new AvgPool2d(2),
    new Flatten(),
    new Linear(5 * 2 * 2, 3, { seed: 3 }),
  );
}

/** The output, and the gradient of Σ output·weights for every parameter and the input, of `run`. */
function outputAndGradients(model: Module, x: tf.Tensor, run: (x: tf.Tensor) => tf.Tensor): number[][] {
  const y = run(x);
  const dy = tf.randomNormal(y.shape, 0, 1, "float32", 9);
  const params = model.parameters();
  const f = (input: tf.Tensor, ...weights: tf.Tensor[]) => {
    expect(weights.length).toBe(params.length);
    return run(input).mul(dy).sum();
  };
  const grads = tf.grads(f)([x, ...params]);
  const out = [Array.from(y.dataSync()), ...grads.map((g) => Array.from(g.dataSync()))];
  tf.dispose([y, dy, ...grads]);
  return out;
}

function transposes(f: () => tf.Tensor): Promise<number> {
  return tf.profile(() => f()).then((p) => p.kernels.filter((k) => k.name === "Transpose").length);
}

describe("Sequential runs image layers channels last", () => {
  it("gives exactly the values of its layers run one by one, gradients included", () => {
    const model = cnn();
    const x = tf.randomNormal([2, 3, 12, 12], 0, 1, "float32", 4);
    const oneByOne = (input: tf.Tensor) => model.layers.reduce((h, layer) => layer.forward(h), input);
    const together = outputAndGradients(model, x, (input) => model.forward(input));
    const separate = outputAndGradients(model, x, oneByOne);
    expect(together.length).toBe(1 + 1 + model.parameters().length);
    together.forEach((values, i) => expect(values, `output or gradient ${i}`).toEqual(separate[i]));
    tf.dispose(x);
    model.dispose();
  });

  it("transposes the activations once at each end of the run, not around every layer", async () => {
    const model = cnn();
    const x = tf.randomNormal([2, 3, 12, 12], 0, 1, "float32", 4);
    // Two filters turned to tfjs's layout, the input in, the last pooled maps out.
    expect(await transposes(() => model.forward(x))).toBe(4);
    // Around each of the four image layers: in and out, plus the two filters.
    expect(await transposes(() => model.layers.slice(0, 6).reduce((h, l) => l.forward(h), x))).toBe(10);
    tf.dispose(x);
    model.dispose();
  });

  it("still calls a layer whose forward a student overrode", () => {
    let calls = 0;
    class CountingReLU extends ReLU {
      forward(x: tf.Tensor): tf.Tensor {
        calls++;
        return super.forward(x).mul(2);
      }
    }
    const plain = new Sequential(new Conv2d(1, 2, 3, { seed: 5 }), new ReLU(), new MaxPool2d(2));
    const counting = new Sequential(new Conv2d(1, 2, 3, { seed: 5 }), new CountingReLU(), new MaxPool2d(2));
    const x = tf.randomNormal([1, 1, 8, 8], 0, 1, "float32", 6);
    const [a, b] = [plain.forward(x), counting.forward(x)];
    expect(calls).toBe(1);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()).map((v) => 2 * v));
    tf.dispose([x, a, b]);
    plain.dispose();
    counting.dispose();
  });

  it("names the channels-first shape in errors inside a run", () => {
    const model = new Sequential(new Conv2d(3, 4, 3, { seed: 7 }), new ReLU(), new Conv2d(5, 2, 3, { seed: 8 }));
    const x = tf.zeros([2, 3, 8, 8]);
    expect(() => model.forward(x)).toThrow(
      "Sequential (2): Conv2d(in=5, out=2): input has 4 channels (shape [2, 4, 6, 6]), expected 5",
    );
    tf.dispose(x);
    model.dispose();
  });
});
