import { describe, expect, it } from 'vitest';
import type { LatencySummary } from '../../src/core/histogram.ts';
import type { GeneratorStats, PhaseSpec } from '../../src/loadgen/types.ts';
import { GENERATOR_TAIL_MIN_SLIP_US, GENERATOR_TAIL_SHARE, generatorWarnings } from '../../src/loadgen/warnings.ts';
import { testSpec } from '../helpers/spec.ts';

function check(slipP99: number, latencyP99: number | null, spec: PhaseSpec = testSpec('http://127.0.0.1:1/', { rate: 1000 }), realtime?: boolean) {
  const latencyUs: LatencySummary = { p50: 90, p90: 150, p95: 200, p99: latencyP99, p999: null, max: 50_000, mean: 120 };
  const generator: GeneratorStats = { cpuCores: 0.12, slipUs: { p50: 2, p99: slipP99, max: 40_000 }, queued: 0, workers: spec.workers, ...(realtime === undefined ? {} : { realtime }) };
  const counts = { ok: 20_000, non2xx: 0, errors: 0, timeouts: 0 };
  return generatorWarnings({ spec, achievedRps: spec.rate ?? 0, counts, generator, latencyUs, saturated: 0, samples: 20_000 });
}

describe('the generator-tail warning', () => {
  it('says so when the generator\'s slip p99 is half the latency p99 or more', () => {
    expect(GENERATOR_TAIL_SHARE).toBe(0.5);
    const [warning] = check(1500, 3000);
    expect(warning).toEqual({
      code: 'generator-tail',
      message: "the generator's own lateness is 50% of the latency p99 (slip p99 1500 µs, latency p99 3000 µs, generator CPU 0.12 cores): the tail is the generator's, not the system's under test",
      hint: 'the machine was too busy for the generator to keep time; stop other work on it, give the generator its own node or cores, or run meshtax doctor',
    });
    expect(check(2999, 3000)[0]!.message).toContain('100% of the latency p99');
  });

  it('is quiet below half, for slip within the scheduler\'s resolution, without a p99, and in the closed loop', () => {
    expect(check(1499, 3000)).toEqual([]);
    expect(check(GENERATOR_TAIL_MIN_SLIP_US - 1, 60)).toEqual([]);
    expect(check(GENERATOR_TAIL_MIN_SLIP_US, 60).map((w) => w.code)).toEqual(['generator-tail']);
    expect(check(5000, null)).toEqual([]);
    expect(check(5000, 6000, testSpec('http://127.0.0.1:1/', { loop: 'closed', rate: null }))).toEqual([]);
  });

  it('names the workers in its hint when there are several', () => {
    const [warning] = check(4000, 5000, testSpec('http://127.0.0.1:1/', { rate: 1000, workers: 3, connections: 6 }));
    expect(warning!.hint).toBe("the machine was too busy for the generator's 3 workers to keep time; stop other work on it, use fewer load.workers or give the generator its own node");
  });

  it('tells a generator that ran without the real-time policy how to get it, and no other', () => {
    const spec = testSpec('http://127.0.0.1:1/', { rate: 1000 });
    expect(check(1500, 3000, spec, false)[0]!.hint).toMatch(/; run meshtax as root \(or with CAP_SYS_NICE\) so its timing threads run under SCHED_FIFO$/);
    expect(check(1500, 3000, spec, true)[0]!.hint).not.toMatch(/SCHED_FIFO/);
  });
});
