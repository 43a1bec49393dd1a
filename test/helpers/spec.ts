import type { PhaseSpec } from '../../src/loadgen/types.ts';

/** A small open-loop phase for tests: 100 rps for 1 s on 2 connections, no warmup, unless overridden. */
export function testSpec(url: string, extra: Partial<PhaseSpec> = {}): PhaseSpec {
  return {
    url,
    loop: 'open',
    arrival: 'uniform',
    rate: 100,
    connections: 2,
    workers: 1,
    durationMs: 1000,
    warmupMs: 0,
    timeoutMs: 2000,
    seed: 1,
    ...extra,
  };
}
