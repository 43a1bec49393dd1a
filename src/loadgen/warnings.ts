import { samplesNeeded } from './histogram.ts';
import type { Counts, GeneratorStats, PhaseSpec, Warning } from './types.ts';

/** The open loop must deliver at least this share of the requested rate, or the phase says so. */
export const ACHIEVED_RATE_FLOOR = 0.99;

export interface GeneratorCheck {
  spec: PhaseSpec;
  achievedRps: number;
  counts: Counts;
  generator: GeneratorStats;
  saturated: number;
  samples: number;
}

/** How a hint names a setting: in a scenario file (and --set), or as a flag of `meshtax load`, which has no scenario. */
const SETTING_NAMES = {
  scenario: { connections: 'load.connections', workers: 'load.workers', duration: 'load.duration', rate: 'the rate', more: ', or add repetitions' },
  flags: { connections: '--connections', workers: '--workers', duration: '--duration', rate: '--rate', more: '' },
} as const;

/** What the generator knows about its own trustworthiness in one phase, with hints that depend on the options. */
export function generatorWarnings(check: GeneratorCheck): Warning[] {
  const { spec, achievedRps, counts, generator } = check;
  const warnings: Warning[] = [];
  const names = SETTING_NAMES[spec.settingNames ?? 'scenario'];
  if (spec.loop === 'open' && spec.rate !== null && achievedRps < spec.rate * ACHIEVED_RATE_FLOOR) {
    const share = ((achievedRps / spec.rate) * 100).toFixed(1);
    const causes: string[] = [];
    if (generator.queued > 0) causes.push(`${generator.queued} requests waited for a free connection`);
    if (generator.slipUs.p99 > 1000) causes.push(`the scheduler ran late (slip p99 ${generator.slipUs.p99} µs)`);
    warnings.push({
      code: 'generator-behind',
      message: `achieved ${achievedRps} rps of ${spec.rate} requested (${share}%)${causes.length ? `: ${causes.join('; ')}` : ''}`,
      hint:
        generator.queued > 0
          ? `the target could not keep ${spec.connections} connections free at this rate; raise ${names.connections} or lower ${names.rate}`
          : `the generator lacked CPU; raise ${names.workers} (now ${spec.workers}) or run on a less busy machine`,
    });
  }
  const failed = counts.errors + counts.timeouts;
  if (failed > 0) {
    warnings.push({
      code: 'errors',
      message: `${counts.errors} connection errors and ${counts.timeouts} timeouts in the measured window`,
      hint: `failed requests have no latency; the percentiles describe only the ${counts.ok + counts.non2xx} that completed`,
    });
  }
  if (counts.non2xx > 0) {
    warnings.push({
      code: 'non-2xx',
      message: `${counts.non2xx} responses had a status outside 2xx`,
      hint: 'check the target URL and that the server is healthy',
    });
  }
  if (check.saturated > 0) {
    warnings.push({
      code: 'histogram-saturated',
      message: `${check.saturated} latencies exceeded 60 s and were recorded as 60 s`,
    });
  }
  const needed = samplesNeeded(99.9);
  if (check.samples < needed) {
    warnings.push({
      code: 'few-samples',
      message: `${check.samples} samples: p99.9 needs at least ${needed}${check.samples < samplesNeeded(99) ? ` and p99 ${samplesNeeded(99)}` : ''}; those percentiles are left out`,
      hint: `lengthen ${names.duration}, raise ${names.rate}${names.more}`,
    });
  }
  return warnings;
}
