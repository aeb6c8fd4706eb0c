/**
 * Saving tensors for backprop as second handles (lib/backend/saved-tensors.ts)
 * keeps tfjs's gradients: first order as before and without a copy,
 * gradients of gradients through tfjs's own clone, and nothing left behind.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { expectNoLeak } from "./memory";

describe("tensors saved for backprop", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  it("give first-order gradients of products, nonlinearities and reductions", () => {
    const x = tf.tensor2d([[0.5, -1, 2]]);
    const w = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const f = (x: tf.Tensor, w: tf.Tensor) => x.matMul(w).tanh().square().sum();
    const [dx, dw] = tf.grads(f)([x, w]);
    const h = [0.5 - 3 + 10, 1 - 4 + 12].map(Math.tanh);
    const dh = h.map((t) => 2 * t * (1 - t * t));
    expect(Array.from(dx.dataSync())).toEqual(
      [0, 1, 2].map((i) => expect.closeTo(dh[0] * [1, 3, 5][i] + dh[1] * [2, 4, 6][i], 5)),
    );
    expect(Array.from(dw.dataSync())).toEqual([0.5, -1, 2].flatMap((xi) => dh.map((d) => expect.closeTo(xi * d, 5))));
    tf.dispose([x, w, dx, dw]);
  });

  it("are saved without a copy: no Identity kernel in a first-order gradient's run", async () => {
    const x = tf.randomNormal([4, 3], 0, 1, "float32", 1);
    const w = tf.randomNormal([3, 2], 0, 1, "float32", 2);
    const { kernels, result } = await tf.profile(() =>
      tf.grads((x: tf.Tensor, w: tf.Tensor) => x.matMul(w).tanh().sum())([x, w]),
    );
    expect(kernels.map((k) => k.name)).toContain("BatchMatMul");
    expect(kernels.map((k) => k.name)).not.toContain("Identity");
    tf.dispose(result as tf.Tensor[]);
    tf.dispose([x, w]);
  });

  it("keep gradients of gradients: d²(x³)/dx² = 6x", () => {
    const x = tf.tensor1d([1, -2, 3]);
    const second = tf.grad((x: tf.Tensor) =>
      tf
        .grad((y: tf.Tensor) => y.mul(y).mul(y).sum())(x)
        .sum(),
    )(x);
    expect(Array.from(second.dataSync())).toEqual([6, -12, 18]);
    tf.dispose([x, second]);
  });

  it("leave no tensor and no backend buffer behind over many steps", () => {
    const w = tf.variable(tf.randomNormal([8, 8], 0, 1, "float32", 5));
    const x = tf.randomNormal([16, 8], 0, 1, "float32", 6);
    expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => x.matMul(w).relu().mean() as tf.Scalar, [w]);
      return [value, grads];
    }, 30);
    tf.dispose([w, x]);
  });
});
