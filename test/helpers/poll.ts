import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The one polling loop of the tests. Reads every `everyMs` until `done(value)` holds or `timeoutMs` has passed, and
 * returns the last value read. The loop is bounded twice: by the deadline and by the number of reads a deadline
 * allows (`timeoutMs / everyMs` plus one), so a clock that stalls cannot keep it going.
 */
export async function poll<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const reads = Math.ceil(timeoutMs / everyMs) + 1;
  let value = await read();
  for (let count = 1; !done(value) && count < reads && Date.now() < deadline; count++) {
    await sleep(everyMs);
    value = await read();
  }
  return value;
}

/** An error that ends a `waitFor` at once instead of being retried. */
export class Fatal extends Error {}

type Probe<T> = () => T | undefined | false | Promise<T | undefined | false>;

/**
 * Waits until `probe` returns something other than `undefined` or `false`, and returns it. An error the probe throws
 * counts as "not yet" (the thing may not exist yet) and is named in the timeout's message, unless it is a `Fatal`,
 * which ends the wait at once. Throws, naming `what`, when `timeoutMs` passes first.
 */
export async function waitFor<T>(what: string, timeoutMs: number, probe: Probe<T>, everyMs = 100): Promise<T> {
  let last: unknown;
  const read = async (): Promise<T | undefined> => {
    try {
      const value = await probe();
      return value === false ? undefined : value;
    } catch (error) {
      if (error instanceof Fatal) throw error;
      last = error;
      return undefined;
    }
  };
  const value = await poll(read, (found) => found !== undefined, timeoutMs, everyMs);
  if (value === undefined) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
  return value;
}
