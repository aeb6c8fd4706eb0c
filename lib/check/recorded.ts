/**
 * Outputs as data: what a lab function computed (tensors, numbers, strings,
 * arrays and objects of those) turned into plain JSON, and back into the
 * numeric leaves checks compare. Public checks compare a student's outputs
 * with outputs recorded at release; the grader compares the records a
 * graded notebook shows with the solution's, outside the student's process.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { Leaf, Numeric, allClose, maxDiff, sameShape, showShape, unravel } from "./values";

/** A float that JSON cannot hold is kept as its name. */
export type RecordedNumber = number | "NaN" | "Infinity" | "-Infinity";

export interface RecordedTensor {
  tensor: { dtype: string; shape: number[]; values: RecordedNumber[] };
}

/** JSON for any output a lab function returns. */
export type Recorded =
  null | boolean | string | RecordedNumber | RecordedTensor | Recorded[] | { [key: string]: Recorded };

/** The outcome of one case: what came out, or what was thrown. */
export type RecordedCase = { value: Recorded } | { error: string };

const encodeNumber = (x: number): RecordedNumber =>
  Number.isFinite(x) ? x : Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";

const decodeNumber = (x: RecordedNumber): number => (typeof x === "number" ? x : Number(x));

function isRecordedTensor(value: unknown): value is RecordedTensor {
  return typeof value === "object" && value !== null && "tensor" in value && Object.keys(value).length === 1;
}

/** Reads every tensor in `value` (disposed ones included: their data is gone, so they become a string saying so). */
export function toRecorded(value: unknown): Recorded {
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) return "a disposed tensor";
    return {
      tensor: {
        dtype: value.dtype,
        shape: value.shape.slice(),
        values: Array.from(value.dataSync() as ArrayLike<number>, encodeNumber),
      },
    };
  }
  if (typeof value === "number") return encodeNumber(value);
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean" || typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(toRecorded);
  if (typeof value === "object") {
    const out: Record<string, Recorded> = {};
    for (const key of Object.keys(value).sort()) out[key] = toRecorded((value as Record<string, unknown>)[key]);
    return out;
  }
  return `a ${typeof value}`;
}

/** A nested array of numbers, all rows the same length, as one numeric leaf; null for anything else. */
function numberArray(value: Recorded[]): Numeric | null {
  const shape: number[] = [];
  for (let v: Recorded = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  const flat = (value as unknown[]).flat(Infinity) as Recorded[];
  const size = shape.reduce((a, b) => a * b, 1);
  if (
    shape.includes(0) ||
    flat.length !== size ||
    !flat.every((x) => typeof x === "number" || x === "NaN" || x === "Infinity" || x === "-Infinity")
  )
    return null;
  return { dtype: "number", shape, values: (flat as RecordedNumber[]).map(decodeNumber) };
}

/** The recorded value as checks see outputs: numeric leaves with their paths. */
export function recordedLeaves(value: Recorded, path = ""): Leaf[] {
  if (isRecordedTensor(value)) {
    const { dtype, shape, values } = value.tensor;
    return [{ path, value: { dtype, shape, values: values.map(decodeNumber) }, kind: "numeric" }];
  }
  if (typeof value === "number" || value === "NaN" || value === "Infinity" || value === "-Infinity") {
    return [{ path, value: { dtype: "number", shape: [], values: [decodeNumber(value)] }, kind: "numeric" }];
  }
  if (Array.isArray(value)) {
    // A nested array of numbers is one leaf, as checks read `[[1, 2], [3, 4]]`.
    const numeric = numberArray(value);
    if (numeric) return [{ path, value: numeric, kind: "numeric" }];
    return value.flatMap((v, i) => recordedLeaves(v, `${path}[${i}]`));
  }
  if (value !== null && typeof value === "object") {
    return Object.keys(value)
      .sort()
      .flatMap((k) => recordedLeaves(value[k], path ? `${path}.${k}` : k));
  }
  const kind = value === null ? "undefined" : typeof value === "string" ? `"${value}"` : String(value);
  return [{ path, value: null, kind }];
}

/** How close two outputs must be to count as equal: |a − e| ≤ atol + rtol·|e|, leaf by leaf. */
export interface Tolerance {
  /** Relative tolerance. Default 1e-4 (float32 arithmetic in a different order). */
  rtol?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
}

/** Float32 arithmetic done in another order: what every comparison allows unless told otherwise. */
export const DEFAULT_TOLERANCE: Required<Tolerance> = { rtol: 1e-4, atol: 1e-5 };

/** Where two records differ, said for a student; null when they agree within the tolerance. */
export interface Difference {
  /** The leaf, "" for a bare output. */
  path: string;
  message: string;
  actual: Numeric | null;
  expected: Numeric | null;
}

/** Compares `actual` with `expected` leaf by leaf: same paths, kinds, shapes, and values within the tolerance. */
export function compareRecorded(
  actual: Recorded,
  expected: Recorded,
  tolerance: Tolerance = {},
  name = "the output",
): Difference | null {
  const { rtol, atol } = { ...DEFAULT_TOLERANCE, ...tolerance };
  const got = recordedLeaves(actual);
  const want = recordedLeaves(expected);
  const label = (leaf: Leaf) => (leaf.path ? `${name} ${leaf.path}` : name);
  const describe = (ls: Leaf[]) =>
    ls.length === 1 && !ls[0].path
      ? ls[0].value
        ? `a tensor of shape ${showShape(ls[0].value.shape)}`
        : ls[0].kind
      : `{${ls.map((l) => l.path).join(", ")}}`;
  if (got.length !== want.length || got.some((g, i) => g.path !== want[i].path)) {
    return {
      path: "",
      message: `${name} returned ${describe(got)}; expected ${describe(want)}`,
      actual: null,
      expected: null,
    };
  }
  for (let i = 0; i < want.length; i++) {
    const [a, e] = [got[i].value, want[i].value];
    if (!e) {
      if (a || got[i].kind !== want[i].kind)
        return {
          path: want[i].path,
          message: `${label(got[i])} is ${a ? "a number" : got[i].kind}; expected ${want[i].kind}`,
          actual: a,
          expected: null,
        };
      continue;
    }
    if (!a)
      return {
        path: got[i].path,
        message: `${label(got[i])} is ${got[i].kind}; expected a tensor of shape ${showShape(e.shape)}`,
        actual: null,
        expected: e,
      };
    if (!sameShape(a.shape, e.shape)) {
      return {
        path: got[i].path,
        message: `${label(got[i])} has shape ${showShape(a.shape)}; expected ${showShape(e.shape)}`,
        actual: a,
        expected: e,
      };
    }
    if (!allClose(a.values, e.values, rtol, atol)) {
      const { diff, index } = maxDiff(a.values, e.values);
      const at = e.shape.length ? ` at [${unravel(index, e.shape).join(",")}]` : "";
      return {
        path: got[i].path,
        message: `${label(got[i])} differs from the reference (max |Δ| ${diff.toPrecision(3)}${at}: yours ${a.values[index].toPrecision(4)}, expected ${e.values[index].toPrecision(4)})`,
        actual: a,
        expected: e,
      };
    }
  }
  return null;
}

/** Runs one case: its outputs as a record, or the error it threw. Every tensor it made is freed. */
export function runCase(probe: () => unknown): RecordedCase {
  try {
    let value: Recorded = null;
    tf.tidy(() => {
      value = toRecorded(probe());
    });
    return { value };
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    return { error: message };
  }
}
