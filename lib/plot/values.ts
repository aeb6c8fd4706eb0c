/**
 * Reads what users pass to charts — tfjs tensors, typed arrays, nested number
 * arrays — into one flat row-major list of numbers plus its shape. Tensors are
 * read, never disposed: they belong to the caller.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");
import { PlotInputError, shapeError } from "./errors";

/** Nested arrays of numbers, any depth: `[1, 2]`, `[[1, 2], [3, 4]]`, ... */
export type NestedNumbers = readonly (number | NestedNumbers)[];

/** A tensor, a typed array or nested arrays of numbers. */
export type NumericInput = tf.Tensor | Float32Array | Int32Array | Uint8Array | NestedNumbers;

/** Class labels: indices (as numbers or a tensor) or names. */
export type LabelInput = NumericInput | readonly string[];

export interface Dense {
  data: number[];
  shape: number[];
}

/** Flattens `input`; `chart` and `argument` name the culprit in errors (ragged rows, non-numbers). */
export function dense(input: NumericInput, chart: string, argument: string): Dense {
  if (input instanceof tf.Tensor) return { data: Array.from(input.dataSync()), shape: [...input.shape] };
  if (ArrayBuffer.isView(input)) return { data: Array.from(input), shape: [input.length] };
  if (!Array.isArray(input)) {
    throw new PlotInputError(`${chart}: ${argument} must be a tensor or an array of numbers, not ${typeof input}`);
  }
  const shape: number[] = [];
  for (let level: unknown = input; Array.isArray(level); level = level[0]) shape.push(level.length);
  const data: number[] = [];
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node !== "number") {
        throw new PlotInputError(
          `${chart}: ${argument}${path} is ${JSON.stringify(node)}, expected a number (nested arrays must all have the same depth)`,
        );
      }
      data.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      const length = Array.isArray(node) ? `${node.length} entries` : "a number";
      throw new PlotInputError(
        `${chart}: ${argument} is ragged: ${argument}${path} has ${length}, expected ${shape[depth]} like ${argument}${"[0]".repeat(depth)}`,
      );
    }
    node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(input, 0, "");
  return { data, shape };
}

/** Reads labels as names (`classNames[i]` or the index as text); [n, C] scores become their argmax. */
export function readLabels(
  input: LabelInput,
  chart: string,
  argument: string,
  classNames?: readonly string[],
): string[] {
  if (Array.isArray(input) && input.length > 0 && input.every((v) => typeof v === "string"))
    return [...(input as string[])];
  const { data, shape } = dense(input as NumericInput, chart, argument);
  if (shape.length === 1 || (shape.length === 2 && shape[1] === 1)) {
    return data.map((v) => {
      if (!Number.isInteger(v)) {
        throw new PlotInputError(
          `${chart}: ${argument} holds ${v}, expected class indices (integers) — pass scores as [n, classes] to take their argmax`,
        );
      }
      return className(v, classNames);
    });
  }
  if (shape.length === 2) return argmaxRows(data, shape[1]).map((i) => className(i, classNames));
  throw shapeError(chart, argument, shape, "[n] class indices or [n, classes] scores");
}

export function className(index: number, classNames?: readonly string[]): string {
  return classNames?.[index] ?? String(index);
}

export function argmaxRows(data: readonly number[], columns: number): number[] {
  const out: number[] = [];
  for (let start = 0; start < data.length; start += columns) {
    let best = start;
    for (let j = start + 1; j < start + columns; j++) if (data[j] > data[best]) best = j;
    out.push(best - start);
  }
  return out;
}

/** The classes in colour order: `classNames` when given, else the labels seen, numbers in numeric order. */
export function classDomain(labels: readonly string[], classNames?: readonly string[]): string[] {
  if (classNames) return [...classNames];
  const seen = [...new Set(labels)];
  return seen.every((l) => /^-?\d+$/.test(l)) ? seen.sort((a, b) => Number(a) - Number(b)) : seen;
}
