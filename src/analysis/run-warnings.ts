import type { Comparison, PhaseRecord, Warning } from '../results/schema.ts';
import { formatRate } from '../report/format.ts';
import { machineWarnings } from './machine-warnings.ts';
import { failedShare, groupByModeAndRate } from './phase-groups.ts';
import { outliers, relativeSpread } from './statistics/spread.ts';

/** Spread between repetitions above which a result gets a warning (coefficient of variation of the p50s). */
export const HIGH_SPREAD = 0.25;
/** Error share above which a mode gets a warning, as a fraction of all requests. */
export const ERROR_SHARE = 0.001;

/**
 * Warnings about a run as a whole, with hints: an overloaded machine (first), repetitions that disagree (high spread, an outlier repetition),
 * errors above 0.1% of a mode's requests, and deltas that would count but for the A/A noise floor.
 */
export function runWarnings(phases: readonly PhaseRecord[], comparisons: readonly Comparison[]): Warning[] {
  const warnings: Warning[] = machineWarnings(phases);
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
