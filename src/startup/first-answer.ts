import { round } from '../core/numbers.ts';
import { toLocal, type ClockOffset } from './clock-offset.ts';
import type { FirstAnswer } from './schema.ts';
import { startupTimes } from './stats.ts';

/** One round's first answers of one mode: milliseconds from creation per pod that answered, and the rest. */
export interface AnswerRound {
  ms: number[];
  unanswered: number;
  /** Pods that answered the first request the prober sent them. */
  firstTry: number;
  clockErrorMs: number;
}

/** What the prober recorded for one pod (src/pod/prober-server.ts), on its own clock. */
export interface ProbedPod {
  firstOkMs: number | null;
  attempts: number;
}

/**
 * One round's first answers on the CLI's clock: each created pod's first 2xx (prober clock, carried over by
 * `offset`) minus its creation (CLI clock). A pod the prober has no answer for is unanswered.
 */
export function roundAnswers(created: ReadonlyMap<string, number>, probed: Readonly<Record<string, ProbedPod>>, offset: ClockOffset): AnswerRound {
  const ms: number[] = [];
  let unanswered = 0;
  let firstTry = 0;
  for (const [name, at] of created) {
    const pod = probed[name];
    if (!pod || pod.firstOkMs === null) {
      unanswered++;
      continue;
    }
    // Within the clock error an answer can appear to precede its pod's creation; it cannot have.
    ms.push(round(Math.max(0, toLocal(pod.firstOkMs, offset) - at), 3));
    if (pod.attempts === 1) firstTry++;
  }
  return { ms, unanswered, firstTry, clockErrorMs: offset.errorMs };
}

/**
 * A mode's first-answer figures from its rounds (the same statistics as its start-up times, against baseline's
 * first answers), or why they are missing: `rounds` (or baseline's) is then the reason.
 */
export function firstAnswerTimes(rounds: readonly AnswerRound[] | string, baseline: readonly AnswerRound[] | string | undefined, pollIntervalMs: number): FirstAnswer {
  if (typeof rounds === 'string') return { measured: false, reason: rounds };
  const times = startupTimes(
    rounds.map((r) => r.ms),
    typeof baseline === 'string' ? undefined : baseline?.map((r) => r.ms),
  );
  return {
    measured: true,
    samples: times.samples,
    unanswered: rounds.reduce((sum, r) => sum + r.unanswered, 0),
    firstTry: rounds.reduce((sum, r) => sum + r.firstTry, 0),
    startupMs: times.startupMs,
    perRoundP50Ms: times.perRoundP50Ms,
    p50IntervalMs: times.p50IntervalMs,
    deltaP50Ms: times.deltaP50Ms,
    clockErrorMs: round(Math.max(0, ...rounds.map((r) => r.clockErrorMs)), 3),
    pollIntervalMs,
  };
}
