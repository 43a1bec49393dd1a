import { setTimeout as sleep } from 'node:timers/promises';
import { localRuntime } from './runtime.ts';
import type { Scenario } from '../../scenario/schema.ts';
import type { StartupMeasured, StartupMode, StartupOptions } from '../../startup/schema.ts';
import { firstAnswerTimes, type AnswerRound } from '../../startup/first-answer.ts';
import { startupTimes } from '../../startup/stats.ts';

/** How long a new "pod" has to answer, and how often it is asked meanwhile. */
const ANSWER_TIMEOUT_MS = 30_000;
const POLL_MS = 5;

/**
 * Start-up on the local runtime: the time from starting a mode's "pod" (its echo server, its proxies with their
 * certificates from the run's CA) to the first 200 through them, polled every 5 ms. Pods start one after another:
 * on one host, starting M at once measures the host's CPU more than the mesh. Each is removed before the next.
 * That is the first answer through the mode's data path, so `firstAnswer` repeats these times (one clock: no
 * clock error), beside the Kubernetes runtime's creation-to-first-answer.
 */
export async function localStartup(
  scenario: Scenario,
  runId: string,
  options: StartupOptions,
): Promise<StartupMeasured> {
  const times = new Map<string, AnswerRound[]>();
  for (let round = 1; round <= options.rounds; round++) {
    for (const mode of scenario.modes) {
      const answers: AnswerRound = { ms: [], unanswered: 0, firstTry: 0, clockErrorMs: 0 };
      for (let i = 0; i < options.pods; i++) {
        const took = await answerTime(scenario, `${runId}-s${round}-${i + 1}`, mode, options.signal);
        if (took === null) answers.unanswered++;
        else {
          answers.ms.push(took.ms);
          if (took.attempts === 1) answers.firstTry++;
        }
      }
      times.set(mode, [...(times.get(mode) ?? []), answers]);
    }
  }
  const modes = scenario.modes.map((mode): StartupMode => {
    const rounds = times.get(mode) ?? [];
    const baseline = mode === 'baseline' ? undefined : times.get('baseline');
    return {
      mode,
      failed: rounds.reduce((sum, r) => sum + r.unanswered, 0),
      ...startupTimes(
        rounds.map((r) => r.ms),
        baseline?.map((r) => r.ms),
      ),
      firstAnswer: firstAnswerTimes(rounds, baseline, POLL_MS),
      added: null,
      podsPerNode: null,
    };
  });
  return { schemaVersion: 1, runId, runtime: 'local', measures: 'start-to-first-answer', pods: options.pods, rounds: options.rounds, node: null, modes };
}

/**
 * Milliseconds from starting one mode's pod to its first 200, and how many requests that took; null when it never
 * answered within the timeout.
 */
async function answerTime(scenario: Scenario, runId: string, mode: string, signal: AbortSignal): Promise<{ ms: number; attempts: number } | null> {
  const runtime = localRuntime.create(scenario, runId, { keep: false });
  const started = performance.now();
  try {
    const [prepared] = await runtime.prepare([mode], signal);
    const deadline = started + ANSWER_TIMEOUT_MS;
    let attempts = 0;
    while (performance.now() < deadline) {
      signal.throwIfAborted();
      attempts++;
      const status = await fetch(prepared!.targetUrl, { signal: AbortSignal.any([signal, AbortSignal.timeout(1000)]) }).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status;
        },
        () => 0,
      );
      if (status === 200) return { ms: Math.round((performance.now() - started) * 1000) / 1000, attempts };
      await sleep(POLL_MS);
    }
    return null;
  } finally {
    await runtime.cleanup();
  }
}
