/**
 * The kit's backward walk (lib/backend/gradient-walk.ts) against tfjs's own
 * (Engine.prototype.gradients, still there under the kit's): the same
 * kernels in the same order, the same gradients to the bit, the same
 * undefined for an x the loss does not use, the same errors, gradients of
 * gradients, and no tensor left behind.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { expectNoLeak } from "./memory";

type Gradients = (
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy?: tf.Tensor,
  allowNoGradients?: boolean,
) => { value: tf.Tensor; grads: (tf.Tensor | undefined)[] };

const engine = () => tf.engine() as unknown as { gradients: Gradients };
const kitWalk: Gradients = (...args) => engine().gradients(...args);
const tfjsWalk: Gradients = (...args) =>
  (Object.getPrototypeOf(tf.engine()) as { gradients: Gradients }).gradients.apply(tf.engine(), args);

/**
 * A walk's results (undefined kept) as shapes and values, and the kernels it
 * ran in order: the forward pass, then backprop's gradient kernels and sums.
 */
async function run(walk: Gradients, f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor) {
  let result: ReturnType<Gradients> | undefined;
  const { kernels } = await tf.profile(() => {
    result = walk(f, xs, dy, true);
    return [result.value, ...result.grads.filter((g): g is tf.Tensor => g !== undefined)];
  });
  const { value, grads } = result!;
  const read = (t: tf.Tensor | undefined) => (t ? { shape: t.shape, values: Array.from(t.dataSync()) } : undefined);
  const out = { value: read(value), grads: grads.map(read), kernels: kernels.map((k) => k.name) };
  tf.dispose([value, ...grads.filter((g): g is tf.Tensor => g !== undefined)]);
  return out;
}

const errorOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  return "no error";
};

describe("the backward walk", () => {
  beforeAll(async () => {
    await useBestBackend({ quiet: true });
  });

  it("is the kit's once a backend is chosen", () => {
    expect(Object.prototype.hasOwnProperty.call(tf.engine(), "gradients")).toBe(true);
  });

  it("gives tfjs's gradients for a recurrent graph: reused weights, a split, an unused output, a constant, an x not used", async () => {
    const w = tf.randomNormal([6, 4], 0, 1, "float32", 1);
    const b = tf.randomNormal([4], 0, 1, "float32", 2);
    const unused = tf.randomNormal([3], 0, 1, "float32", 3);
    const x = tf.randomNormal([5, 3], 0, 1, "float32", 4);
    const constant = tf.randomNormal([3, 3], 0, 1, "float32", 5);
    const f = () => {
      let h = tf.zeros([1, 3]);
      let out = h;
      for (let t = 0; t < 5; t++) {
        const z = tf
          .concat([x.slice([t, 0], [1, 3]), h], 1)
          .matMul(w)
          .add(b);
        const [next, o] = tf.split(z, [3, 1], 1);
        h = next.tanh().matMul(constant);
        out = o;
      }
      tf.split(h, [1, 2], 1)[1].square();
      return out.mul(h.sum()).add(h.logSoftmax()).sum();
    };
    const kit = await run(kitWalk, f, [w, b, unused, x]);
    expect(kit.grads[2]).toBeUndefined();
    expect(kit.grads[0]!.values.some((v) => v !== 0)).toBe(true);
    expect(kit).toEqual(await run(tfjsWalk, f, [w, b, unused, x]));
    tf.dispose([w, b, unused, x, constant]);
  });

  it("gives tfjs's gradients with a given dy and through a custom gradient", async () => {
    const x = tf.tensor2d([
      [1, -2],
      [3, 0.5],
    ]);
    const clipped = tf.customGrad((...args) => {
      const input = args[0] as tf.Tensor;
      return { value: input.relu(), gradFunc: (dy: tf.Tensor) => dy.clipByValue(-0.5, 0.5) };
    });
    const dy = tf.tensor2d([
      [2, -1],
      [0.25, 4],
    ]);
    const f = () => (clipped(x.mul(x)) as tf.Tensor).add(x);
    const kit = await run(kitWalk, f, [x], dy);
    expect(kit.grads[0]!.values).toEqual([0.5 * 2 + 2, -0.5 * -4 - 1, 0.25 * 6 + 0.25, 0.5 + 4]);
    expect(kit).toEqual(await run(tfjsWalk, f, [x], dy));
    tf.dispose([x, dy]);
  });

  it("keeps gradients of gradients: d²(sin x)/dx² = −sin x", () => {
    const x = tf.tensor1d([0.3, -1.2, 2]);
    const second = tf.grad((y: tf.Tensor) =>
      tf
        .grad((z: tf.Tensor) => z.sin().sum())(y)
        .sum(),
    )(x);
    expect(Array.from(second.dataSync())).toEqual([0.3, -1.2, 2].map((v) => expect.closeTo(-Math.sin(v), 5)));
    tf.dispose([x, second]);
  });

  it("fails as tfjs does: no path from x to y, y not a tensor, dy not float32, no xs", () => {
    const x = tf.scalar(2);
    const other = tf.scalar(3);
    const dy = tf.scalar(1, "int32");
    const cases: [() => tf.Tensor, tf.Tensor[], tf.Tensor | undefined][] = [
      [() => other.square(), [x], undefined],
      [() => 3 as unknown as tf.Tensor, [x], undefined],
      [() => x.square(), [x], dy],
      [() => x.square(), [], undefined],
    ];
    for (const [f, xs, d] of cases) {
      const kit = errorOf(() => engine().gradients(f, xs, d));
      expect(kit).not.toBe("no error");
      expect(kit).toBe(errorOf(() => tfjsWalk(f, xs, d)));
    }
    expect(errorOf(() => tf.grad(() => other.square())(x))).toMatch(/Cannot compute gradient of y=f\(x\)/);
    tf.dispose([x, other, dy]);
  });

  it("leaves no tensor behind over many optimizer-like steps", () => {
    const w = tf.variable(tf.randomNormal([8, 8], 0, 1, "float32", 5));
    const x = tf.randomNormal([16, 8], 0, 1, "float32", 6);
    expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => x.matMul(w).tanh().matMul(w).mean() as tf.Scalar, [w]);
      return [value, grads];
    }, 30);
    tf.dispose([w, x]);
  });
});
