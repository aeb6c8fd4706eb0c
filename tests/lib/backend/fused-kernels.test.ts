/**
 * The kit's one-kernel ops on wasm (lib/nn/fused.ts: Linear, tanh and its
 * gradient, softmax and its gradient, the ReLU and log-softmax gradients,
 * LayerNorm, the SGD and Adam steps)
 * and the bias add rerouted to SIMD give what tfjs's own ops give on the
 * cpu backend, values and gradients, first and second order; they compute
 * only the gradients asked for, and leave nothing behind.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBestBackend } from "../../../lib/backend";
import { expectNoLeak } from "./memory";
import * as nn from "../../../lib/nn";
import * as optim from "../../../lib/optim";

type Values = { shape: number[]; data: number[] }[];

/** f's results, as plain values, computed on `backend` from the same numbers. */
async function on(
  backend: "wasm" | "cpu",
  inputs: { shape: number[]; data: number[] }[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<Values> {
  await useBestBackend({ backend, quiet: true });
  const xs = inputs.map(({ shape, data }) => tf.tensor(data, shape));
  const out = f(...xs);
  const results = (Array.isArray(out) ? out : [out]).map((t) => ({ shape: t.shape, data: Array.from(t.dataSync()) }));
  tf.dispose([...xs, ...(Array.isArray(out) ? out : [out])]);
  return results;
}

function random(shape: number[], seed: number): { shape: number[]; data: number[] } {
  let state = seed;
  const size = shape.reduce((n, d) => n * d, 1);
  const data = Array.from({ length: size }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648) * 2 - 1;
  });
  return { shape, data };
}

async function expectSameOnBothBackends(
  inputs: { shape: number[]; data: number[] }[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  what: string,
): Promise<void> {
  const want = await on("cpu", inputs, f);
  const got = await on("wasm", inputs, f);
  expect(
    got.map((r) => r.shape),
    `${what}: shapes`,
  ).toEqual(want.map((r) => r.shape));
  got.forEach((r, k) =>
    r.data.forEach((v, i) => {
      const w = want[k].data[i];
      if (Number.isNaN(w)) expect(v, `${what}: result ${k}, element ${i}`).toBeNaN();
      else if (!(Math.abs(v - w) <= 1e-5 * (1 + Math.abs(w))))
        expect(v, `${what}: result ${k}, element ${i}`).toBeCloseTo(w, 5);
    }),
  );
}

describe("one-kernel ops on wasm", () => {
  beforeAll(async () => {
    await useBestBackend({ backend: "wasm", quiet: true });
  });
  afterAll(async () => {
    await useBestBackend({ backend: "wasm", quiet: true });
  });

  it("linear gives x·Wᵀ + b and its three gradients, with and without a bias, few rows and many", async () => {
    for (const [rows, inputs, outputs] of [
      [3, 5, 4],
      [40, 7, 6],
      [1, 185, 128],
    ]) {
      const args = [
        random([rows, inputs], 1),
        random([outputs, inputs], 2),
        random([outputs], 3),
        random([rows, outputs], 4),
      ];
      await expectSameOnBothBackends(
        args,
        (x, w, b, dy) => {
          const withBias = tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => nn.functional.linear(x, w, b))(
            [x, w, b],
            dy,
          );
          const without = tf.grads((x: tf.Tensor, w: tf.Tensor) => nn.functional.linear(x, w, null))([x, w], dy);
          return [nn.functional.linear(x, w, b), nn.functional.linear(x, w, null), ...withBias, ...without];
        },
        `linear [${rows},${inputs}]→${outputs}`,
      );
    }
  });

  it("linear computes only the gradients asked for: none for the data a first layer reads", async () => {
    await useBestBackend({ backend: "wasm", quiet: true });
    const layer = new nn.Linear(8, 4);
    const x = tf.randomNormal([16, 8], 0, 1, "float32", 1);
    const profile = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(
        () => layer.forward(x).square().mean() as tf.Scalar,
        layer.parameters() as tf.Variable[],
      );
      tf.dispose([value, ...Object.values(grads)]);
    });
    const products = profile.kernels.filter((k) => k.name === "BatchMatMul").map((k) => k.inputShapes);
    // The forward product runs inside the Linear kernel; backward, only dW = dyᵀ·x.
    expect(products).toEqual([
      [
        [16, 4],
        [16, 8],
      ],
    ]);
    tf.dispose([x]);
    layer.dispose();
  });

  it("tanh's gradient is dy·(1 − y²), and its gradient of a gradient is tfjs's", async () => {
    await expectSameOnBothBackends(
      [random([5, 7], 5), random([5, 7], 6)],
      (x, dy) => {
        const [first] = tf.grads((x: tf.Tensor) => x.mul(3).tanh())([x], dy);
        const second = tf.grad((x: tf.Tensor) =>
          tf
            .grad((y: tf.Tensor) => y.tanh().square().sum())(x)
            .sum(),
        )(x);
        return [first, second];
      },
      "tanh",
    );
  });

  it("tanh is within 3 float32 ulps of Math.tanh from −12 to 12, keeps NaN, ±∞, −0 and tiny values, and gives each float the same value in tensors of any size", async () => {
    await useBestBackend({ backend: "wasm", quiet: true });
    const n = 48_001;
    const xs = Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1));
    const got = tf.tidy(() => tf.tensor1d(xs).tanh().dataSync());
    xs.forEach((x, i) => {
      const want = Math.fround(Math.tanh(x));
      const ulp = Math.max(Math.abs(want), 2 ** -126) * 2 ** -23;
      if (Math.abs(got[i] - want) > 3 * ulp) expect(got[i], `tanh(${x})`).toBe(want);
    });
    const special = tf.tidy(() => Array.from(tf.tensor1d([NaN, Infinity, -Infinity, -0, 1e-5, 20]).tanh().dataSync()));
    expect(special).toEqual([NaN, 1, -1, -0, Math.fround(1e-5), 1]);
    // Fewer than 4 floats, and the last n mod 4: the same values as inside a longer tensor.
    const values = [0.5, -1, 2, 3.25, -0.75];
    const whole = tf.tidy(() => Array.from(tf.tensor1d(values).tanh().dataSync()));
    for (let n = 0; n <= values.length; n++) {
      const part = tf.tidy(() => Array.from(tf.tensor1d(values.slice(0, n)).tanh().dataSync()));
      expect(part, `tanh of ${n} floats`).toEqual(whole.slice(0, n));
    }
  });

  it("ReLU's gradient is dy where x > 0 and 0 elsewhere, NaN where x is NaN, and its gradient of a gradient is tfjs's", async () => {
    const x = random([6, 7], 18);
    x.data[0] = 0;
    x.data[1] = NaN;
    x.data[2] = -0;
    await expectSameOnBothBackends(
      [x, random([6, 7], 19)],
      (x, dy) => {
        const [first] = tf.grads((x: tf.Tensor) => x.relu())([x], dy);
        const second = tf.grad((x: tf.Tensor) =>
          tf
            .grad((y: tf.Tensor) => y.relu().square().sum())(x)
            .square()
            .sum(),
        )(x);
        return [first, second];
      },
      "relu",
    );
  });

  it("cross-entropy and NLL have the gradients of gradients of the formula they compute", async () => {
    for (const backend of ["wasm", "cpu"] as const) {
      await useBestBackend({ backend, quiet: true });
      tf.tidy(() => {
        const x = tf.tensor(random([4, 3], 20).data, [4, 3]);
        const target = tf.tensor1d([2, 0, 1, 1], "int32");
        const oneHot = tf.oneHot(target, 3).toFloat();
        const logProbs = (z: tf.Tensor) => z.sub(z.exp().sum(1, true).log());
        const secondOf = (loss: (z: tf.Tensor) => tf.Tensor) =>
          tf
            .grad((x: tf.Tensor) =>
              tf
                .grad((z: tf.Tensor) => loss(z))(x)
                .square()
                .sum(),
            )(x)
            .dataSync();
        const want = secondOf((z) => logProbs(z).mul(oneHot).sum(1).neg().mean());
        const got = {
          crossEntropy: secondOf((z) => nn.crossEntropy(z, target)),
          nllLoss: secondOf((z) => nn.nllLoss(logProbs(z), target)),
        };
        for (const [name, values] of Object.entries(got))
          values.forEach((v, i) => expect(v, `${backend} ${name} ${i}`).toBeCloseTo(want[i], 5));
      });
    }
    await useBestBackend({ backend: "wasm", quiet: true });
  });

  it("softmax is within float32 rounding of the float64 formula, masked entries exactly 0, a fully masked row NaN", async () => {
    await useBestBackend({ backend: "wasm", quiet: true });
    const rows = 200;
    const size = 16;
    const values = Float32Array.from(
      { length: rows * size },
      (_, i) => (((i * 7919) % 1000) / 1000) * 40 * Math.sin(i) - (i % 5 === 0 ? 60 : 0),
    );
    values.fill(-Infinity, 3 * size, 3 * size + 5);
    values.fill(-Infinity, 4 * size, 5 * size);
    const got = tf.tidy(() => tf.tensor2d(values, [rows, size]).softmax().dataSync());
    for (let r = 0; r < rows; r++) {
      const row = Array.from(values.subarray(r * size, (r + 1) * size));
      const max = Math.max(...row);
      const exps = row.map((v) => Math.exp(v - max));
      const sum = exps.reduce((a, b) => a + b, 0);
      exps.forEach((e, c) => {
        const [want, v] = [e / sum, got[r * size + c]];
        if (r === 4) expect(v, `row ${r}`).toBeNaN();
        else if (row[c] === -Infinity) expect(v, `masked ${r}, ${c}`).toBe(0);
        // x − max is itself rounded to float32: up to |x − max|·2⁻²⁴ of relative error before exp.
        else if (!(Math.abs(v - want) <= (4 + Math.abs(row[c] - max)) * 2 ** -23 * want + 1e-37))
          expect(v, `softmax row ${r}, column ${c}`).toBe(want);
      });
    }
  });

  it("softmax and its gradient match tfjs's ops, rows of a multiple of 4 floats and others, with gradients of gradients", async () => {
    for (const shape of [
      [3, 4, 16],
      [5, 8],
      [4, 6],
    ]) {
      await expectSameOnBothBackends(
        [random(shape, 21), random(shape, 22)],
        (x, dy) => {
          const scaled = x.mul(5);
          const [first] = tf.grads((x: tf.Tensor) => x.mul(5).softmax())([x], dy);
          const second = tf.grad((x: tf.Tensor) =>
            tf
              .grad((z: tf.Tensor) => z.softmax().square().mul(dy).sum())(x)
              .square()
              .sum(),
          )(x);
          return [scaled.softmax(), first, second];
        },
        `softmax [${shape}]`,
      );
    }
  });

  it("log-softmax has gradients of gradients too", async () => {
    await expectSameOnBothBackends(
      [random([4, 6], 7)],
      (x) => {
        const first = tf.grad((x: tf.Tensor) => nn.functional.logSoftmax(x, 1).mul(x).sum())(x);
        const second = tf.grad((x: tf.Tensor) =>
          tf
            .grad((y: tf.Tensor) => nn.functional.logSoftmax(y, 1).square().sum())(x)
            .square()
            .sum(),
        )(x);
        return [first, second];
      },
      "logSoftmax",
    );
  });

  it("adds a repeating row (a bias) like tfjs's broadcast, and tensors of one shape: widths that fill SIMD chunks and widths that leave floats over", async () => {
    const pairs: [number[], number[]][] = [
      [[64, 28, 28, 6], [6]],
      [
        [7, 6],
        [1, 6],
      ],
      [[5, 3], [3]],
      [
        [9, 2, 4],
        [2, 4],
      ],
      [[6], [4, 6]],
      [
        [1, 5],
        [3, 5],
      ],
      [
        [4, 4],
        [4, 4],
      ],
      [[3, 4], [1]],
      [[1], [1]],
      [
        [3, 7],
        [3, 7],
      ],
      [
        [128, 185],
        [128, 185],
      ],
      [[1, 5], [5]],
    ];
    for (const [a, b] of pairs) {
      await expectSameOnBothBackends([random(a, 8), random(b, 9)], (x, y) => x.add(y), `[${a}] + [${b}]`);
    }
  });

  it("max pooling and its gradient keep to the image where 'same' padding of an odd size leaves windows short", async () => {
    for (const shape of [
      [2, 5, 5, 4],
      [1, 7, 6, 6],
    ]) {
      await expectSameOnBothBackends(
        [random(shape, 21)],
        (x) => {
          const pool = (v: tf.Tensor) => tf.maxPool(v.add(2) as tf.Tensor4D, 2, 2, "same");
          return [pool(x), tf.grad((v: tf.Tensor) => pool(v).mul(pool(v)).sum())(x)];
        },
        `maxPool 2×2 "same" on [${shape}]`,
      );
    }
  });

  it("LayerNorm normalizes like tfjs's ops, over one axis and two, with its three gradients and gradients of gradients", async () => {
    for (const [shape, normalized] of [
      [[4, 6, 8], [8]],
      [
        [5, 3, 4],
        [3, 4],
      ],
      [[2, 7], [7]],
    ] as [number[], number[]][]) {
      const args = [random(shape, 14), random(shape, 15), random(normalized, 16), random(normalized, 17)];
      await expectSameOnBothBackends(
        args,
        (x, dy, w, b) => {
          const norm = new nn.LayerNorm(normalized);
          norm.weight!.assign(w.add(1));
          norm.bias!.assign(b);
          const y = norm.forward(x);
          // The gradients with respect to the layer's own variables, as an optimizer takes them.
          const [dx, dw, db] = tf.grads((x: tf.Tensor) => norm.forward(x))([x, norm.weight!, norm.bias!], dy);
          const second = tf.grad((x: tf.Tensor) =>
            tf
              .grad((z: tf.Tensor) => norm.forward(z).square().mul(dy).sum())(x)
              .square()
              .sum(),
          )(x);
          norm.dispose();
          return [y, dx, dw, db, second];
        },
        `LayerNorm(${normalized}) on [${shape}]`,
      );
    }
  });

  it("steps SGD and Adam as tfjs's ops do, sizes that fill SIMD vectors and sizes that leave floats over", async () => {
    const inputs = [random([3, 5], 10), random([8], 11), random([3, 5], 12), random([8], 13)];
    const optimizers: [string, (ps: tf.Variable[]) => optim.Optimizer][] = [
      ["SGD", (ps) => new optim.SGD(ps, { lr: 0.1 })],
      ["Adam", (ps) => new optim.Adam(ps, { lr: 0.01 })],
    ];
    for (const [name, make] of optimizers) {
      await expectSameOnBothBackends(
        inputs,
        (a, b, ga, gb) => {
          const params = [tf.variable(a), tf.variable(b)];
          const opt = make(params);
          for (let step = 1; step <= 4; step++) opt.applyGradients([ga.mul(step), gb.div(step)]);
          const values = params.map((p) => p.clone());
          opt.dispose();
          tf.dispose(params);
          return values;
        },
        name,
      );
    }
  });

  it("leaves no tensor and no backend buffer behind over training steps", async () => {
    await useBestBackend({ backend: "wasm", quiet: true });
    const model = new nn.Sequential(new nn.Linear(6, 10), new nn.Tanh(), new nn.Linear(10, 3));
    const x = tf.randomNormal([32, 6], 0, 1, "float32", 2);
    const y = tf.tensor1d(
      Array.from({ length: 32 }, (_, i) => i % 3),
      "int32",
    );
    const opt = new optim.Adam(model.parameters());
    expectNoLeak(() => opt.step(() => nn.crossEntropy(model.forward(x.add(tf.ones([6]))), y) as tf.Scalar));
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });
});
