import { mulberry32 } from '../core/random.ts';
import type { PhaseSpec } from './types.ts';

/**
 * Intended send times for the open loop, in microseconds after the phase's time zero.
 * Uniform: evenly spaced. Poisson: exponential gaps from a seeded generator, so runs repeat exactly.
 * A worker k of W takes rate/W; uniform workers are offset by k/W of an interval so their union is evenly spaced,
 * and the union of independent Poisson processes is Poisson at the summed rate.
 */
export interface Schedule {
  /** The next intended time, without consuming it. */
  peek(): number;
  /** Consumes the next intended time. */
  next(): number;
}

/** The schedule of worker `worker` of a phase; its I/O thread and its pacer build the same one. */
export function workerSchedule(spec: PhaseSpec, worker: number): Schedule {
  const rate = (spec.rate ?? 0) / spec.workers;
  return spec.arrival === 'poisson' ? poissonSchedule(rate, spec.seed + worker) : uniformSchedule(rate, worker, spec.workers);
}

export function uniformSchedule(ratePerWorker: number, worker: number, workers: number): Schedule {
  const intervalUs = 1e6 / ratePerWorker;
  const offset = (intervalUs * worker) / workers;
  let i = 0;
  return {
    peek: () => offset + i * intervalUs,
    next: () => offset + i++ * intervalUs,
  };
}

export function poissonSchedule(ratePerWorker: number, seed: number): Schedule {
  const random = mulberry32(seed);
  const meanGapUs = 1e6 / ratePerWorker;
  let upcoming = gap();
  function gap(): number {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    return -Math.log(1 - random()) * meanGapUs;
  }
  return {
    peek: () => upcoming,
    next: () => {
      const current = upcoming;
      upcoming += gap();
      return current;
    },
  };
}
