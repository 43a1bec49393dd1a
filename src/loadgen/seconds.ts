import { decodeHistogram, encodeHistogram, mergeHistograms, newHistogram, recordUs, summarize, type Histogram } from '../core/histogram.ts';

/**
 * Outcomes by second of the measured window, for a phase whose traffic is read over time (a control-plane outage).
 * A request belongs to the second its intended send time fell in, as the phase's counts do; the latency of a second
 * is that of its answered requests, from their intended send time.
 */
export interface SecondsReport {
  /** Per second of the window, in order: answered with an expected status. */
  ok: number[];
  /** Per second: failed (unexpected status, connection error or timeout). */
  failed: number[];
  /** Per second: latency HdrHistogram of the answered requests, compressed base64, microseconds. */
  latency: string[];
  /**
   * Failed requests whose intended time the generator no longer knew (given up in the pacer thread's queue, counted
   * there without their times): in the phase's counts, in no second.
   */
  unplaced: number;
}

/** One second of a phase's measured window, merged over workers and generator pods. */
export interface SecondMeasurement {
  /** 0-based second of the measured window. */
  second: number;
  ok: number;
  failed: number;
  /** Latency HdrHistogram of the answered requests, compressed base64, microseconds. */
  histogram: string;
}

export interface PhaseSeconds {
  seconds: SecondMeasurement[];
  unplaced: number;
}

/** One worker's per-second record. */
export class SecondsRecorder {
  private readonly ok: number[];
  private readonly failed: number[];
  private readonly latency: Histogram[];
  private unplaced = 0;
  private readonly startUs: number;

  constructor(measureStartUs: number, durationMs: number) {
    this.startUs = measureStartUs;
    const count = Math.max(1, Math.ceil(durationMs / 1000));
    this.ok = new Array<number>(count).fill(0);
    this.failed = new Array<number>(count).fill(0);
    this.latency = Array.from({ length: count }, () => newHistogram());
  }

  /** The second of an intended send time; a time outside the window goes to the nearest edge second. */
  private index(intendedUs: number): number {
    const second = Math.floor((intendedUs - this.startUs) / 1_000_000);
    return Math.min(this.ok.length - 1, Math.max(0, second));
  }

  answered(intendedUs: number, ok: boolean, latencyUs: number): void {
    const i = this.index(intendedUs);
    if (ok) this.ok[i]!++;
    else this.failed[i]!++;
    recordUs(this.latency[i]!, latencyUs);
  }

  /** A failure; without its intended time it is counted as unplaced. */
  failure(intendedUs: number | undefined): void {
    if (intendedUs === undefined) this.unplaced++;
    else this.failed[this.index(intendedUs)]!++;
  }

  report(): SecondsReport {
    return { ok: [...this.ok], failed: [...this.failed], latency: this.latency.map(encodeHistogram), unplaced: this.unplaced };
  }
}

/** Workers' per-second reports merged exactly: counts summed, histograms added, second by second. */
export function mergeWorkerSeconds(reports: readonly SecondsReport[]): PhaseSeconds {
  const length = Math.max(0, ...reports.map((r) => r.ok.length));
  const seconds: SecondMeasurement[] = [];
  for (let second = 0; second < length; second++) {
    const parts = reports.filter((r) => second < r.ok.length);
    seconds.push({
      second,
      ok: parts.reduce((sum, r) => sum + r.ok[second]!, 0),
      failed: parts.reduce((sum, r) => sum + r.failed[second]!, 0),
      histogram: encodeHistogram(mergeHistograms(parts.map((r) => decodeHistogram(r.latency[second]!)))),
    });
  }
  return { seconds, unplaced: reports.reduce((sum, r) => sum + r.unplaced, 0) };
}

/** Generator pods' per-second records merged the same way (each pod's window starts on the shared start time). */
export function mergePhaseSeconds(parts: readonly PhaseSeconds[]): PhaseSeconds {
  return mergeWorkerSeconds(
    parts.map((part) => ({
      ok: part.seconds.map((s) => s.ok),
      failed: part.seconds.map((s) => s.failed),
      latency: part.seconds.map((s) => s.histogram),
      unplaced: part.unplaced,
    })),
  );
}

/** A second's latency percentiles, microseconds (null where the second has too few answers to locate them). */
export function secondLatency(second: SecondMeasurement): { p50Us: number | null; p99Us: number | null; maxUs: number | null } {
  const histogram = decodeHistogram(second.histogram);
  if (histogram.totalCount === 0) return { p50Us: null, p99Us: null, maxUs: null };
  const summary = summarize(histogram);
  return { p50Us: summary.p50, p99Us: summary.p99, maxUs: summary.max };
}
