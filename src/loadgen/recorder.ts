import { encodeHistogram, newHistogram, recordUs, type Histogram } from '../core/histogram.ts';
import type { FailureKind } from './connection.ts';
import { SecondsRecorder } from './seconds.ts';
import type { Counts, EndpointReport, ErrorKinds, WorkerReport } from './types.ts';

/** One endpoint's outcomes and histograms within a worker. */
class EndpointRecord {
  readonly counts: Counts = { ok: 0, non2xx: 0, errors: 0, timeouts: 0 };
  readonly latency: Histogram = newHistogram();
  readonly serviceTime: Histogram = newHistogram();

  report(): EndpointReport {
    return { counts: { ...this.counts }, latency: encodeHistogram(this.latency), serviceTime: encodeHistogram(this.serviceTime) };
  }
}

/**
 * Accumulates one worker's measured-window outcomes; warmup requests never reach it. With a request mix, every
 * outcome is also recorded under its endpoint, so the endpoints' histograms pool exactly into the total.
 */
export class Recorder {
  readonly counts: Counts = { ok: 0, non2xx: 0, errors: 0, timeouts: 0 };
  /** counts.errors by what went wrong. */
  readonly errorKinds: ErrorKinds = {};
  sent = 0;
  queued = 0;
  bytesReceived = 0;
  saturated = 0;
  private readonly latency = newHistogram();
  private readonly serviceTime = newHistogram();
  private readonly slip = newHistogram();
  private readonly endpoints: EndpointRecord[];
  private readonly expected: readonly ((status: number) => boolean)[];
  /** Outcomes by second of the window, when the phase asks for them (PhaseSpec.perSecond). */
  private seconds: SecondsRecorder | undefined;

  /**
   * `expected`: per endpoint, whether a status is a success; `perEndpoint`: keep each endpoint's histograms (a
   * phase with a request mix). Default: one endpoint, 2xx is success.
   */
  constructor(expected: readonly ((status: number) => boolean)[] = [(status) => status >= 200 && status < 300], perEndpoint = false) {
    this.expected = expected;
    this.endpoints = perEndpoint ? expected.map(() => new EndpointRecord()) : [];
  }

  /** Starts the per-second record of a window starting at `measureStartUs` (the clock of nowUs()). */
  recordSeconds(measureStartUs: number, durationMs: number): void {
    this.seconds = new SecondsRecorder(measureStartUs, durationMs);
  }

  /** `intendedUs`: the request's intended send time, for the per-second record. */
  response(status: number, bytes: number, latencyUs: number, serviceUs: number, endpoint = 0, intendedUs?: number): void {
    const ok = this.expected[endpoint]!(status);
    if (this.seconds) this.seconds.answered(intendedUs ?? 0, ok, latencyUs);
    if (ok) this.counts.ok++;
    else this.counts.non2xx++;
    this.bytesReceived += bytes;
    if (recordUs(this.latency, latencyUs)) this.saturated++;
    recordUs(this.serviceTime, serviceUs);
    const record = this.endpoints[endpoint];
    if (record) {
      if (ok) record.counts.ok++;
      else record.counts.non2xx++;
      recordUs(record.latency, latencyUs);
      recordUs(record.serviceTime, serviceUs);
    }
  }

  /** A measured request that failed for a connection error of this kind. */
  error(kind: FailureKind, endpoint = 0, intendedUs?: number): void {
    this.counts.errors++;
    this.seconds?.failure(intendedUs);
    this.errorKinds[kind] = (this.errorKinds[kind] ?? 0) + 1;
    const record = this.endpoints[endpoint];
    if (record) record.counts.errors++;
  }

  /** A measured request without a response within the timeout. */
  timeout(endpoint = 0, intendedUs?: number): void {
    this.counts.timeouts++;
    this.seconds?.failure(intendedUs);
    const record = this.endpoints[endpoint];
    if (record) record.counts.timeouts++;
  }

  slipped(us: number): void {
    recordUs(this.slip, us);
  }

  get completed(): number {
    return this.counts.ok + this.counts.non2xx;
  }

  get failed(): number {
    return this.counts.errors + this.counts.timeouts;
  }

  report(): WorkerReport {
    return {
      counts: { ...this.counts },
      errorKinds: { ...this.errorKinds },
      sent: this.sent,
      queued: this.queued,
      bytesReceived: this.bytesReceived,
      saturated: this.saturated,
      latency: encodeHistogram(this.latency),
      serviceTime: encodeHistogram(this.serviceTime),
      slip: encodeHistogram(this.slip),
      ...(this.endpoints.length > 0 ? { endpoints: this.endpoints.map((record) => record.report()) } : {}),
      ...(this.seconds ? { seconds: this.seconds.report() } : {}),
    };
  }
}
