/**
 * The one error every chart throws for bad input. Its message names the chart,
 * the argument, what was expected and what came, e.g.
 *
 *   attentionMap: weights has shape [4, 4], expected [layers, heads, queries, keys]
 *   — for one head of one layer pass weights.reshape([1, 1, 4, 4])
 */
export class PlotInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlotInputError";
  }
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** `chart: argument has shape [..], expected <expected> — hint`. */
export function shapeError(
  chart: string,
  argument: string,
  received: readonly number[],
  expected: string,
  hint?: string,
): PlotInputError {
  return new PlotInputError(
    `${chart}: ${argument} has shape ${formatShape(received)}, expected ${expected}${hint ? ` — ${hint}` : ""}`,
  );
}
