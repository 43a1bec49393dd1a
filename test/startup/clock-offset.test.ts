import { describe, expect, it } from 'vitest';
import { estimateOffset, toLocal } from '../../src/startup/clock-offset.ts';

describe('the prober clock offset', () => {
  it('takes the exchange with the shortest round trip: midpoint offset, error half that round trip', () => {
    // The remote clock runs 1000 ms ahead; the second exchange was fastest (4 ms), its answer sent 1 ms after it left.
    const offset = estimateOffset([
      { sentMs: 100, receivedMs: 140, remoteMs: 1130 },
      { sentMs: 200, receivedMs: 204, remoteMs: 1201 },
      { sentMs: 300, receivedMs: 320, remoteMs: 1310 },
    ]);
    expect(offset).toEqual({ offsetMs: 999, errorMs: 2 });
    // The true offset (1000) lies within the error bound.
    expect(Math.abs(offset!.offsetMs - 1000)).toBeLessThanOrEqual(offset!.errorMs);
    expect(toLocal(1500, offset!)).toBe(501);
  });

  it('ignores readings that cannot be (answer before the request, no remote time) and gives nothing without one', () => {
    expect(estimateOffset([])).toBeUndefined();
    expect(estimateOffset([{ sentMs: 10, receivedMs: 5, remoteMs: 7 }, { sentMs: 0, receivedMs: 1, remoteMs: Number.NaN }])).toBeUndefined();
    expect(estimateOffset([{ sentMs: 10, receivedMs: 5, remoteMs: 7 }, { sentMs: 20, receivedMs: 30, remoteMs: 35 }])).toEqual({ offsetMs: 10, errorMs: 5 });
  });
});
