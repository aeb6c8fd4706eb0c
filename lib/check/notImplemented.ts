/**
 * What a student lab calls where a solution goes. Checks recognise it and
 * say "not implemented yet" instead of failing with a stack trace.
 *
 *   function forward(x: tf.Tensor): tf.Tensor {
 *     return notImplemented("forward");   // YOUR CODE HERE
 *   }
 */
export class NotImplementedError extends Error {
  constructor(readonly what: string) {
    super(`${what} is not implemented yet: replace notImplemented() with your code`);
    this.name = "NotImplementedError";
  }
}

/** Throws NotImplementedError; typed `never` so it stands in for any return value. */
export function notImplemented(what = "this function"): never {
  throw new NotImplementedError(what);
}

/** True for the kit's NotImplementedError, also across two copies of the kit loaded at once. */
export function isNotImplemented(err: unknown): err is NotImplementedError {
  return err instanceof NotImplementedError || (err instanceof Error && err.name === "NotImplementedError");
}
