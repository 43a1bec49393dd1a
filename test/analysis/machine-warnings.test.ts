import { describe, expect, it } from 'vitest';
import { HIGH_STEAL, machineFirst, machineWarnings } from '../../src/analysis/machine-warnings.ts';
import { runWarnings } from '../../src/analysis/run-warnings.ts';
import type { PhaseRecord } from '../../src/results/schema.ts';
import { encodeHistogram, newHistogram, recordUs } from '../../src/core/histogram.ts';

type Machine = NonNullable<PhaseRecord['machine']>;
// A real histogram of 10 000 samples at 100 µs: the run warnings read the sample count from it.
const HISTOGRAM = (() => {
  const histogram = newHistogram();
  for (let i = 0; i < 10_000; i++) recordUs(histogram, 100);
  return encodeHistogram(histogram);
})();
const QUIET: Machine = { cores: 2, loadAverage1m: { start: 0.4, end: 1.1 }, cpuBusyFraction: 0.3, stealFraction: 0 };

function phase(mode: string, repetition: number, machine: Machine | undefined, p50 = 100): PhaseRecord {
  const latencyUs = { p50, p90: null, p95: null, p99: null, p999: null, max: p50, mean: p50 };
  return {
    mode, rate: 1000, repetition, loop: 'open', connections: 8, startedAt: '2026-12-02T00:00:00.000Z', durationS: 10,
    achievedRps: 1000, counts: { ok: 10_000, non2xx: 0, errors: 0, timeouts: 0 }, bytesReceived: 0, latencyUs,
    serviceTimeUs: latencyUs, histogram: HISTOGRAM, serviceTimeHistogram: HISTOGRAM,
    generator: { cpuCores: 0.1, slipUs: { p50: 1, p99: 20, max: 90 }, queued: 0, workers: 1 },
    ...(machine ? { machine } : {}), resources: [], warnings: [],
  };
}

describe('the machine-overloaded warning', () => {
  it('is quiet when every phase had a load average within its cores and little steal, or no machine state', () => {
    const atCores: Machine = { ...QUIET, loadAverage1m: { start: 2, end: 2 }, stealFraction: HIGH_STEAL - 0.001 };
    expect(machineWarnings([phase('baseline', 1, QUIET), phase('sidecar', 1, atCores), phase('old', 1, undefined)])).toEqual([]);
  });

  it("says 'during the measurement' for load's one phase, which has no mode or repetition to name", () => {
    const busy: Machine = { ...QUIET, loadAverage1m: { start: 1.5, end: 3.25 } };
    expect(machineWarnings([phase('external', 1, busy)], true).map((w) => w.message)).toEqual([
      'the machine was overloaded during the measurement (load average up to 3.25 on 2 cores); its latencies include waits for a CPU',
    ]);
  });

  it('names the phases whose load average exceeded the core count, with the worst load per core', () => {
    const busy: Machine = { ...QUIET, loadAverage1m: { start: 1.5, end: 3.25 } };
    const busier: Machine = { cores: 4, loadAverage1m: { start: 9, end: null }, cpuBusyFraction: 0.9, stealFraction: null };
    const warnings = machineWarnings([phase('baseline', 1, QUIET), phase('sidecar', 1, busy), phase('baseline', 2, busier)]);
    expect(warnings).toEqual([
      {
        code: 'machine-overloaded',
        message: 'the machine was overloaded during 2 of 3 phases (load average up to 9.00 on 4 cores): sidecar at 1000 rps, rep 1; baseline at 1000 rps, rep 2; its latencies include waits for a CPU',
        hint: 'stop other work on the machine (or use a larger one) and run again; compare only runs made on equally quiet machines',
      },
    ]);
  });

  it('counts high steal as overload, and shortens a long list of phases', () => {
    const stolen: Machine = { ...QUIET, stealFraction: 0.12 };
    const phases = [1, 2, 3, 4, 5].map((repetition) => phase('baseline', repetition, stolen));
    expect(machineWarnings(phases)[0]!.message).toBe(
      'the machine was overloaded during 5 of 5 phases (CPU steal up to 12.0%): baseline at 1000 rps, rep 1; baseline at 1000 rps, rep 2; baseline at 1000 rps, rep 3; and 2 more; its latencies include waits for a CPU',
    );
  });

  it('comes first among the run warnings, before those it may explain', () => {
    const overloaded: Machine = { ...QUIET, loadAverage1m: { start: 6, end: 7 } };
    const phases = [100, 101, 99, 100, 400].map((p50, i) => phase('baseline', i + 1, i === 4 ? overloaded : QUIET, p50));
    expect(runWarnings(phases, []).map((w) => w.code)).toEqual(['machine-overloaded', 'high-spread', 'outlier-repetition']);
    const runtime = { code: 'runtime-note', message: 'from the runtime' };
    expect(machineFirst([runtime, ...runWarnings(phases, [])]).map((w) => w.code)).toEqual([
      'machine-overloaded',
      'runtime-note',
      'high-spread',
      'outlier-repetition',
    ]);
  });
});
