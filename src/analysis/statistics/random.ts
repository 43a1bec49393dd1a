import { mulberry32 } from '../../loadgen/schedule.ts';

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
 * Seeded PRNG for the statistics layer: mulberry32 (the generator the load schedule uses, imported from
 * `src/loadgen/schedule.ts`). The seed must be an integer; mulberry32 keeps its low 32 bits (`seed >>> 0`), so seeds
 * that agree modulo 2^32 give the same sequence.
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
