/**
 * What checks compare: any output a lab function returns (a tensor, a
 * number, a nested number array, or an array/object of those) flattened to
 * named numeric leaves read back from the backend.
 */
import * as tf from "@tensorflow/tfjs";

export interface Numeric {
  shape: number[];
  values: number[];
  dtype: string;
}

export interface Leaf {
  /** Where the leaf sits in the output: "" for a bare tensor, "cache.h", "[1]". */
  path: string;
  value: Numeric | null;
  /** What the value was, when it is not numeric ("undefined", "a string"). */
  kind: string;
}

/** Reads a tensor, number or nested number array; null for anything else. */
export function toNumeric(value: unknown): Numeric | null {
  if (value instanceof tf.Tensor) {
    return { shape: value.shape.slice(), values: Array.from(value.dataSync() as ArrayLike<number>), dtype: value.dtype };
  }
  if (typeof value === "number") return { shape: [], values: [value], dtype: "number" };
  if (Array.isArray(value) && isNumberArray(value)) {
    const shape: number[] = [];
    for (let v: unknown = value; Array.isArray(v); v = v[0]) shape.push(v.length);
    return { shape, values: (value as unknown[]).flat(Infinity) as number[], dtype: "number" };
  }
  return null;
}

function isNumberArray(value: unknown[]): boolean {
  return value.every((v) => typeof v === "number" || (Array.isArray(v) && isNumberArray(v)));
}

function kindOf(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${typeof value}`;
}

/** Flattens an output to its numeric leaves, in a stable order. */
export function leaves(value: unknown, path = ""): Leaf[] {
  const numeric = toNumeric(value);
  if (numeric) return [{ path, value: numeric, kind: "numeric" }];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.keys(value)
      .sort()
      .flatMap((k) => leaves((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return [{ path, value: null, kind: kindOf(value) }];
}

export function showShape(shape: number[]): string {
  return `[${shape.join(",")}]`;
}

export function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Elementwise |a − e| ≤ atol + rtol·|e|, NaN matching NaN only where expected. */
export function allClose(a: number[], e: number[], rtol: number, atol: number): boolean {
  if (a.length !== e.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(e[i]) && Number.isNaN(a[i])) continue;
    if (!(Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]))) return false;
  }
  return true;
}

/** The largest |a − e| and where it is (flat index). */
export function maxDiff(a: number[], e: number[]): { diff: number; index: number } {
  let diff = -1;
  let index = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Number.isNaN(a[i] - e[i]) ? Infinity : Math.abs(a[i] - e[i]);
    if (d > diff) [diff, index] = [d, i];
  }
  return { diff, index };
}

/** The multi-index of a flat index. */
export function unravel(index: number, shape: number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    out[k] = index % shape[k];
    index = Math.floor(index / shape[k]);
  }
  return out;
}

/** Values with the last two axes swapped (a batch of matrix transposes). */
export function transposeLast2(x: Numeric): Numeric {
  const r = x.shape.length;
  if (r < 2) return x;
  const [m, n] = [x.shape[r - 2], x.shape[r - 1]];
  const out = new Array<number>(x.values.length);
  for (let b = 0; b < x.values.length; b += m * n) {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[b + j * m + i] = x.values[b + i * n + j];
  }
  return { shape: [...x.shape.slice(0, r - 2), n, m], values: out, dtype: x.dtype };
}
