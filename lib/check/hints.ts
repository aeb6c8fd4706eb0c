/**
 * Guesses the likely mistake behind a wrong output, from how it differs from
 * the expected one: a transpose, a constant factor (√d, the batch size), a
 * softmax over the wrong axis, a mask applied after softmax, the right
 * numbers in the wrong places, a shape one axis off.
 */
import { Numeric, allClose, sameShape, showShape, transposeLast2 } from "./values";

export interface HintContext {
  rtol: number;
  atol: number;
  /** Sizes that appear in the inputs (batch size, feature sizes): named when a factor equals one. */
  sizes: number[];
}

/** A hint for an output whose shape differs from the expected one. */
export function shapeHint(actual: number[], expected: number[]): string | undefined {
  const r = expected.length;
  if (r >= 2 && actual.length === r && sameShape(actual, transposeShape(expected))) return "did you transpose?";
  const squeezed = (s: number[]) => s.filter((d) => d !== 1);
  if (sameShape(squeezed(actual), squeezed(expected))) {
    return actual.length < r
      ? "lost a size-1 axis: keepDims (or expandDims) missing?"
      : "an extra size-1 axis: squeeze (or keepDims: false)?";
  }
  const n = squeezed(expected);
  if (n.length === 1 && actual.length === 2 && actual[0] === n[0] && actual[1] === n[0]) {
    return `a [${n[0]}] and a [${n[0]},1] tensor broadcast into [${n[0]},${n[0]}]: reshape one of them?`;
  }
  if (size(actual) === size(expected))
    return `same number of elements: reshape to ${showShape(expected)}, or transpose first?`;
  return undefined;
}

/** A hint for an output of the right shape but the wrong values. */
export function valueHint(a: Numeric, e: Numeric, ctx: HintContext): string | undefined {
  const close = (x: number[], y: number[]) => allClose(x, y, ctx.rtol, ctx.atol);
  if (a.values.some((v) => !Number.isFinite(v)) && e.values.every(Number.isFinite)) {
    return "NaN or Infinity in yours: log(0), a division by zero or exp overflowing (subtract the max before exp)?";
  }
  const r = e.shape.length;
  if (r >= 2 && e.shape[r - 1] === e.shape[r - 2] && close(a.values, transposeLast2(e).values))
    return "did you transpose?";
  const factor = scaleFactor(a.values, e.values, close);
  if (factor !== undefined) return factorHint(factor, ctx.sizes);
  const softmax = softmaxHint(a, e, ctx);
  if (softmax) return softmax;
  const sortedA = a.values.slice().sort((x, y) => x - y);
  const sortedE = e.values.slice().sort((x, y) => x - y);
  if (close(sortedA, sortedE)) {
    return "the right numbers in the wrong places: axes reshaped or merged in the wrong order (e.g. heads), or a reshape where a transpose was needed?";
  }
  const offset = a.values[0] - e.values[0];
  if (
    close(
      a.values,
      e.values.map((v) => v + offset),
    )
  )
    return `off by a constant ${fmt(offset)}: a bias missing or added twice?`;
  return undefined;
}

function transposeShape(s: number[]): number[] {
  const r = s.length;
  return [...s.slice(0, r - 2), s[r - 1], s[r - 2]];
}

function size(s: number[]): number {
  return s.reduce((p, d) => p * d, 1);
}

/** c with a ≈ c·e, c not ≈ 1; undefined when no single factor explains the difference. */
function scaleFactor(a: number[], e: number[], close: (x: number[], y: number[]) => boolean): number | undefined {
  let ae = 0;
  let ee = 0;
  for (let i = 0; i < a.length; i++) [ae, ee] = [ae + a[i] * e[i], ee + e[i] * e[i]];
  if (ee === 0) return undefined;
  const c = ae / ee;
  if (Math.abs(c - 1) < 1e-3 || Math.abs(c) < 1e-6) return undefined;
  return close(
    a,
    e.map((v) => v * c),
  )
    ? c
    : undefined;
}

function near(x: number, y: number): boolean {
  return Math.abs(x - y) <= 1e-3 * Math.abs(y);
}

function factorHint(c: number, sizes: number[]): string {
  if (near(c, -1)) return "the sign is flipped: a + where a − belongs (or the reverse)?";
  const known = [...new Set(sizes)].filter((d) => d > 1).sort((x, y) => x - y);
  for (const d of known) {
    if (near(c, 1 / Math.sqrt(d)))
      return `yours is the expected ÷ √${d}: scaled by 1/√d where no scale belongs, or twice?`;
    if (near(c, Math.sqrt(d))) return `yours is the expected × √${d}: missing scale (divide by √d, d = ${d})?`;
  }
  const whole = Math.round(c);
  const inverse = Math.round(1 / c);
  for (const d of [...known, whole, inverse].filter((d) => d > 1)) {
    if (near(c, d)) return `yours is ${d}× the expected: forgot to divide by ${d} (the batch size or a mean)?`;
    if (near(c, 1 / d)) return `yours is the expected ÷ ${d}: divided by ${d} (the batch size) once too often?`;
  }
  const squared = c * c;
  if (Math.round(squared) >= 2 && near(squared, Math.round(squared))) {
    return `yours is the expected × √${Math.round(squared)}: missing scale (divide by √d)?`;
  }
  return `yours is the expected × ${fmt(c)}: a missing or extra constant factor (scale, batch size, learning rate)?`;
}

/** Axes along which every slice is non-negative and sums to 1. */
function normalisedAxes(x: Numeric, atol: number): number[] {
  if (x.values.some((v) => v < -atol)) return [];
  return x.shape
    .map((_, axis) => axis)
    .filter((axis) => x.shape[axis] > 1 && sumsAlong(x, axis).every((s) => Math.abs(s - 1) < Math.max(atol, 1e-4)));
}

function sumsAlong(x: Numeric, axis: number): number[] {
  return slicesAlong(x, axis).map((slice) => slice.reduce((a, b) => a + b, 0));
}

/** The 1-D slices of x along `axis` (the rows, for the last axis). */
function slicesAlong(x: Numeric, axis: number): number[][] {
  const inner = size(x.shape.slice(axis + 1));
  const n = x.shape[axis];
  const outer = size(x.shape.slice(0, axis));
  const slices: number[][] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) slices.push(Array.from({ length: n }, (_, k) => x.values[(o * n + k) * inner + i]));
  }
  return slices;
}

function entropy(p: number[]): number {
  return -p.reduce((h, q) => (q > 0 ? h + q * Math.log(q) : h), 0);
}

function softmaxHint(a: Numeric, e: Numeric, ctx: HintContext): string | undefined {
  const wanted = normalisedAxes(e, ctx.atol);
  if (wanted.length === 0) return undefined;
  const got = normalisedAxes(a, ctx.atol);
  const axis = wanted[wanted.length - 1];
  if (got.includes(axis)) {
    // Same axis, different sharpness: the scores were scaled differently (the 1/√d of attention).
    const [ha, he] = [slicesAlong(a, axis).map(entropy), slicesAlong(e, axis).map(entropy)];
    if (ha.every((h, i) => h < he[i] - 1e-6))
      return "yours is sharper (more peaked) than the expected softmax: scores not divided by √d (or another scale) before softmax?";
    if (ha.every((h, i) => h > he[i] + 1e-6))
      return "yours is flatter than the expected softmax: scores divided by a scale once too often?";
    return undefined;
  }
  if (got.some((g) => wanted.includes(g))) return undefined;
  if (got.length > 0)
    return `softmax over the wrong axis? Yours sums to 1 along axis ${got[got.length - 1]}, the expected along axis ${axis}`;
  const zerosKept = e.values.every((v, i) => Math.abs(v) > ctx.atol || Math.abs(a.values[i]) <= ctx.atol);
  const nonNegative = a.values.every((v) => v >= -ctx.atol);
  if (nonNegative && zerosKept && e.values.some((v) => Math.abs(v) <= ctx.atol)) {
    return `yours does not sum to 1 along axis ${axis}: mask applied after softmax instead of before (fill with -Infinity, then softmax)?`;
  }
  return `the expected sums to 1 along axis ${axis} and yours does not: softmax missing or not normalised?`;
}

function fmt(x: number): string {
  return Number.parseFloat(x.toPrecision(4)).toString();
}
