import { decodeHistogram, encodeHistogram, mergeHistograms, summarize } from '../../../loadgen/histogram.ts';
import type { PhaseMeasurement, PhaseSpec, Warning } from '../../../loadgen/types.ts';
import { generatorWarnings } from '../../../loadgen/warnings.ts';
import { round } from '../../../numbers.ts';

/**
 * One phase's measurement from its shards: histograms merged exactly (HdrHistogram addition), counts and rates
 * summed, the window start of the earliest shard; warnings judged again on the whole (a shard's own warnings about
 * its rate would be misleading) plus what the shards said about themselves.
 */
export function mergeShards(spec: PhaseSpec, shards: readonly PhaseMeasurement[]): PhaseMeasurement {
  if (shards.length === 1) return shards[0]!;
  const latency = mergeHistograms(shards.map((s) => decodeHistogram(s.histogram)));
  const serviceTime = mergeHistograms(shards.map((s) => decodeHistogram(s.serviceTimeHistogram)));
  const sum = (pick: (s: PhaseMeasurement) => number): number => shards.reduce((total, s) => total + pick(s), 0);
  const counts = { ok: sum((s) => s.counts.ok), non2xx: sum((s) => s.counts.non2xx), errors: sum((s) => s.counts.errors), timeouts: sum((s) => s.counts.timeouts) };
  const generator = {
    cpuCores: round(sum((s) => s.generator.cpuCores), 3),
    slipUs: {
      p50: Math.max(...shards.map((s) => s.generator.slipUs.p50)),
      p99: Math.max(...shards.map((s) => s.generator.slipUs.p99)),
      max: Math.max(...shards.map((s) => s.generator.slipUs.max)),
    },
    queued: sum((s) => s.generator.queued),
    workers: sum((s) => s.generator.workers),
  };
  const achievedRps = round(sum((s) => s.achievedRps), 1);
  const whole = generatorWarnings({ spec, achievedRps, counts, generator, saturated: 0, samples: latency.totalCount });
  const codes = new Set(whole.map((w) => w.code));
  const own: Warning[] = [];
  for (const shard of shards) for (const w of shard.warnings) if (!codes.has(w.code) && !own.some((o) => o.code === w.code)) own.push(w);
  return {
    loop: spec.loop,
    rate: spec.rate,
    connections: sum((s) => s.connections),
    startedAt: shards.map((s) => s.startedAt).sort()[0]!,
    durationS: shards[0]!.durationS,
    achievedRps,
    counts,
    bytesReceived: sum((s) => s.bytesReceived),
    latencyUs: summarize(latency),
    serviceTimeUs: summarize(serviceTime),
    histogram: encodeHistogram(latency),
    serviceTimeHistogram: encodeHistogram(serviceTime),
    generator,
    warnings: [...whole, ...own],
  };
}
