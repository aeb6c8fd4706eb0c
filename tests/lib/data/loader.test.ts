import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { DataLoader, TensorDataset } from "../../../lib/data";

beforeAll(async () => {
  await useBestBackend({ quiet: true });
});

/** Ten examples whose x is their own index, so batches show which examples they hold. */
function indexed(): TensorDataset {
  return new TensorDataset({ x: tf.range(0, 10).reshape([10, 1]), y: tf.range(0, 10, 1, "int32") });
}

function epoch(loader: DataLoader): number[][] {
  return Array.from(loader, (b) => Array.from(b.y.dataSync()));
}

describe("DataLoader", () => {
  it("batches in order, the last batch smaller unless dropLast", () => {
    const ds = indexed();
    expect(epoch(new DataLoader(ds, { batchSize: 4 }))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    const dropping = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dropping.length).toBe(2);
    expect(epoch(dropping)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    ds.dispose();
  });

  it("shuffles differently every epoch, the same way on every run of the same seed", () => {
    const ds = indexed();
    const a = new DataLoader(ds, { batchSize: 10, shuffle: true, seed: 3 });
    const b = new DataLoader(ds, { batchSize: 10, shuffle: true, seed: 3 });
    const [a1, a2] = [epoch(a)[0], epoch(a)[0]];
    expect(a1).not.toEqual(a2);
    expect([...a1].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([epoch(b)[0], epoch(b)[0]]).toEqual([a1, a2]);
    expect(epoch(new DataLoader(ds, { batchSize: 10, shuffle: true, seed: 4 }))[0]).not.toEqual(a1);
    ds.dispose();
  });

  it("keeps x and y of an example together", () => {
    const ds = indexed();
    for (const { x, y } of new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 1 })) {
      expect(Array.from(x.dataSync())).toEqual(Array.from(y.dataSync()));
      expect(x.shape).toEqual([y.shape[0], 1]);
    }
    ds.dispose();
  });

  it("disposes every batch it made once an epoch runs to the end", () => {
    const ds = indexed();
    const loader = new DataLoader(ds, { batchSize: 3, shuffle: true });
    const before = tf.memory().numTensors;
    for (let e = 0; e < 3; e++) for (const { x } of loader) x.square().dispose();
    expect(tf.memory().numTensors).toBe(before);
    ds.dispose();
  });

  it("takes {x, y} directly and refuses mismatched example counts", () => {
    const x = tf.zeros([5, 2]);
    const y = tf.zeros([4], "int32");
    expect(() => new DataLoader({ x, y })).toThrow(
      "TensorDataset: x has 5 examples (shape [5,2]) but y has 4 (shape [4]); the first axis must count examples in both",
    );
    tf.dispose([x, y]);
  });

  it("splits a data set by a seed into disjoint parts", () => {
    const ds = indexed();
    const { train, test } = ds.split({ test: 0.3, seed: 0 });
    const [tr, te] = [Array.from(train.y.dataSync()), Array.from(test.y.dataSync())];
    expect(te).toHaveLength(3);
    expect([...tr, ...te].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(ds.split({ test: 0.3, seed: 0 }).test.y.dataSync())).toEqual(te);
    ds.dispose();
  });
});
