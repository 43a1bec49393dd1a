import { describe, expect, it } from 'vitest';
import { decodeHistogram } from '../../src/core/histogram.ts';
import { mergePhaseSeconds, mergeWorkerSeconds, secondLatency, SecondsRecorder } from '../../src/loadgen/seconds.ts';

describe('outcomes by second of the measured window', () => {
  it('places each outcome by its intended send time, edge times in the edge seconds, failures without a time as unplaced', () => {
    // Window from 10 s (in µs of the generator's clock) for 3 s.
    const recorder = new SecondsRecorder(10_000_000, 3000);
    recorder.answered(10_000_000, true, 800);
    recorder.answered(10_999_999, true, 1200);
    recorder.answered(11_000_000, false, 5000);
    recorder.failure(12_500_000);
    recorder.failure(9_000_000); // before the window (a clock step): the first second
    recorder.failure(14_000_000); // after it: the last
    recorder.failure(undefined);
    const report = recorder.report();
    expect(report.ok).toEqual([2, 0, 0]);
    expect(report.failed).toEqual([1, 1, 2]);
    expect(report.unplaced).toBe(1);
    // An answer with an unexpected status counts as failed, and its latency is still recorded.
    expect(report.latency.map((h) => decodeHistogram(h).totalCount)).toEqual([2, 1, 0]);
  });

  it('merges workers and then generator pods exactly, second by second', () => {
    const a = new SecondsRecorder(0, 2000);
    const b = new SecondsRecorder(0, 3000);
    a.answered(100, true, 1000);
    a.answered(1_500_000, true, 2000);
    b.answered(1_200_000, true, 3000);
    b.answered(2_100_000, true, 4000);
    b.failure(undefined);
    const workers = mergeWorkerSeconds([a.report(), b.report()]);
    expect(workers.seconds.map((s) => [s.second, s.ok, s.failed])).toEqual([
      [0, 1, 0],
      [1, 2, 0],
      [2, 1, 0],
    ]);
    expect(workers.unplaced).toBe(1);
    const pods = mergePhaseSeconds([workers, workers]);
    expect(pods.seconds.map((s) => s.ok)).toEqual([2, 4, 2]);
    expect(pods.unplaced).toBe(2);
    expect(decodeHistogram(pods.seconds[1]!.histogram).totalCount).toBe(4);
    expect(secondLatency(pods.seconds[2]!)).toEqual({ p50Us: null, p99Us: null, maxUs: 4001 });
    expect(secondLatency({ second: 0, ok: 0, failed: 3, histogram: mergeWorkerSeconds([new SecondsRecorder(0, 1000).report()]).seconds[0]!.histogram })).toEqual({
      p50Us: null,
      p99Us: null,
      maxUs: null,
    });
  });
});
