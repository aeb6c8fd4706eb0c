import { randomBytes } from "crypto";

/** Output in several forms, keyed by mime type: `{ "text/plain": "…", "image/svg+xml": "<svg…" }`; the notebook shows the richest it can. */
export type MimeBundle = Record<string, unknown>;

/** The method key of a `Displayable`: the kernel calls `obj[MIME_BUNDLE]()` on a cell's last value. */
export const MIME_BUNDLE = Symbol.for("dlkit.mimeBundle");

/** An object that shows itself richly when it is a cell's last expression. */
export interface Displayable {
  [MIME_BUNDLE](): MimeBundle | Promise<MimeBundle>;
}

type WriteDisplayData = (
  data: { data: MimeBundle; metadata: object; transient: { display_id?: string } },
  update: boolean,
) => void;

/**
 * The kernel's display channel for the running cell: tslab keeps it in its
 * jupyter module, and the kit's kernel sets it for every cell.
 */
function kernelChannel(): WriteDisplayData | null {
  try {
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: WriteDisplayData | null };
    return jupyter.lastWriteDisplayData;
  } catch {
    return null;
  }
}

/** True inside a notebook cell run by a Jupyter kernel. */
export function inNotebook(): boolean {
  return kernelChannel() !== null;
}

/** The handle `display` returns, to replace that output later. */
export interface Shown {
  /** Replaces what this display shows, in place. */
  update(bundle: MimeBundle): void;
}

/**
 * Shows rich output (a mime bundle: Vega-Lite, SVG, HTML, text) in the
 * notebook the code runs in; the handle updates that same output in place.
 * Outside a notebook (a script, a test) the text/plain part goes to stdout instead.
 *
 *   const shown = display({ "text/plain": "epoch 1" });
 *   shown.update({ "text/plain": "epoch 2" });   // same output, replaced
 */
export function display(bundle: MimeBundle): Shown {
  const id = randomBytes(8).toString("hex");
  const send = (b: MimeBundle, update: boolean) => {
    const channel = kernelChannel();
    if (channel) channel({ data: b, metadata: {}, transient: { display_id: id } }, update);
    else if (typeof b["text/plain"] === "string") process.stdout.write(`${b["text/plain"]}\n`);
  };
  send(bundle, false);
  return { update: (b) => send(b, true) };
}
