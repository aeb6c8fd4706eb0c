/**
 * What the nn/optim parity tests share: reading the PyTorch fixtures
 * (tests/fixtures/torch, made by make_fixtures.py), comparing tensors, and a
 * finite-difference gradient check.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import { Module } from "../../../lib/nn";

export interface TensorJson {
  shape: number[];
  dtype: "float32" | "int32" | "bool";
  data: number[];
}

export interface Case {
  state?: Record<string, TensorJson>;
  inputs: TensorJson[];
  output: TensorJson;
  probe: TensorJson;
  grads: Record<string, TensorJson>;
  [extra: string]: unknown;
}

export function fixture<T = Record<string, Case>>(name: string): T {
  const file = path.join(__dirname, "../../fixtures/torch", `${name}.json`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

export function toTensor(t: TensorJson): tf.Tensor {
  return tf.tensor(t.data, t.shape, t.dtype);
}

export function toStateDict(state: Record<string, TensorJson>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, toTensor(v)]));
}

/** Loads a PyTorch state dict into the module (PyTorch's names must match ours). */
export function loadTorchState(module: Module, state: Record<string, TensorJson>): void {
  const dict = toStateDict(state);
  module.loadStateDict(dict);
  tf.dispose(Object.values(dict));
}

/**
 * |actual − expected| ≤ atol + rtol·|expected| elementwise, with the same
 * shape. rtol is the 1e-5; atol covers values that are zero in
 * float64 and ~1e-8 in float32.
 */
export function expectClose(
  actual: tf.Tensor,
  expected: TensorJson | tf.Tensor,
  what: string,
  rtol = 1e-5,
  atol = 1e-6,
): void {
  const want =
    expected instanceof tf.Tensor ? { shape: expected.shape, data: Array.from(expected.dataSync()) } : expected;
  expect(actual.shape, `${what}: shape`).toEqual(want.shape);
  const got = actual.dataSync();
  let worst = -1;
  let worstExcess = 0;
  want.data.forEach((w, i) => {
    const excess = Math.abs(got[i] - w) - (atol + rtol * Math.abs(w));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  });
  if (worst >= 0) {
    expect.fail(
      `${what}: element ${worst} is ${got[worst]}, expected ${want.data[worst]} (rtol ${rtol}, atol ${atol})`,
    );
  }
}

export interface ParityResult {
  output: tf.Tensor;
  grads: Record<string, tf.Tensor>;
}

/**
 * Runs `call` on the case's inputs with the module holding PyTorch's
 * weights, and returns the output and the gradients of sum(output·probe)
 * under the fixture's names ("input0", "weight", "0.bias", ...).
 */
export function runCase(module: Module | null, c: Case, call: (...inputs: tf.Tensor[]) => tf.Tensor): ParityResult {
  if (module && c.state) loadTorchState(module, c.state);
  const inputs = c.inputs.map((t) => (t.dtype === "float32" ? tf.variable(toTensor(t)) : toTensor(t)));
  const probe = toTensor(c.probe);
  const params = module ? module.namedParameters() : [];
  const vars = [...params.map(([, p]) => p), ...inputs.filter((x): x is tf.Variable => x instanceof tf.Variable)];
  const kept: { output?: tf.Tensor } = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = call(...inputs);
    kept.output = tf.keep(out);
    return out.mul(probe).sum() as tf.Scalar;
  }, vars);
  const byName: Record<string, tf.Tensor> = {};
  for (const [name, p] of params) if (grads[p.name]) byName[name] = grads[p.name];
  inputs.forEach((x, i) => {
    if (x instanceof tf.Variable && grads[x.name]) byName[`input${i}`] = grads[x.name];
  });
  tf.dispose([value, probe, ...inputs]);
  return { output: kept.output!, grads: byName };
}

/** runCase, then compares the output and every gradient PyTorch recorded. */
export function expectParity(
  module: Module | null,
  c: Case,
  call: (...inputs: tf.Tensor[]) => tf.Tensor,
  what: string,
): void {
  const { output, grads } = runCase(module, c, call);
  try {
    expectClose(output, c.output, `${what} output`);
    for (const [name, want] of Object.entries(c.grads)) {
      expect(grads[name], `${what}: no gradient for ${name}`).toBeDefined();
      expectClose(grads[name], want, `${what} gradient of ${name}`);
    }
  } finally {
    tf.dispose([output, ...Object.values(grads)]);
  }
}

/** A small seeded generator, so the gradient check picks the same elements every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Compares tfjs's gradient of sum(f()·probe) with central finite
 * differences, on up to `samples` elements of each variable. float32 limits
 * how close the two can be, hence the loose tolerance: a wrong formula
 * (a missing transpose, a wrong gate) is off by far more.
 */
export function expectGradientsMatchFiniteDifferences(
  f: () => tf.Tensor,
  vars: tf.Variable[],
  what: string,
  { eps = 1e-3, samples = 6, tolerance = 2e-2, seed = 0 } = {},
): void {
  const probeShape = tf.tidy(() => f().shape);
  const probe = tf.randomNormal(probeShape, 0, 1, "float32", seed);
  const loss = () => tf.tidy(() => f().mul(probe).sum().dataSync()[0]);
  const { value, grads } = tf.variableGrads(() => f().mul(probe).sum() as tf.Scalar, vars);
  const random = lcg(seed);
  try {
    vars.forEach((v, n) => {
      const analytic = grads[v.name]?.dataSync() ?? new Float32Array(v.size);
      const original = v.dataSync().slice();
      const picks =
        v.size <= samples
          ? [...Array(v.size).keys()]
          : Array.from({ length: samples }, () => Math.floor(random() * v.size));
      for (const i of picks) {
        const shifted = original.slice();
        shifted[i] = original[i] + eps;
        tf.tidy(() => v.assign(tf.tensor(shifted, v.shape)));
        const up = loss();
        shifted[i] = original[i] - eps;
        tf.tidy(() => v.assign(tf.tensor(shifted, v.shape)));
        const down = loss();
        tf.tidy(() => v.assign(tf.tensor(original, v.shape)));
        const numeric = (up - down) / (2 * eps);
        const error = Math.abs(numeric - analytic[i]) / Math.max(1, Math.abs(numeric));
        if (!(error <= tolerance)) {
          expect.fail(`${what}: variable ${n} element ${i}: autodiff ${analytic[i]}, finite differences ${numeric}`);
        }
      }
    });
  } finally {
    tf.dispose([value, probe, ...Object.values(grads)]);
  }
}

/** Every parameter of the module plus the given inputs as variables, for the gradient check. */
export function gradCheckModule(
  module: Module,
  inputs: tf.Tensor[],
  call: (...xs: tf.Tensor[]) => tf.Tensor,
  what: string,
  options = {},
): void {
  const vars = inputs.map((x) => (x.dtype === "float32" ? tf.variable(x) : x));
  const trainable = vars.filter((x): x is tf.Variable => x instanceof tf.Variable);
  try {
    expectGradientsMatchFiniteDifferences(() => call(...vars), [...module.parameters(), ...trainable], what, options);
  } finally {
    tf.dispose(trainable);
  }
}

/** Asserts that `run` leaves no tensor behind. */
export function expectNoLeak(run: () => void, what: string): void {
  const before = tf.memory().numTensors;
  run();
  expect(tf.memory().numTensors, `${what}: tensors left behind`).toBe(before);
}
