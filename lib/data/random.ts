/**
 * A small seeded random generator, so data sets, shuffles and check inputs
 * come out the same on every run and every backend (tfjs's own seeded ops
 * differ between backends; this one is plain JavaScript).
 *
 *   const rng = new Random(42);
 *   rng.uniform();  rng.normal();  rng.int(10);  rng.permutation(5);
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    // Mixing the seed keeps seeds 0, 1, 2 from starting in similar states.
    this.state = hash32(seed);
  }

  /** Uniform in [0, 1) (mulberry32). */
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(mean = 0, std = 1): number {
    const u = 1 - this.uniform();
    const v = this.uniform();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** The numbers 0..n-1 in a random order (Fisher–Yates). */
  permutation(n: number): number[] {
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** A well-mixed 32-bit value from any number of integers (for seeds derived from seeds). */
export function hash32(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    h = Math.imul(h ^ (v | 0), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h | 0;
}
