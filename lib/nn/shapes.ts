/**
 * Shape checks shared by the layers, so every layer's error reads the same:
 * the layer, what it expected, what it got, and a likely fix.
 */
import "@tensorflow/tfjs";
import tf = require("@tensorflow/tfjs-core");

/** `[2,3,4]`, the way shapes appear in every error message. */
export function showShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Throws `layer: message` when `ok` is false. */
export function check(ok: boolean, layer: string, message: () => string): void {
  if (!ok) throw new Error(`${layer}: ${message()}`);
}

/** The input must have one of the given ranks (`shapeHint` describes the expected layout). */
export function checkRank(x: tf.Tensor, ranks: readonly number[], layer: string, shapeHint: string): void {
  check(
    ranks.includes(x.rank),
    layer,
    () => `input has shape ${showShape(x.shape)} (${x.rank}-D), expected ${ranks.join("-D or ")}-D ${shapeHint}`,
  );
}

/** Float input only: integer tensors usually mean class indices went to the wrong place. */
export function checkFloat(x: tf.Tensor, layer: string): void {
  check(
    x.dtype === "float32",
    layer,
    () =>
      `input has dtype ${x.dtype}, expected float32 — convert with x.toFloat(), or pass the indices to an Embedding first`,
  );
}

/**
 * The smallest and largest value of an integer tensor (class indices, token
 * ids), read once and scanned in JavaScript: two reductions on the backend
 * would cost two ops and two reads on every call.
 */
export function valueRange(x: tf.Tensor): [number, number] {
  const values = x.dataSync();
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < low) low = values[i];
    if (values[i] > high) high = values[i];
  }
  return [low, high];
}
