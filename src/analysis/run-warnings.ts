import { decodeHistogram, samplesNeeded } from '../core/histogram.ts';
import { PERCENTILES, type PercentileKey } from '../core/percentiles.ts';
import type { Comparison, PhaseRecord } from '../results/schema.ts';
import { formatRate } from '../core/format.ts';
import { machineWarnings } from './machine-warnings.ts';
import { failedShare, groupByModeAndRate } from './phase-groups.ts';
import { outliers, relativeSpread } from './statistics/spread.ts';
import { AA_MODE } from '../core/modes.ts';
import { type Warning } from '../core/warning.ts';

/** Spread between repetitions above which a result gets a warning (coefficient of variation of the p50s). */
export const HIGH_SPREAD = 0.25;
/** Error share above which a mode gets a warning, as a fraction of all requests. */
export const ERROR_SHARE = 0.001;

/**
 * Warnings about a run as a whole, with hints: an overloaded machine (first), repetitions that disagree (high
 * spread, an outlier repetition), errors above 0.1% of a mode's requests, an A/A pair that differed, deltas that
 * would count but for the A/A noise floor, and (once for the run) percentiles the repetitions have too few samples for.
 */
export function runWarnings(phases: readonly PhaseRecord[], comparisons: readonly Comparison[]): Warning[] {
  const warnings: Warning[] = [...machineWarnings(phases), ...sampleCountWarnings(phases)];
  for (const { mode, rate, phases: group } of groupByModeAndRate(phases)) {
    const where = `${mode} at ${formatRate(rate)} rps`;
    const p50s = group.map((phase) => phase.latencyUs.p50).filter((value): value is number => value !== null);
    const spread = relativeSpread(p50s);
    if (spread !== null && spread > HIGH_SPREAD) {
      warnings.push({
        code: 'high-spread',
        message: `${where}: the p50 of its ${p50s.length} repetitions varies by ${(spread * 100).toFixed(0)}% (coefficient of variation)`,
        hint: 'the machine was not steady; add repetitions, stop other work, or check meshtax doctor',
      });
    }
    if (p50s.length >= 3) {
      for (const index of outliers(p50s)) {
        warnings.push({
          code: 'outlier-repetition',
          message: `${where}: repetition ${group[index]!.repetition} is an outlier (p50 ${Math.round(p50s[index]!)} µs)`,
          hint: 'something else ran during it; its histogram is still pooled, so consider rerunning',
        });
      }
    }
    const failed = failedShare(group);
    if (failed !== null && failed > ERROR_SHARE) {
      warnings.push({
        code: 'error-rate',
        message: `${where}: ${(failed * 100).toFixed(2)}% of requests failed (more than 0.1%)`,
        hint: 'latency percentiles describe only the requests that completed; find the cause before trusting them',
      });
    }
  }
  for (const comparison of comparisons) {
    const differed = Object.entries(comparison.significant).filter(([key, judgement]) => key.startsWith('p') && judgement.significant === true);
    if (comparison.mode === AA_MODE && differed.length > 0) {
      warnings.push({
        code: 'aa-differs',
        message:
          `baseline-aa at ${formatRate(comparison.rate)} rps differs from baseline at ${differed.map(([key]) => key).join(', ')}: ` +
          'two identical paths differed by more than the rounds\' spread explains (1 interval in 20 does so by chance)',
        hint: 'at those percentiles a mode\'s delta counts only beyond the A/A noise floor; rerun on a quieter machine if it persists',
      });
    }
    for (const [key, judgement] of Object.entries(comparison.significant)) {
      if (judgement.reason.startsWith('below the noise floor')) {
        warnings.push({
          code: 'below-noise-floor',
          message: `${comparison.mode} at ${formatRate(comparison.rate)} rps: the ${key} delta is ${judgement.reason}`,
          hint: 'the difference is no larger than two identical baselines show; do not read it as mesh cost',
        });
      }
    }
  }
  return warnings;
}

const count = (value: number): string => value.toLocaleString('en-US');

/**
 * The phase without its own `few-samples` warning: a run says it once, for the run ({@link sampleCountWarnings}),
 * because percentiles are reported from the repetitions pooled and only their per-repetition intervals lack samples.
 */
export function withoutSampleWarning(phase: PhaseRecord): PhaseRecord {
  return { ...phase, warnings: phase.warnings.filter((warning) => warning.code !== 'few-samples') };
}

/**
 * One warning for the run about the percentiles a repetition has too few samples for: those that the pooled
 * repetitions of every mode support are reported, but their deltas have no interval (the interval needs each
 * repetition's own percentile); those that even the pooled samples do not support are left out.
 */
export function sampleCountWarnings(phases: readonly PhaseRecord[]): Warning[] {
  if (phases.length === 0) return [];
  const samples = (phase: PhaseRecord): number => decodeHistogram(phase.histogram).totalCount;
  const perRepetition = Math.min(...phases.map(samples));
  const pooled = Math.min(...groupByModeAndRate(phases).map(({ phases: group }) => group.reduce((sum, phase) => sum + samples(phase), 0)));
  const short = (Object.entries(PERCENTILES) as [PercentileKey, number][]).filter(([, percent]) => perRepetition < samplesNeeded(percent));
  if (short.length === 0) return [];
  const name = ([, percent]: [PercentileKey, number]): string => `p${percent} needs ${count(samplesNeeded(percent))}`;
  const pooledOk = short.filter(([, percent]) => pooled >= samplesNeeded(percent));
  const leftOut = short.filter(([, percent]) => pooled < samplesNeeded(percent));
  const parts = [`${count(perRepetition)} samples per repetition: ${short.map(name).join(', ')}`];
  if (pooledOk.length > 0) {
    parts.push(`${pooledOk.map(([, p]) => `p${p}`).join(', ')} ${pooledOk.length === 1 ? 'is' : 'are'} reported from the pooled repetitions (at least ${count(pooled)} samples per mode) but ${pooledOk.length === 1 ? 'its deltas have' : 'their deltas have'} no interval`);
  }
  if (leftOut.length > 0) parts.push(`${leftOut.map(([, p]) => `p${p}`).join(', ')} left out (only ${count(pooled)} samples pooled)`);
  return [{ code: 'few-samples', message: parts.join('; '), hint: 'lengthen load.duration or raise the rate for an interval at every percentile' }];
}
