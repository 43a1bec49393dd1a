import { decodeHistogram, mergeHistograms, summarize } from '../core/histogram.ts';
import { secondLatency, type PhaseSeconds } from '../loadgen/seconds.ts';
import type { OutageRecord, TrafficSpan } from '../results/schema.ts';

type Span = 'before' | 'during' | 'after';

/**
 * Where second `i` ([i, i+1) s of the window) lies against an outage from `startS` to `restoreS` (seconds of the
 * window): a second the outage began or ended in counts as during. Without a start every second is before; without
 * a restore every second from the start on is during.
 */
export function spanOf(i: number, startS: number | null, restoreS: number | null): Span {
  if (startS === null || i + 1 <= startS) return 'before';
  if (restoreS === null || i < restoreS) return 'during';
  return 'after';
}

/**
 * The traffic of a phase with an outage, second by second and per span, and how it recovered: the first second at
 * or after the one the restore fell in with a successful request, and the first from which every second's error
 * rate is back at or below the rate before the outage. The resolution is one second of intended send time.
 */
export function outageTraffic(
  measured: PhaseSeconds,
  startS: number | null,
  restoreS: number | null,
): Pick<OutageRecord, 'seconds' | 'traffic' | 'unplacedFailures'> & { firstOkSecond: number | null; trafficRecoveredSecond: number | null } {
  const seconds = measured.seconds.map((s) => ({ second: s.second, span: spanOf(s.second, startS, restoreS), ok: s.ok, failed: s.failed, ...secondLatency(s) }));
  const span = (which: Span): TrafficSpan => {
    const parts = measured.seconds.filter((s) => spanOf(s.second, startS, restoreS) === which);
    const requests = parts.reduce((sum, s) => sum + s.ok + s.failed, 0);
    const failed = parts.reduce((sum, s) => sum + s.failed, 0);
    const latency = summarize(mergeHistograms(parts.map((s) => decodeHistogram(s.histogram))));
    return { seconds: parts.length, requests, failed, errorRate: requests === 0 ? null : failed / requests, p50Us: latency.p50, p99Us: latency.p99 };
  };
  const traffic = { before: span('before'), during: span('during'), after: span('after') };
  let firstOkSecond: number | null = null;
  let trafficRecoveredSecond: number | null = null;
  if (restoreS !== null) {
    const from = Math.floor(restoreS);
    const later = measured.seconds.filter((s) => s.second >= from);
    firstOkSecond = later.find((s) => s.ok > 0)?.second ?? null;
    const allowed = traffic.before.errorRate ?? 0;
    const rate = (s: { ok: number; failed: number }): number => (s.ok + s.failed === 0 ? 0 : s.failed / (s.ok + s.failed));
    // Scanning back from the window's end: the earliest second after which no second is worse than before.
    for (let i = later.length - 1; i >= 0 && rate(later[i]!) <= allowed; i--) trafficRecoveredSecond = later[i]!.second;
  }
  return { seconds, traffic, unplacedFailures: measured.unplaced, firstOkSecond, trafficRecoveredSecond };
}
