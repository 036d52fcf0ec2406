// A small seeded PRNG for tests' generated corpora (mulberry32, as the simulator's ids use): the same seed
// gives the same texts on every run, so a failure can be repeated.

/**
 * Numbers in [0, 1), the same sequence for the same seed.
 *
 * @example
 * const next = random(28);
 * const digit = Math.floor(next() * 10);
 */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
