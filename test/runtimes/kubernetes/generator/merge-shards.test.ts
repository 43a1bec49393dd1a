import { describe, expect, it } from 'vitest';
import { decodeHistogram, encodeHistogram, newHistogram, recordUs, summarize } from '../../../../src/core/histogram.ts';
import type { PhaseMeasurement, PhaseSpec } from '../../../../src/loadgen/types.ts';
import type { MachineState } from '../../../../src/loadgen/machine.ts';
import { busiestMachine, mergeShards } from '../../../../src/runtimes/kubernetes/generator/merge.ts';
import { shardSpecs } from '../../../../src/runtimes/kubernetes/generator/shards.ts';

const SPEC: PhaseSpec = { url: 'http://echo:8080/', loop: 'open', arrival: 'uniform', rate: 3000, connections: 8, workers: 1, durationMs: 10_000, warmupMs: 1000, timeoutMs: 5000, seed: 7 };

const QUIET: MachineState = { cores: 4, loadAverage1m: { start: 0.5, end: 0.7 }, cpuBusyFraction: 0.2, stealFraction: 0 };

function shard(values: number[], achievedRps: number, startedAt: string, machine = QUIET): PhaseMeasurement {
  const h = newHistogram();
  for (const v of values) recordUs(h, v);
  return {
    loop: 'open',
    rate: 1500,
    connections: 4,
    startedAt,
    durationS: 10,
    achievedRps,
    counts: { ok: values.length, non2xx: 1, errors: 0, timeouts: 2 },
    bytesReceived: 100,
    latencyUs: summarize(h),
    serviceTimeUs: summarize(h),
    histogram: encodeHistogram(h),
    serviceTimeHistogram: encodeHistogram(h),
    generator: { cpuCores: 0.25, slipUs: { p50: 3, p99: 40, max: 90 }, queued: 1, workers: 1 },
    machine,
    warnings: [],
  };
}

describe('phases split over generator pods', () => {
  it('split the rate and connections evenly with distinct seeds, and keep one pod when it can drive the rate', () => {
    expect(shardSpecs(SPEC, 2000).map((s) => [s.rate, s.connections, s.seed])).toEqual([
      [1500, 4, 7],
      [1500, 4, 8],
    ]);
    expect(shardSpecs(SPEC, 3000)).toEqual([SPEC]);
    expect(shardSpecs({ ...SPEC, loop: 'closed', rate: null }, 1)).toHaveLength(1);
    // A worker thread needs a connection of its own: 8 connections over 3 pods leave 3 each, so 3 workers.
    expect(shardSpecs({ ...SPEC, rate: 6000, workers: 8 }, 2000).map((s) => [s.connections, s.workers])).toEqual([
      [3, 3],
      [3, 3],
      [3, 3],
    ]);
  });

  it('merge exactly: the pooled percentiles are those of one histogram of every value', () => {
    const a = Array.from({ length: 1000 }, (_, i) => 100 + i);
    const b = Array.from({ length: 1000 }, (_, i) => 5000 + 3 * i);
    const merged = mergeShards(SPEC, [shard(a, 1499.5, '2026-12-01T12:00:01.000Z'), shard(b, 1500, '2026-12-01T12:00:00.500Z')]);
    const whole = newHistogram();
    for (const v of [...a, ...b]) recordUs(whole, v);
    // Through encode/decode, as every histogram in run.json goes (max then is its bucket's highest equivalent value).
    expect(merged.latencyUs).toEqual(summarize(decodeHistogram(encodeHistogram(whole))));
    expect(merged.counts).toEqual({ ok: 2000, non2xx: 2, errors: 0, timeouts: 4 });
    expect(merged.achievedRps).toBe(2999.5);
    expect(merged.connections).toBe(8);
    expect(merged.startedAt).toBe('2026-12-01T12:00:00.500Z');
    expect(merged.generator).toEqual({ cpuCores: 0.5, slipUs: { p50: 3, p99: 40, max: 90 }, queued: 2, workers: 2 });
  });

  it('keep the machine state of the busiest generator node: load average per core first, then busy fraction', () => {
    const loaded: MachineState = { cores: 2, loadAverage1m: { start: 1.5, end: 2.5 }, cpuBusyFraction: 0.6, stealFraction: 0.01 };
    const a = Array.from({ length: 10 }, (_, i) => 100 + i);
    expect(mergeShards(SPEC, [shard(a, 1500, '2026-12-01T12:00:00.000Z'), shard(a, 1500, '2026-12-01T12:00:00.000Z', loaded)]).machine).toBe(loaded);
    // Equal load per core (2/4 and 1/2): the busier CPUs decide.
    const busier: MachineState = { cores: 2, loadAverage1m: { start: 1, end: null }, cpuBusyFraction: 0.9, stealFraction: null };
    const same: MachineState = { cores: 4, loadAverage1m: { start: null, end: 2 }, cpuBusyFraction: 0.3, stealFraction: 0 };
    expect(busiestMachine([same, busier])).toBe(busier);
    expect(busiestMachine([QUIET])).toBe(QUIET);
  });
});
