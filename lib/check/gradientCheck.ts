import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Random } from "../data/random";
import { thrown } from "./thrown";
import { shapeHint, valueHint } from "./hints";
import { Verdict, report } from "./verdict";
import { Numeric, sameShape, showShape, unravel } from "./values";

/** Options of `check.gradientCheck`. */
export interface GradientCheckOptions {
  /** Shown in the verdict line. Default "gradients". */
  name?: string;
  /** Names of the inputs, in order. Default x0, x1, ... */
  names?: string[];
  /** The gradients to check, one per input: a hand-written backward. Default: tfjs autograd (tf.grads). */
  analytic?: (...inputs: tf.Tensor[]) => tf.Tensor[];
  /** Finite-difference step h. Default 1e-3: smaller drowns in float32 rounding. */
  eps?: number;
  /** Relative tolerance. Default 1e-2. */
  rtol?: number;
  /** Absolute tolerance. Default 1e-3. */
  atol?: number;
  /** At most this many coordinates per input, drawn with `seed`. Default 64. */
  maxCoords?: number;
  /** Seed of that draw. Default 0. */
  seed?: number;
}

/**
 * Checks gradients against central finite differences,
 * ∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h, with tolerances for float32,
 * and prints its one-line verdict. `fn` must return a scalar.
 *
 *   gradientCheck((w, b) => loss(w, b), [w, b], { names: ["w", "b"] });
 *   // ✔ gradients of w, b match finite differences (max error 2.1e-4 over 20 coordinates)
 *   gradientCheck(loss, [w, b], { analytic: myBackward });   // a hand-written backward
 *
 * Inputs within h of a kink (ReLU at 0, abs, max) can fail honestly: there
 * the two one-sided slopes differ. Random float inputs almost never land there.
 */
export function gradientCheck(
  fn: (...inputs: tf.Tensor[]) => tf.Scalar,
  inputs: tf.Tensor[],
  options: GradientCheckOptions = {},
): Verdict {
  const name = options.name ?? "gradients";
  const names = inputs.map((_, i) => options.names?.[i] ?? `x${i}`);
  const rtol = options.rtol ?? 1e-2;
  const atol = options.atol ?? 1e-3;
  const notFloat = inputs.findIndex((x) => x.dtype !== "float32");
  if (notFloat >= 0) {
    throw new Error(
      `gradientCheck: ${names[notFloat]} has dtype ${inputs[notFloat].dtype}; gradients need float32 inputs (cast with .toFloat())`,
    );
  }
  let analytic: Numeric[];
  try {
    analytic = tf
      .tidy(() => (options.analytic ? options.analytic(...inputs) : tf.grads(fn)(inputs)))
      .map(readAndDispose);
  } catch (err) {
    return report(thrown(name, err));
  }
  if (analytic.length !== inputs.length) {
    return report({
      ok: false,
      message: `${name}: ${analytic.length} gradients for ${inputs.length} inputs; expected one per input (${names.join(", ")})`,
    });
  }
  const rng = new Random(options.seed ?? 0);
  let worst = 0;
  let coords = 0;
  for (let k = 0; k < inputs.length; k++) {
    const x = inputs[k];
    const g = analytic[k];
    if (!sameShape(g.shape, x.shape)) {
      return report({
        ok: false,
        message: `${name}: the gradient of ${names[k]} has shape ${showShape(g.shape)}; expected ${showShape(x.shape)} like ${names[k]}`,
        hint: shapeHint(g.shape, x.shape),
      });
    }
    const all = g.values.length <= (options.maxCoords ?? 64);
    const picked = all ? g.values.map((_, i) => i) : rng.permutation(g.values.length).slice(0, options.maxCoords ?? 64);
    const numeric = picked.map((i) => centralDifference(fn, inputs, k, i, options.eps ?? 1e-3));
    coords += picked.length;
    for (let j = 0; j < picked.length; j++) {
      const [a, n] = [g.values[picked[j]], numeric[j]];
      const error = Math.abs(a - n);
      worst = Math.max(worst, error);
      if (!(error <= atol + rtol * Math.max(Math.abs(a), Math.abs(n)))) {
        const analyticPart: Numeric = all
          ? g
          : { shape: [picked.length], values: picked.map((i) => g.values[i]), dtype: "float32" };
        const numericPart: Numeric = { shape: analyticPart.shape, values: numeric, dtype: "float32" };
        return report({
          ok: false,
          message: `${name}: ∂/∂${names[k]} at [${unravel(picked[j], x.shape).join(",")}] is ${a.toPrecision(4)}; finite differences give ${n.toPrecision(4)}`,
          hint: valueHint(analyticPart, numericPart, { rtol, atol, sizes: inputs.flatMap((t) => t.shape) }),
        });
      }
    }
  }
  return report({
    ok: true,
    message: `${name} of ${names.join(", ")} match finite differences (max error ${worst.toPrecision(2)} over ${coords} coordinates)`,
  });
}

function readAndDispose(t: tf.Tensor): Numeric {
  const out = { shape: t.shape.slice(), values: Array.from(t.dataSync()), dtype: t.dtype };
  t.dispose();
  return out;
}

/** (f(x + h) − f(x − h)) / (x₊ − x₋), dividing by the step float32 actually took. */
function centralDifference(
  fn: (...inputs: tf.Tensor[]) => tf.Scalar,
  inputs: tf.Tensor[],
  k: number,
  i: number,
  h: number,
): number {
  const base = inputs[k].dataSync() as Float32Array;
  const at = (delta: number): { f: number; x: number } => {
    const moved = Float32Array.from(base);
    moved[i] = base[i] + delta;
    const f = tf.tidy(() => {
      const args = inputs.slice();
      args[k] = tf.tensor(moved, inputs[k].shape, "float32");
      return fn(...args);
    });
    const value = f.dataSync()[0];
    f.dispose();
    return { f: value, x: moved[i] };
  };
  const plus = at(h);
  const minus = at(-h);
  return (plus.f - minus.f) / (plus.x - minus.x);
}
