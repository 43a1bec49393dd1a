/**
 * One reading of another machine's clock: the local clock just before the request was sent and just after its
 * answer arrived, and the remote clock's value in the answer (all milliseconds).
 */
export interface ClockReading {
  sentMs: number;
  receivedMs: number;
  remoteMs: number;
}

/** remote − local, and the bound on its error. */
export interface ClockOffset {
  offsetMs: number;
  errorMs: number;
}

/**
 * The offset of a remote clock from the local one, from the reading with the shortest round trip (Cristian's
 * method): the remote clock was read somewhere between sending and receiving, so taking the midpoint errs by at
 * most half the round trip whichever way the delay was split. A local time t is remote time t + offsetMs; the
 * shortest exchange bounds the error best. Undefined without a reading.
 */
export function estimateOffset(readings: readonly ClockReading[]): ClockOffset | undefined {
  let best: ClockReading | undefined;
  for (const reading of readings) {
    if (!(reading.receivedMs >= reading.sentMs) || !Number.isFinite(reading.remoteMs)) continue;
    if (!best || reading.receivedMs - reading.sentMs < best.receivedMs - best.sentMs) best = reading;
  }
  if (!best) return undefined;
  const roundTrip = best.receivedMs - best.sentMs;
  return { offsetMs: best.remoteMs - (best.sentMs + roundTrip / 2), errorMs: roundTrip / 2 };
}

/** A remote clock's time on the local clock. */
export function toLocal(remoteMs: number, offset: ClockOffset): number {
  return remoteMs - offset.offsetMs;
}
