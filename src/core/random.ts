/** A seeded source of uniform random numbers for resampling. Same seed, same sequence, on every platform. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /**
   * A uniform integer in [0, bound): `floor(next() × bound)`. The generator has 2^32 outputs, so for the small bounds
   * used here (numbers of repetitions) the bias is below bound / 2^32 and is ignored.
   */
  integer(bound: number): number;
}

/**
 * Seeded PRNG for the statistics layer: mulberry32 (below; the load schedule draws its Poisson gaps from it too).
 * The seed must be an integer; mulberry32 keeps its low 32 bits (`seed >>> 0`), so seeds that agree modulo 2^32 give
 * the same sequence.
 *
 * @throws RangeError when the seed is not an integer.
 */
export function seededRandom(seed: number): Random {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const next = mulberry32(seed);
  return {
    next,
    integer(bound: number): number {
      if (!Number.isInteger(bound) || bound < 1 || bound > 2 ** 32) {
        throw new RangeError(`bound must be an integer in [1, 2^32], got ${bound}`);
      }
      return Math.floor(next() * bound);
    },
  };
}

/** Small, well-known 32-bit PRNG (mulberry32); returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
