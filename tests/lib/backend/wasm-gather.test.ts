/**
 * tf.gather on the wasm backend after lib/backend replaces its kernel:
 * the values tfjs documents for every axis, batch dimension and dtype, and
 * a message that names a bad index.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";

describe("wasm gather", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  it("picks rows, columns and single values like tf.gather's definition", () => {
    const x = tf.tensor3d(
      Array.from({ length: 24 }, (_, i) => i),
      [2, 3, 4],
    );
    const rows = tf.gather(x, tf.tensor1d([1, 0, 1], "int32"), 0);
    expect(rows.shape).toEqual([3, 3, 4]);
    expect(Array.from(rows.dataSync())).toEqual([...range(12, 24), ...range(0, 12), ...range(12, 24)]);
    const middle = tf.gather(x, tf.tensor1d([2, 2, 0], "int32"), 1);
    expect(middle.shape).toEqual([2, 3, 4]);
    expect(Array.from(middle.dataSync())).toEqual([
      ...range(8, 12),
      ...range(8, 12),
      ...range(0, 4),
      ...range(20, 24),
      ...range(20, 24),
      ...range(12, 16),
    ]);
    const last = tf.gather(x, tf.tensor2d([3, 0], [1, 2], "int32"), 2);
    expect(last.shape).toEqual([2, 3, 1, 2]);
    expect(Array.from(last.dataSync())).toEqual([3, 0, 7, 4, 11, 8, 15, 12, 19, 16, 23, 20]);
    tf.dispose([x, rows, middle, last]);
  });

  it("takes one index list per batch entry with batchDims 1, and int32 and bool values", () => {
    const x = tf.tensor2d([10, 11, 12, 20, 21, 22], [2, 3], "int32");
    const picked = tf.gather(x, tf.tensor2d([2, 0, 1, 1], [2, 2], "int32"), 1, 1);
    expect(picked.shape).toEqual([2, 2]);
    expect(Array.from(picked.dataSync())).toEqual([12, 10, 21, 21]);
    const flags = tf.tensor1d([true, false, true], "bool");
    const chosen = tf.gather(flags, tf.tensor1d([1, 2], "int32"));
    expect(chosen.dtype).toBe("bool");
    expect(Array.from(chosen.dataSync())).toEqual([0, 1]);
    tf.dispose([x, picked, flags, chosen]);
  });

  it("names the bad index and the valid range, and leaves no buffer behind", () => {
    const x = tf.zeros([4, 2]);
    const indices = tf.tensor1d([1, 4], "int32");
    const buffers = tf.engine().backend.numDataIds();
    expect(() => tf.gather(x, indices)).toThrow(
      "gather: index 4 is out of range: axis 0 of the tensor [4,2] has indices 0 to 3",
    );
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([x, indices]);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
