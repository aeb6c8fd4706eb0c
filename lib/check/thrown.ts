import { asNotImplemented } from "./notImplemented";
import type { ErrorHint } from "./probe";
import type { Verdict } from "./verdict";

/** tfjs's shape errors, whichever op raised them: the hint when no check knows better. */
export const SHAPE_ERROR: ErrorHint = {
  when: /inner (shapes|dimensions)|must match|shapes? .* (do not|don't) match|expected \d+/i,
  hint: "two shapes do not fit: did you transpose one side, or forget the batch axis?",
};

/**
 * The verdict for what a student's code threw: "not implemented yet" for a
 * stub (naming the stub when it is another piece than `name`, as when
 * trainStep calls an unfinished forward), else the error's first line and
 * the first of `hints`, then SHAPE_ERROR, that matches it.
 */
export function thrown(name: string, err: unknown, hints: readonly ErrorHint[] = []): Verdict {
  const missing = asNotImplemented(err);
  if (missing) {
    const what = missing.what !== name ? `${missing.what} is ` : "";
    return { ok: false, notImplemented: true, message: `${name}: ${what}not implemented yet` };
  }
  const message = (err instanceof Error ? err.message : String(err)).split("\n")[0];
  const hint = [...hints, SHAPE_ERROR].find((h) => h.when.test(message))?.hint;
  return { ok: false, message: `${name} threw: ${message}`, hint };
}
