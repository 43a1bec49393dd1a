import { setTimeout as sleep } from 'node:timers/promises';

/** Reads every `everyMs` until `done(value)` holds or `timeoutMs` has passed; returns the last value read. */
export async function poll<T>(read: () => T, done: (value: T) => boolean, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(everyMs);
    value = read();
  }
  return value;
}
