import { describe, expect, it } from 'vitest';
import { firstAnswerTimes, roundAnswers, type AnswerRound } from '../../src/startup/first-answer.ts';
import { startupModeSchema } from '../../src/startup/schema.ts';

describe('first answers on the CLI clock', () => {
  it('carries each first 2xx from the prober clock, minus creation; unanswered and first-try pods counted', () => {
    // The prober's clock is 10 000 ms ahead of the CLI's, known within ±1.5 ms.
    const offset = { offsetMs: 10_000, errorMs: 1.5 };
    const created = new Map([
      ['echo-startup-1-1', 100],
      ['echo-startup-1-2', 105],
      ['echo-startup-1-3', 110],
      ['echo-startup-1-4', 115],
    ]);
    const round = roundAnswers(
      created,
      {
        'echo-startup-1-1': { firstOkMs: 11_350.25, attempts: 40 },
        'echo-startup-1-2': { firstOkMs: null, attempts: 300 },
        // Answered at once: counted as an upper bound.
        'echo-startup-1-3': { firstOkMs: 10_900, attempts: 1 },
        // A pod the prober never heard of (no address in time) is unanswered too; one it knows but meshtax did not create is ignored.
        other: { firstOkMs: 10_200, attempts: 2 },
      },
      offset,
    );
    expect(round).toEqual({ ms: [1250.25, 790], unanswered: 2, firstTry: 1, clockErrorMs: 1.5 });
  });

  it('never reports an answer before creation, which only the clock error could suggest', () => {
    expect(roundAnswers(new Map([['p', 500]]), { p: { firstOkMs: 10_499, attempts: 3 } }, { offsetMs: 10_000, errorMs: 2 }).ms).toEqual([0]);
  });
});

describe('a mode\'s first-answer figures', () => {
  const round = (ms: number[], extra: Partial<AnswerRound> = {}): AnswerRound => ({ ms, unanswered: 0, firstTry: 0, clockErrorMs: 1, ...extra });

  it('pools percentiles, intervals over rounds and the delta against baseline\'s first answers, with the largest clock error', () => {
    const baseline = [round([400, 500, 600]), round([420, 520, 620])];
    const sidecar = [round([900, 1000, 1100], { clockErrorMs: 3.25, unanswered: 1 }), round([950, 1050, 1150], { firstTry: 2 })];
    const figures = firstAnswerTimes(sidecar, baseline, 25);
    expect(figures).toMatchObject({
      measured: true,
      samples: 6,
      unanswered: 1,
      firstTry: 2,
      startupMs: { p50: 1000, p90: 1150, p99: 1150, max: 1150 },
      perRoundP50Ms: [1000, 1050],
      deltaP50Ms: { estimate: 515 },
      clockErrorMs: 3.25,
      pollIntervalMs: 25,
    });
    expect(figures.measured && figures.p50IntervalMs).not.toBeNull();
    expect(firstAnswerTimes(baseline, undefined, 25)).toMatchObject({ measured: true, deltaP50Ms: null });
    // A baseline without figures leaves the delta out, not the mode's own figures.
    expect(firstAnswerTimes(sidecar, 'no prober', 25)).toMatchObject({ measured: true, samples: 6, deltaP50Ms: null });
  });

  it('says why instead of inventing figures', () => {
    const missing = firstAnswerTimes('the prober pod is Ready but answered no request through the API server\'s pod proxy', undefined, 25);
    expect(missing).toEqual({ measured: false, reason: 'the prober pod is Ready but answered no request through the API server\'s pod proxy' });
    const mode = { mode: 'baseline', samples: 0, failed: 0, startupMs: null, perRoundP50Ms: [], p50IntervalMs: null, deltaP50Ms: null, added: null, podsPerNode: null };
    expect(startupModeSchema.parse({ ...mode, firstAnswer: missing }).firstAnswer).toEqual(missing);
    expect(() => startupModeSchema.parse({ ...mode, firstAnswer: { measured: false } })).toThrow();
  });
});
