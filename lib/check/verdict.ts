import { MIME_BUNDLE, MimeBundle } from "../display";

/**
 * The outcome of a check: one line for the student, and on failure a hint
 * naming the likely mistake. Every check prints its line when it runs.
 *
 *   ✔ forward: matches the reference on 3 random inputs
 *   ✘ forward: yhat differs from the reference (max |Δ| 0.31) — softmax over the wrong axis?
 */
export interface Verdict {
  /** True when the check passed. */
  ok: boolean;
  /** One line: what was checked and what came out. */
  message: string;
  /** On failure, the likely mistake, phrased as a question. */
  hint?: string;
  /** True when the student's code still calls notImplemented(). */
  notImplemented?: boolean;
}

/** The line a verdict prints. */
export function verdictLine(v: Verdict): string {
  return `${v.ok ? "✔" : "✘"} ${v.message}${v.hint ? ` — ${v.hint}` : ""}`;
}

/**
 * Prints the verdict's line and returns it. The line is already printed, so
 * as a cell's last value the verdict shows nothing more.
 */
export function report(v: Verdict): Verdict {
  console.log(verdictLine(v));
  const shown: Verdict & { [MIME_BUNDLE](): MimeBundle } = {
    ...v,
    [MIME_BUNDLE]: () => ({ "text/plain": "" }),
  };
  Object.defineProperty(shown, MIME_BUNDLE, { enumerable: false });
  return shown;
}

/** Throws unless the verdict passed: for graded (hidden) test cells. */
export function assertOk(v: Verdict): void {
  if (!v.ok) throw new Error(verdictLine(v));
}
