// A small seeded PRNG (mulberry32) for the resilience suites: every random choice of a run comes
// from one printed seed, so a failure can be replayed with `<NAME>_SEED=<seed> npx vitest run …`.

export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(xs: readonly T[]): T;
}

export function rng(seed: number): Rng {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: <T>(xs: readonly T[]): T => {
      if (xs.length === 0) throw new Error('pick from an empty list');
      return xs[Math.floor(next() * xs.length)]!;
    },
  };
}

/**
 * The seed of a suite: `<name>_SEED` from the environment, else a fresh one. Printed either way,
 * so the run can be repeated.
 */
export function seedFor(name: string): number {
  const env = process.env[`${name}_SEED`];
  const seed = env !== undefined && /^\d+$/.test(env) ? Number(env) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
  console.log(`[resilience] ${name}_SEED=${seed}`);
  return seed;
}
