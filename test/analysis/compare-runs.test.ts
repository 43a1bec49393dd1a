import { describe, expect, it } from 'vitest';
import { compareRuns, parseLimit } from '../../src/analysis/compare-runs.ts';
import type { PhaseRecord, RunDocument } from '../../src/results/schema.ts';

function phase(repetition: number, p99: number): PhaseRecord {
  const latencyUs = { p50: 100, p90: 150, p95: 180, p99, p999: null, max: p99, mean: 110 };
  return {
    mode: 'baseline', rate: 500, repetition, loop: 'open', connections: 8, startedAt: '2026-11-22T00:00:00.000Z',
    durationS: 1, achievedRps: 500, counts: { ok: 500, non2xx: 0, errors: 0, timeouts: 0 }, bytesReceived: 0,
    latencyUs, serviceTimeUs: latencyUs, histogram: '', serviceTimeHistogram: '',
    generator: { cpuCores: 1, slipUs: { p50: 1, p99: 2, max: 3 }, queued: 0, workers: 1 }, resources: [], warnings: [],
  };
}

function run(runId: string, p99s: number[]): RunDocument {
  return { runId, phases: p99s.map((p99, i) => phase(i + 1, p99)) } as unknown as RunDocument;
}

describe('comparing two runs', () => {
  it('flags a significant p99 increase beyond its limit, and nothing else', () => {
    const changes = compareRuns(run('a', [1000, 1010, 990]), run('b', [1500, 1520, 1480]), { p99: 0.1 });
    const p99 = changes.find((c) => c.metric === 'p99')!;
    expect(p99).toMatchObject({ base: 1000, candidate: 1500, change: 500, relative: 0.5, significant: true, regression: true });
    expect(p99.reason).toBe('regression: +50.0%, beyond +10% and significant (interval excludes 0)');
    expect(changes.filter((c) => c.regression).map((c) => c.metric)).toEqual(['p99']);
    // Unchanged metrics: the interval is [0, 0], which includes 0.
    expect(changes.find((c) => c.metric === 'p50')!.reason).toBe('+0.0%; interval includes 0');
  });

  it('does not call a significant increase within its limit a regression', () => {
    const changes = compareRuns(run('a', [1000, 1000, 1000]), run('b', [1050, 1050, 1050]), {});
    expect(changes.find((c) => c.metric === 'p99')).toMatchObject({ relative: 0.05, significant: true, regression: false, reason: '+5.0%; within +10%' });
  });

  it('cannot judge with one repetition', () => {
    const changes = compareRuns(run('a', [1000]), run('b', [5000]), {});
    expect(changes.find((c) => c.metric === 'p99')).toMatchObject({ significant: null, regression: false });
  });

  it('parses limits and rejects unknown metrics', () => {
    expect(parseLimit('p99=+10%')).toEqual(['p99', 0.1]);
    expect(parseLimit('mesh-cpu-cores=25%')).toEqual(['mesh-cpu-cores', 0.25]);
    expect(() => parseLimit('p42=+1%')).toThrow(/unknown metric 'p42'/);
    expect(() => parseLimit('p99>10')).toThrow(/metric=\+N%/);
  });
});
