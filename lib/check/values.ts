/**
 * The numeric leaves checks compare (lib/check/recorded flattens any output
 * into them) and the arithmetic on them: closeness, the largest difference,
 * multi-indices, transposes.
 */

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
