import { endpointParts, mergeEndpoints } from '../../../loadgen/endpoint-merge.ts';
import { decodeHistogram, encodeHistogram, mergeHistograms, summarize } from '../../../core/histogram.ts';
import type { MachineState } from '../../../loadgen/machine.ts';
import type { PhaseMeasurement, PhaseSpec } from '../../../loadgen/types.ts';
import { mergePhaseSeconds } from '../../../loadgen/seconds.ts';
import { generatorWarnings } from '../../../loadgen/warnings.ts';
import { round } from '../../../core/numbers.ts';
import { type Warning } from '../../../core/warning.ts';

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
  const latencyUs = summarize(latency);
  const whole = generatorWarnings({ spec, achievedRps, counts, generator, latencyUs, saturated: 0, samples: latency.totalCount });
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
    latencyUs,
    serviceTimeUs: summarize(serviceTime),
    histogram: encodeHistogram(latency),
    serviceTimeHistogram: encodeHistogram(serviceTime),
    generator,
    ...(shards[0]!.protocol ? { protocol: shards[0]!.protocol } : {}),
    ...(spec.requests ? { endpoints: mergeEndpoints(spec.requests, shards.map((s) => endpointParts(s.endpoints ?? []))) } : {}),
    machine: busiestMachine(shards.map((s) => s.machine)),
    warnings: [...whole, ...own],
    ...(spec.perSecond ? { seconds: mergePhaseSeconds(shards.flatMap((s) => (s.seconds ? [s.seconds] : []))) } : {}),
  };
}

/**
 * The shards may run on different nodes: the phase keeps the state of the busiest one (highest load average per
 * core, then busy fraction), since that is the node whose generator could have been held back.
 */
export function busiestMachine(machines: readonly MachineState[]): MachineState {
  const load = (m: MachineState): number => Math.max(m.loadAverage1m.start ?? -1, m.loadAverage1m.end ?? -1) / m.cores;
  return machines.reduce((busiest, m) =>
    load(m) > load(busiest) || (load(m) === load(busiest) && (m.cpuBusyFraction ?? -1) > (busiest.cpuBusyFraction ?? -1)) ? m : busiest,
  );
}
