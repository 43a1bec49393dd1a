import { setTimeout as sleep } from 'node:timers/promises';
import { PhaseInterrupted } from '../../loadgen/phase.ts';
import { MeshtaxError } from '../../core/errors.ts';

export class WaitTimeout extends MeshtaxError {}

/**
 * Polls `probe` until it returns true, the time is up (WaitTimeout naming what was awaited and the last reason the
 * probe gave), or `signal` aborts (PhaseInterrupted). Errors from the probe end the wait at once.
 */
export async function waitFor(
  what: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  probe: () => Promise<true | string>,
  intervalMs = 1000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new PhaseInterrupted(`interrupted while waiting for ${what}`);
    const result = await probe();
    if (result === true) return;
    if (Date.now() >= deadline) {
      throw new WaitTimeout(`${what} did not happen within ${formatSeconds(timeoutMs)}: ${result}`);
    }
    try {
      await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())), undefined, { signal });
    } catch {
      throw new PhaseInterrupted(`interrupted while waiting for ${what}`);
    }
  }
}

export function formatSeconds(ms: number): string {
  return ms % 60_000 === 0 && ms >= 60_000 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`;
}
