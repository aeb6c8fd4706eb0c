/**
 * Seeds for everything random in nn, like `torch.manual_seed`.
 *
 * Each layer that needs randomness takes a `seed` option; when it is left
 * out, the layer draws the next seed from this module-wide sequence, so two
 * layers built one after the other get different weights, and the same
 * program builds the same weights on every run.
 *
 *   nn.manualSeed(0);
 *   const model = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh());
 */
let nextValue = 0;

/** Restarts the sequence of seeds that layers built without `seed` draw from. */
export function manualSeed(seed: number): void {
  nextValue = seed;
}

/** The seed the next layer built without `seed` will use; advances the sequence. */
export function nextSeed(): number {
  // A large odd stride keeps consecutive seeds far apart for tfjs's seeded generators.
  const seed = nextValue;
  nextValue = (nextValue + 7919) % 2147483647;
  return seed;
}

/**
 * Runs `fn` with the sequence restarted at `seed`, then puts the sequence back
 * where it was: a check builds its layers without changing the weights that
 * the notebook's later layers get.
 */
export function withManualSeed<T>(seed: number, fn: () => T): T {
  const saved = nextValue;
  nextValue = seed;
  try {
    return fn();
  } finally {
    nextValue = saved;
  }
}
