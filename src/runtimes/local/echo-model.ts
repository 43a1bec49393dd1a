import { mulberry32 } from '../../core/random.ts';
import type { DistributionValue, Workload } from '../../scenario/workload-schema.ts';

/**
 * What the echo server does per request, as the scenario's `workload:` section says: the size of its answer, how
 * long it waits, how long it keeps its one thread busy, and how often it answers 500. Each quantity is fixed or drawn
 * per request from a distribution; the draws are seeded, so the same seed gives the same sequence of sizes, delays,
 * CPU costs and errors in every mode and every run. The model travels to the server as JSON (`--model`), locally and
 * in the Kubernetes echo pod alike, since both run this code.
 */

/** A fixed value, or a distribution to draw from (units are the field's: bytes or milliseconds). */
export type Distribution = DistributionValue;

export interface EchoModel {
  /** Response body size, bytes. */
  payloadBytes: Distribution;
  /** Wait before answering, milliseconds (a timer: the server stays free meanwhile). */
  delayMs: Distribution;
  /** Busy work per request, milliseconds of the server's one thread. */
  cpuMs: Distribution;
  /** Fraction of requests answered 500, 0 to 1. */
  errorRate: number;
  /** Seed of the draws, an unsigned 32-bit integer. */
  seed: number;
}

/** The largest value each quantity may take (the schema's limits), which caps a log-normal's tail. */
export const MODEL_LIMITS = { payloadBytes: 64 * 1024 * 1024, delayMs: 60_000, cpuMs: 10_000 } as const;

/** Seed used when the scenario gives none: fixed, so two runs of one scenario draw the same sequence. */
export const DEFAULT_ECHO_SEED = 1;

export function echoModel(workload: Workload): EchoModel {
  return {
    payloadBytes: workload.payloadBytes,
    delayMs: workload.responseDelay,
    cpuMs: workload.cpuPerRequest ?? 0,
    errorRate: workload.errorRate ?? 0,
    seed: workload.seed ?? DEFAULT_ECHO_SEED,
  };
}

/** The standard normal's 99th percentile, Φ⁻¹(0.99): a log-normal's σ is ln(p99 / median) / Z99. */
const Z99 = 2.3263478740408408;

/**
 * Draws from `distribution` with uniform numbers from `uniform` (floats in [0, 1)), capped to [0, `max`]. The
 * log-normal uses Box–Muller on two uniforms: median e^μ with μ = ln(median), σ = ln(p99 / median) / Φ⁻¹(0.99).
 */
export function drawer(distribution: Distribution, max: number, uniform: () => number): () => number {
  const capped = (value: number): number => Math.min(max, Math.max(0, value));
  if (typeof distribution === 'number') return () => capped(distribution);
  switch (distribution.distribution) {
    case 'fixed':
      return () => capped(distribution.value);
    case 'uniform': {
      const { min, max: top } = distribution;
      return () => capped(min + (top - min) * uniform());
    }
    case 'lognormal': {
      const mu = Math.log(distribution.median);
      const sigma = Math.log(distribution.p99 / distribution.median) / Z99;
      return () => {
        const u1 = 1 - uniform(); // (0, 1]: the logarithm stays finite
        const u2 = uniform();
        const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        return capped(Math.exp(mu + sigma * z));
      };
    }
  }
}

/** One request's draw: what to answer and when. */
export interface EchoDraw {
  status: 200 | 500;
  bodyBytes: number;
  delayMs: number;
  cpuMs: number;
}

/**
 * The per-request draws of a model. Each quantity has its own random stream (seed plus a golden-ratio step per
 * quantity), so adding an error rate does not change the sizes drawn, and a "chatty" and a "heavy" variant of one
 * scenario share their other draws.
 */
export function echoDraws(model: EchoModel): () => EchoDraw {
  const stream = (index: number): (() => number) => mulberry32((model.seed + index * 0x9e3779b9) >>> 0);
  const size = drawer(model.payloadBytes, MODEL_LIMITS.payloadBytes, stream(0));
  const delay = drawer(model.delayMs, MODEL_LIMITS.delayMs, stream(1));
  const cpu = drawer(model.cpuMs, MODEL_LIMITS.cpuMs, stream(2));
  const errors = stream(3);
  return () => ({
    bodyBytes: Math.round(size()),
    delayMs: delay(),
    cpuMs: cpu(),
    status: model.errorRate > 0 && errors() < model.errorRate ? 500 : 200,
  });
}
