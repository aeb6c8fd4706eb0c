import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { Dropout, Linear, Module, Sequential, Tanh } from "../../../lib/nn";

class TwoLayer extends Module {
  readonly encoder = this.registerModule("encoder", new Sequential(new Linear(2, 3, { seed: 1 }), new Tanh()));
  readonly drop = this.registerModule("drop", new Dropout(0.5, { seed: 2 }));
  readonly head = this.registerModule("head", new Linear(3, 1, { seed: 3 }));

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.head.forward(this.drop.forward(this.encoder.forward(x))));
  }
}

describe("Module", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dlkit-module-"));

  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("names parameters with PyTorch's dotted paths and counts them", () => {
    const model = new TwoLayer();
    expect(model.namedParameters().map(([n]) => n)).toEqual([
      "encoder.0.weight",
      "encoder.0.bias",
      "head.weight",
      "head.bias",
    ]);
    expect(model.parameters()).toHaveLength(4);
    expect(model.numParameters()).toBe(2 * 3 + 3 + 3 + 1);
    model.dispose();
  });

  it("prints like PyTorch, with the parameter count", () => {
    const model = new TwoLayer();
    expect(model.toString()).toBe(
      [
        "TwoLayer(",
        "  (encoder): Sequential(",
        "    (0): Linear(in_features=2, out_features=3, bias=True)",
        "    (1): Tanh()",
        "  )",
        "  (drop): Dropout(p=0.5)",
        "  (head): Linear(in_features=3, out_features=1, bias=True)",
        ")",
        "Trainable parameters: 13",
      ].join("\n"),
    );
    model.dispose();
  });

  it("train() and eval() reach every submodule and return the model", () => {
    const model = new TwoLayer();
    expect(model.training).toBe(true);
    expect(model.eval()).toBe(model);
    expect(model.drop.training).toBe(false);
    expect(model.encoder.layers[1].training).toBe(false);
    model.train();
    expect(model.drop.training).toBe(true);
    model.dispose();
  });

  it("saves to a file and loads back into a fresh model with the same outputs", () => {
    const model = new TwoLayer().eval();
    const file = path.join(dir, "model.json");
    model.save(file);
    const other = new TwoLayer();
    tf.tidy(() => other.head.weight.assign(tf.zerosLike(other.head.weight)));
    other.load(file).eval();
    const x = tf.randomNormal([4, 2], 0, 1, "float32", 5);
    const [a, b] = [model.forward(x), other.forward(x)];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    other.dispose();
  });

  it("refuses a state dict with missing or unexpected keys or other shapes, naming them", () => {
    const model = new TwoLayer();
    const dict = { ...model.stateDict() };
    const { "head.bias": bias, ...missing } = dict;
    expect(bias.shape).toEqual([1]);
    expect(() => model.loadStateDict(missing)).toThrow(/TwoLayer.loadStateDict: missing key\(s\) "head.bias"/);
    const extra = tf.zeros([1]);
    expect(() => model.loadStateDict({ ...dict, "head.scale": extra })).toThrow(/unexpected key\(s\) "head.scale"/);
    const copy = tf.zeros([3, 2]);
    model.loadStateDict({ ...dict, "encoder.0.weight": copy });
    expect(
      model.encoder.layers[0]
        .parameters()[0]
        .dataSync()
        .every((v) => v === 0),
    ).toBe(true);
    const transposed = tf.zeros([2, 3]);
    expect(() => model.loadStateDict({ ...dict, "encoder.0.weight": transposed })).toThrow(
      '"encoder.0.weight" has shape [2, 3], expected [3, 2]',
    );
    tf.dispose([extra, copy, transposed]);
    model.dispose();
  });

  it("refuses to load a file that Module.save did not write", () => {
    const file = path.join(dir, "other.json");
    fs.writeFileSync(file, JSON.stringify({ weights: [] }));
    const model = new TwoLayer();
    expect(() => model.load(file)).toThrow(`TwoLayer.load: ${file} is not a file written by Module.save`);
    model.dispose();
  });

  it("dispose frees every parameter", () => {
    const before = tf.memory().numTensors;
    const model = new TwoLayer();
    expect(tf.memory().numTensors).toBe(before + 4);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
