/**
 * What a student lab has where a solution goes. Released labs throw an
 * error whose message starts with "not implemented:" (course/release writes
 * it, so a lab needs no import for it); in hand-written code,
 * `notImplemented()` does the same. Checks recognise both and say "not
 * implemented yet" instead of failing with a stack trace.
 */
const PREFIX = "not implemented:";

/** The error a stub throws; `what` names the missing piece ("forward"). */
export class NotImplementedError extends Error {
  constructor(readonly what: string) {
    super(`${PREFIX} ${what} (replace notImplemented() with your code)`);
    this.name = "NotImplementedError";
  }
}

/**
 * Throws NotImplementedError; typed `never` so it stands in for any return
 * value. Checks say "not implemented yet" instead of a stack trace.
 *
 *   function forward(x: tf.Tensor): tf.Tensor {
 *     return notImplemented("forward");   // YOUR CODE HERE
 *   }
 */
export function notImplemented(what = "this function"): never {
  throw new NotImplementedError(what);
}

/** True for a stub's error: the kit's NotImplementedError (from any copy of the kit) or a released lab's "not implemented:" error. */
export function isNotImplemented(err: unknown): err is Error {
  return err instanceof Error && (err.name === "NotImplementedError" || err.message.startsWith(PREFIX));
}

/**
 * The stub's error as a NotImplementedError naming the missing piece
 * ("forward"), or null when `err` is not a stub's: lets a check say which
 * piece is missing even when the student's function calls another stub.
 */
export function asNotImplemented(err: unknown): NotImplementedError | null {
  if (!isNotImplemented(err)) return null;
  if (err instanceof NotImplementedError) return err;
  const what = (err as Error & { what?: string }).what ?? err.message.match(/^not implemented:\s*([^\s(]+)/)?.[1];
  return new NotImplementedError(what ?? "this function");
}
