import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { shapeHint } from "./hints";
import { Verdict, report } from "./verdict";
import { showShape } from "./values";

/** Options of `check.checkShape`. */
export interface CheckShapeOptions {
  /** How the lesson names each axis (["batch", "nh"]); shown beside the numbers. Default: numbers only. */
  dims?: string[];
  /** The dtype it must have, if any ("float32", "int32"). Default: any. */
  dtype?: tf.DataType;
}

/**
 * Checks a tensor's shape (and dtype), naming the sizes the way the lesson
 * does, and prints its one-line verdict. `null` in `expected` accepts any
 * size on that axis (a batch axis, say).
 *
 *   checkShape(params.bh, [4, 1], "bh", { dims: ["nh", "1"] });
 *   // ✘ bh has shape [1,4]; expected [nh,1] = [4,1] — did you transpose?
 */
export function checkShape(
  value: unknown,
  expected: (number | null)[],
  name: string,
  options: CheckShapeOptions = {},
): Verdict {
  const wanted = options.dims ? `[${options.dims.join(",")}] = ${show(expected)}` : show(expected);
  if (!(value instanceof tf.Tensor)) {
    const what =
      value === undefined ? "undefined" : Array.isArray(value) ? "an array, not a tensor" : `a ${typeof value}`;
    return report({ ok: false, message: `${name} is ${what}; expected a tensor of shape ${wanted}` });
  }
  const actual = value.shape;
  const fits = actual.length === expected.length && expected.every((d, i) => d === null || d === actual[i]);
  if (!fits) {
    const concrete = expected.map((d, i) => d ?? actual[i] ?? 1);
    return report({
      ok: false,
      message: `${name} has shape ${showShape(actual)}; expected ${wanted}`,
      hint: shapeHint(actual, concrete),
    });
  }
  if (options.dtype && value.dtype !== options.dtype) {
    return report({
      ok: false,
      message: `${name} has dtype ${value.dtype}; expected ${options.dtype}`,
      hint: `convert it with .cast("${options.dtype}")?`,
    });
  }
  return report({ ok: true, message: `${name} has shape ${wanted}` });
}

function show(shape: (number | null)[]): string {
  return `[${shape.map((d) => d ?? "*").join(",")}]`;
}
