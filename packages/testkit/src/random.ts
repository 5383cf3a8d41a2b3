/**
 * mulberry32: a tiny seeded PRNG so property tests, fuzzers and benchmarks
 * replay exactly from their seed. Uniform in [0, 1), like Math.random.
 * (The simulator keeps its own xoshiro128** `Rng`: its seeds are a replay
 * format of their own.)
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
