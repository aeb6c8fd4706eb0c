/**
 * The pretrained network shipped with the kit: the weights file is there and
 * small, loads into fashionCnn, and gives the held-out accuracy the
 * pretraining script recorded; a missing file names the script that makes it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { fashionMnist, MissingDataError } from "../../../lib/data";
import * as models from "../../../lib/models";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
});

describe("models.fashionCnn", () => {
  it("ships its weights under lib/models, well under 2 MB, with how they were made", () => {
    const file = models.fashionCnnFile();
    expect(path.relative(path.resolve(__dirname, "..", "..", ".."), file)).toBe(
      path.join("lib", "models", "fashion-cnn.json"),
    );
    expect(fs.statSync(file).size).toBeLessThan(1_000_000);
    const info = models.fashionCnnInfo();
    expect(info.script).toMatch(/npm run pretrain/);
    expect(info.settings.images).toBe(60000);
    expect(info.heldOut.images).toBe(2000);
  });

  it("loads into the architecture, in eval mode, and gives the recorded accuracy on the held-out Fashion-MNIST test images", () => {
    const info = models.fashionCnnInfo();
    const model = models.fashionCnn();
    expect(model.numParameters()).toBe(105866);
    expect(model.training).toBe(false);
    const test = fashionMnist({ split: "test", limit: info.heldOut.images });
    const before = tf.memory().numTensors;
    let correct = 0;
    for (let start = 0; start < info.heldOut.images; start += 500) {
      correct += tf.tidy(
        () => model.forward(test.x.slice(start, 500)).argMax(1).equal(test.y.slice(start, 500)).sum().dataSync()[0],
      );
    }
    expect(tf.memory().numTensors).toBe(before);
    const accuracy = correct / info.heldOut.images;
    console.log(
      `fashionCnn held-out accuracy ${(100 * accuracy).toFixed(2)}% (recorded ${(100 * info.heldOut.accuracy).toFixed(2)}%)`,
    );
    expect(accuracy).toBeCloseTo(info.heldOut.accuracy, 3);
    expect(accuracy).toBeGreaterThan(0.8);
    tf.dispose([test.x, test.y]);
    model.dispose();
  });

  it("builds the same untrained architecture from a seed", () => {
    const [a, b] = [models.makeFashionCnn({ seed: 3 }), models.makeFashionCnn({ seed: 3 })];
    expect(a.namedParameters().map(([k]) => k)).toEqual(
      models
        .fashionCnn()
        .namedParameters()
        .map(([k]) => k),
    );
    expect(tf.tidy(() => a.parameters().every((p, i) => p.equal(b.parameters()[i]).all().dataSync()[0] === 1))).toBe(
      true,
    );
    a.dispose();
    b.dispose();
  });

  it("names the script that makes the weights when the file is missing", () => {
    const missing = path.join(os.tmpdir(), "no-such-dir", "fashion-cnn.json");
    expect(() => models.fashionCnn({ file: missing })).toThrow(MissingDataError);
    expect(() => models.fashionCnn({ file: missing })).toThrow(/missing\. Make them with `npm run pretrain/);
  });
});
