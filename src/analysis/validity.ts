import { ACHIEVED_RATE_FLOOR } from '../loadgen/warnings.ts';
import type { Comparison, PhaseRecord, Validity } from '../results/schema.ts';
import { formatRate } from '../core/format.ts';
import { ERROR_SHARE } from './run-warnings.ts';

/**
 * Whether a measurement holds up. A phase that did not send what was asked (below 99% of its rate), finished no
 * request at all, lost more than 0.1% of its requests, or whose tail is the load generator's own lateness describes the generator or a failing
 * target, not what the system under test adds; a comparison built on such a phase (either side) is not mesh tax.
 * Every report and the exit codes take the mark from here.
 */

/** The warning code the load generator raises when its own lateness (slip) explains the latency tail. */
export const GENERATOR_TAIL = 'generator-tail';

type Reason = Validity['reasons'][number];
type Judged = Pick<PhaseRecord, 'loop' | 'rate' | 'achievedRps' | 'counts' | 'warnings'>;
/** What a phase's mark is read or worked out from, and what names it. */
type Marked = Judged & Pick<PhaseRecord, 'mode' | 'repetition' | 'validity' | 'depth'>;

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

function belowRate(phase: Judged): Reason | undefined {
  if (phase.loop !== 'open' || phase.rate === null || phase.achievedRps >= phase.rate * ACHIEVED_RATE_FLOOR) return undefined;
  const share = ((phase.achievedRps / phase.rate) * 100).toFixed(1);
  return {
    code: 'below-rate',
    message: `achieved ${formatRate(phase.achievedRps)} of ${phase.rate} rps requested (${share}%; a valid phase reaches ${ACHIEVED_RATE_FLOOR * 100}%)`,
  };
}

/**
 * Failed requests beyond what the scenario asked for. `modelledErrorShare` is the fraction of requests the echo
 * server was told to answer 500 (workload.errorRate): those answers are the workload's, not the system's under test,
 * so non-2xx answers up to that share (plus four binomial standard deviations, so an honest draw is never counted
 * against the phase) are set aside; errors, timeouts and non-2xx beyond it count.
 */
function failedRequests({ counts }: Judged, modelledErrorShare: number): Reason | undefined {
  const failed = counts.errors + counts.timeouts + counts.non2xx;
  const total = failed + counts.ok;
  if (total === 0) return undefined;
  const modelled = modelledErrorShare > 0 ? modelledErrorShare * total + 4 * Math.sqrt(modelledErrorShare * (1 - modelledErrorShare) * total) : 0;
  const unexpected = counts.errors + counts.timeouts + Math.max(0, counts.non2xx - modelled);
  if (unexpected / total <= ERROR_SHARE) return undefined;
  const kinds = [
    counts.errors > 0 ? plural(counts.errors, 'error') : '',
    counts.timeouts > 0 ? plural(counts.timeouts, 'timeout') : '',
    counts.non2xx > 0 ? `${counts.non2xx} non-2xx` : '',
  ].filter((kind) => kind !== '');
  const model = modelledErrorShare > 0 ? `, beyond the ${(modelledErrorShare * 100).toFixed(2)}% answered 500 by workload.errorRate` : '';
  return {
    code: 'failed-requests',
    message: `${failed} of ${total} requests failed (${((failed / total) * 100).toFixed(2)}%: ${kinds.join(', ')}${model}; a valid phase has at most ${ERROR_SHARE * 100}%${modelledErrorShare > 0 ? ' more' : ''})`,
  };
}

/**
 * A phase that finished no request in its window has no latency at all: nothing was sent (a closed loop whose
 * connections never came free), or every request was still unanswered when the window closed.
 */
function noRequests({ counts }: Judged): Reason | undefined {
  if (counts.ok + counts.non2xx + counts.errors + counts.timeouts > 0) return undefined;
  return { code: 'no-requests', message: 'no request finished in the measured window, so there is no latency to report' };
}

function generatorTail(phase: Judged): Reason | undefined {
  const warning = phase.warnings.find((w) => w.code === GENERATOR_TAIL);
  return warning && { code: GENERATOR_TAIL, message: `the load generator's own lateness is the tail: ${warning.message}` };
}

/** The mark of one phase, from what it measured; `modelledErrorShare`: the share of 500s the workload was asked for. */
export function phaseValidity(phase: Judged, modelledErrorShare = 0): Validity {
  const reasons = [belowRate(phase), noRequests(phase), failedRequests(phase, modelledErrorShare), generatorTail(phase)].filter((reason) => reason !== undefined);
  return { valid: reasons.length === 0, reasons };
}

/** The mark a phase carries, or, for a run.json written before phases carried one, the mark worked out from it. */
export function validityOf(phase: Judged & Pick<PhaseRecord, 'validity'>): Validity {
  return phase.validity ?? phaseValidity(phase);
}

export function invalidPhases(phases: readonly PhaseRecord[]): PhaseRecord[] {
  return phases.filter((phase) => !validityOf(phase).valid);
}

type Compared = Pick<Comparison, 'mode' | 'baseline' | 'rate'> & { depth?: number | undefined; validity?: Validity | undefined };

/**
 * A comparison's mark: invalid when any phase of the mode or of its baseline at that rate (and chain depth) is, each
 * reason naming its phase.
 */
export function comparisonValidity(comparison: Compared, phases: readonly Marked[]): Validity {
  const sides = phases.filter(
    (p) => (p.mode === comparison.mode || p.mode === comparison.baseline) && p.rate === comparison.rate && p.depth === comparison.depth,
  );
  const reasons = sides.flatMap((phase) =>
    validityOf(phase).reasons.map((reason) => ({
      code: reason.code,
      message: `${phase.mode}${phase.depth === undefined ? '' : ` depth ${phase.depth}`} rep ${phase.repetition}: ${reason.message}`,
    })),
  );
  return { valid: reasons.length === 0, reasons };
}

/** The mark a comparison carries, or the one worked out from its phases (run.json written before comparisons carried one). */
export function comparisonValidityOf(comparison: Compared, phases: readonly Marked[]): Validity {
  return comparison.validity ?? comparisonValidity(comparison, phases);
}

/** The reasons as one line, for reports. */
export function validityText(validity: Validity): string {
  return validity.reasons.map((reason) => reason.message).join('; ');
}

/** Comparisons split into the ones that are mesh tax and the invalid ones, each with its mark. */
export function splitComparisons<C extends Compared>(
  comparisons: readonly C[],
  phases: readonly PhaseRecord[],
): { valid: C[]; invalid: { comparison: C; validity: Validity }[] } {
  const valid: C[] = [];
  const invalid: { comparison: C; validity: Validity }[] = [];
  for (const comparison of comparisons) {
    const validity = comparisonValidityOf(comparison, phases);
    if (validity.valid) valid.push(comparison);
    else invalid.push({ comparison, validity });
  }
  return { valid, invalid };
}
