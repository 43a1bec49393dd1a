import { samplesNeeded, type LatencySummary } from '../core/histogram.ts';
import type { Counts, ErrorKinds, GeneratorStats, PhaseSpec } from './types.ts';
import { type Warning } from '../core/warning.ts';

/** The open loop must deliver at least this share of the requested rate, or the phase says so. */
export const ACHIEVED_RATE_FLOOR = 0.99;
/**
 * The generator's lateness explains the tail when its slip p99 is at least this share of the latency p99. Latency
 * from the intended time is the slip plus the wait for a connection plus the service time, so at half the p99 or
 * more the generator is as large a cause of the tail as the system under test, and the p99 is not the mesh's.
 */
export const GENERATOR_TAIL_SHARE = 0.5;
/**
 * Slip below this is not called the tail's cause, whatever its share: it is the scheduler's resolution (a futex
 * wake-up and a thread hand-off), a tenth of the smallest overhead a mesh adds (about 0.2 ms for an L4 proxy pair).
 */
export const GENERATOR_TAIL_MIN_SLIP_US = 50;

export interface GeneratorCheck {
  spec: PhaseSpec;
  achievedRps: number;
  counts: Counts;
  /** counts.errors by kind, where the generator knows them. */
  errorKinds?: ErrorKinds;
  generator: GeneratorStats;
  latencyUs: LatencySummary;
  saturated: number;
  samples: number;
}

/** How a hint names a setting: in a scenario file (and --set), or as a flag of `meshtax load`, which has no scenario. */
const SETTING_NAMES = {
  scenario: { connections: 'load.connections', workers: 'load.workers', duration: 'load.duration', rate: 'the rate', more: ', or add repetitions' },
  flags: { connections: '--connections', workers: '--workers', duration: '--duration', rate: '--rate', more: '' },
} as const;

/** Error kinds in the order the errors warning names them. */
const ERROR_KINDS: [keyof ErrorKinds, string][] = [
  ['refused', 'refused'],
  ['reset', 'reset'],
  ['closed', 'closed by the server'],
  ['malformed', 'malformed responses'],
  ['other', 'other'],
];

/** What the generator knows about its own trustworthiness in one phase, with hints that depend on the options. */
export function generatorWarnings(check: GeneratorCheck): Warning[] {
  const { spec, achievedRps, counts, generator } = check;
  const kinds = check.errorKinds ?? {};
  // Refused and reset connections mean the target went away or is shedding load; more connections do not help.
  const targetGone = (kinds.refused ?? 0) + (kinds.reset ?? 0) > 0;
  const goneHint = 'the target refused or reset connections: check that it is still running and not overloaded';
  const warnings: Warning[] = [];
  const names = SETTING_NAMES[spec.settingNames ?? 'scenario'];
  if (spec.loop === 'open' && spec.rate !== null && achievedRps < spec.rate * ACHIEVED_RATE_FLOOR) {
    const share = ((achievedRps / spec.rate) * 100).toFixed(1);
    const causes: string[] = [];
    // Requests queue for a connection while the generator reconnects to a target that refuses: then the refusals are
    // the cause, and the queue only their echo.
    if (targetGone) causes.push(`${(kinds.refused ?? 0) + (kinds.reset ?? 0)} requests met a refused or reset connection`);
    else if (generator.queued > 0) causes.push(`${generator.queued} requests waited for a free connection`);
    if (generator.slipUs.p99 > 1000) causes.push(`the scheduler ran late (slip p99 ${generator.slipUs.p99} µs)`);
    warnings.push({
      code: 'generator-behind',
      message: `achieved ${achievedRps} rps of ${spec.rate} requested (${share}%)${causes.length ? `: ${causes.join('; ')}` : ''}`,
      hint: targetGone
        ? goneHint
        : generator.queued > 0
          ? `the target could not keep ${spec.connections} connections free at this rate; raise ${names.connections} or lower ${names.rate}`
          : `the generator lacked CPU; raise ${names.workers} (now ${spec.workers}) or run on a less busy machine`,
    });
  }
  const tail = generatorTail(check);
  if (tail) warnings.push(tail);
  const failed = counts.errors + counts.timeouts;
  if (failed > 0) {
    const named = ERROR_KINDS.filter(([kind]) => (kinds[kind] ?? 0) > 0).map(([kind, label]) => `${kinds[kind]} ${label}`);
    warnings.push({
      code: 'errors',
      message: `${counts.errors} connection errors${named.length > 0 ? ` (${named.join(', ')})` : ''} and ${counts.timeouts} timeouts in the measured window`,
      hint: `${targetGone ? `${goneHint}; ` : ''}failed requests have no latency; the percentiles describe only the ${counts.ok + counts.non2xx} that completed`,
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

/** The `generator-tail` warning: the open loop's own lateness is a large share of the latency p99. */
export function generatorTail(check: Pick<GeneratorCheck, 'spec' | 'generator' | 'latencyUs'>): Warning | undefined {
  const { spec, generator, latencyUs } = check;
  const slip = generator.slipUs.p99;
  const p99 = latencyUs.p99;
  if (spec.loop !== 'open' || p99 === null || p99 <= 0 || slip < GENERATOR_TAIL_MIN_SLIP_US) return undefined;
  const share = slip / p99;
  if (share < GENERATOR_TAIL_SHARE) return undefined;
  return {
    code: 'generator-tail',
    message: `the generator's own lateness is ${Math.round(share * 100)}% of the latency p99 (slip p99 ${Math.round(slip)} µs, latency p99 ${Math.round(p99)} µs, generator CPU ${generator.cpuCores} cores): the tail is the generator's, not the system's under test`,
    hint:
      (spec.workers === 1
        ? 'the machine was too busy for the generator to keep time; stop other work on it, give the generator its own node or cores, or run meshtax doctor'
        : `the machine was too busy for the generator's ${spec.workers} workers to keep time; stop other work on it, use fewer load.workers or give the generator its own node`) +
      // Without the real-time policy a busy machine delays the timing threads' wake-ups (priority.ts).
      (generator.realtime === false ? '; run meshtax as root (or with CAP_SYS_NICE) so its timing threads run under SCHED_FIFO' : ''),
  };
}
