import { encodeHistogram, newHistogram, recordUs } from '../core/histogram.ts';
import type { FailureKind } from './connection.ts';
import type { Counts, ErrorKinds, WorkerReport } from './types.ts';

/** Accumulates one worker's measured-window outcomes; warmup requests never reach it. */
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

  response(status: number, bytes: number, latencyUs: number, serviceUs: number): void {
    if (status >= 200 && status < 300) this.counts.ok++;
    else this.counts.non2xx++;
    this.bytesReceived += bytes;
    if (recordUs(this.latency, latencyUs)) this.saturated++;
    recordUs(this.serviceTime, serviceUs);
  }

  /** A measured request that failed for a connection error of this kind. */
  error(kind: FailureKind): void {
    this.counts.errors++;
    this.errorKinds[kind] = (this.errorKinds[kind] ?? 0) + 1;
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
    };
  }
}
