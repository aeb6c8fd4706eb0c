/**
 * What a student lab has where a solution goes. Released labs throw an
 * error whose message starts with "not implemented:" (kernel/release writes
 * it, so a lab needs no import for it); in hand-written code,
 * `notImplemented()` does the same. Checks recognise both and say "not
 * implemented yet" instead of failing with a stack trace.
 *
 *   function forward(x: tf.Tensor): tf.Tensor {
 *     return notImplemented("forward");   // YOUR CODE HERE
 *   }
 */
const PREFIX = "not implemented:";

export class NotImplementedError extends Error {
  constructor(readonly what: string) {
    super(`${PREFIX} ${what} (replace notImplemented() with your code)`);
    this.name = "NotImplementedError";
  }
}

/** Throws NotImplementedError; typed `never` so it stands in for any return value. */
export function notImplemented(what = "this function"): never {
  throw new NotImplementedError(what);
}

/** True for a stub's error: the kit's NotImplementedError (from any copy of the kit) or a released lab's "not implemented:" error. */
export function isNotImplemented(err: unknown): err is Error {
  return err instanceof Error && (err.name === "NotImplementedError" || err.message.startsWith(PREFIX));
}
