import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { blobs, circles, moons, oneHot, reverseTask, sequenceTask, sortTask, copyTask, xor } from "../../../lib/data";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
});

describe("toy 2-D sets", () => {
  for (const [name, make] of Object.entries({ circles, moons, xor, blobs })) {
    it(`${name}: float32 [n,2] and int32 [n], balanced, the same for the same seed`, () => {
      const { x, y } = make({ n: 90, seed: 5 });
      expect([x.shape, x.dtype, y.shape, y.dtype]).toEqual([[90, 2], "float32", [90], "int32"]);
      const counts = tf.tidy(() => Array.from(tf.bincount(y, tf.tensor1d([], "float32"), 3).dataSync()));
      expect(counts.filter((c) => c > 0).every((c) => c === counts[0])).toBe(true);
      const again = make({ n: 90, seed: 5 });
      expect(Array.from(again.x.dataSync())).toEqual(Array.from(x.dataSync()));
      expect(Array.from(make({ n: 90, seed: 6 }).x.dataSync())).not.toEqual(Array.from(x.dataSync()));
    });
  }

  it("circles puts class 0 on the outer circle and class 1 inside", () => {
    const { x, y } = circles({ n: 200, noise: 0, factor: 0.5, seed: 0 });
    const r = Array.from(tf.tidy(() => x.norm("euclidean", 1)).dataSync());
    const labels = Array.from(y.dataSync());
    r.forEach((ri, i) => expect(ri).toBeCloseTo(labels[i] === 0 ? 1 : 0.5, 5));
  });

  it("xor labels the quadrants", () => {
    const { x, y } = xor({ n: 100, seed: 1 });
    const xs = x.arraySync();
    Array.from(y.dataSync()).forEach((label, i) => expect(label).toBe(xs[i][0] * xs[i][1] < 0 ? 1 : 0));
  });

  it("oneHot turns class indices into float rows", () => {
    const y = tf.tensor1d([0, 2, 1], "int32");
    const h = oneHot(y, 3);
    expect(h.dtype).toBe("float32");
    expect(h.arraySync()).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
  });
});

describe("sequence tasks (lab 5)", () => {
  it("reverse: vocabulary 10, length 16, int32, targets are the inputs reversed", () => {
    const { x, y } = reverseTask({ n: 50, seed: 0 });
    expect([x.shape, x.dtype, y.dtype]).toEqual([[50, 16], "int32", "int32"]);
    const [xs, ys] = [x.arraySync(), y.arraySync()];
    xs.forEach((row, i) => expect(ys[i]).toEqual(row.slice().reverse()));
    expect(Math.max(...xs.flat())).toBe(9);
    expect(Math.min(...xs.flat())).toBe(0);
  });

  it("sort and copy, seeded like reverse", () => {
    const s = sortTask({ n: 5, length: 8, vocab: 4, seed: 2 });
    s.x.arraySync().forEach((row, i) => expect(s.y.arraySync()[i]).toEqual(row.slice().sort((a, b) => a - b)));
    const c = copyTask({ n: 5, seed: 2 });
    expect(c.y.arraySync()).toEqual(c.x.arraySync());
    expect(sequenceTask("copy", { n: 5, seed: 2 }).x.arraySync()).toEqual(c.x.arraySync());
  });
});
