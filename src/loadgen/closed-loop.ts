import type { EventEmitter } from 'node:events';
import autocannon from 'autocannon';
import { nowUs } from './clock.ts';
import { failureKindOf } from './connection.ts';
import { shareOf } from './open-loop.ts';
import { Recorder } from './recorder.ts';
import type { PhaseSpec } from './types.ts';

/**
 * The closed loop (maximum throughput) on autocannon. autocannon's own histogram holds whole milliseconds, so
 * each response time is taken from its `response` event (fractional milliseconds from hrtime, read in
 * autocannon/lib/pipelinedRequestsQueue.js) into meshtax's microsecond histogram. There is no schedule, so latency
 * and service time are the same measurement. Only responses that complete inside the measured window count.
 */
export class ClosedLoop {
  readonly recorder = new Recorder();
  private instance: EventEmitter & { stop(): void } | undefined;
  private readonly spec: PhaseSpec;
  private readonly connections: number;
  private readonly url: string;
  private readonly userAgent: string;

  constructor(spec: PhaseSpec, worker: number, url: string, userAgent: string) {
    this.spec = spec;
    this.url = url;
    this.userAgent = userAgent;
    this.connections = shareOf(spec.connections, spec.workers, worker);
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  run(t0Us: number): Promise<void> {
    const measureStart = t0Us + this.spec.warmupMs * 1000;
    const measureEnd = measureStart + this.spec.durationMs * 1000;
    return new Promise((resolve, reject) => {
      const startIn = Math.max(0, (t0Us - nowUs()) / 1000);
      setTimeout(() => {
        const instance = autocannon(
          {
            url: this.url,
            connections: this.connections,
            duration: (this.spec.warmupMs + this.spec.durationMs) / 1000,
            timeout: this.spec.timeoutMs / 1000,
            headers: { 'user-agent': this.userAgent },
          },
          (error: Error | null) => (error ? reject(error) : resolve()),
        );
        this.instance = instance;
        // autocannon emits (client, statusCode, bytes, responseTimeMs); @types/autocannon omits the client.
        const events: EventEmitter = instance;
        events.on('response', (_client: unknown, status: number, bytes: number, responseMs: number) => {
          const now = nowUs();
          if (now < measureStart || now >= measureEnd) return;
          this.recorder.sent++;
          const us = responseMs * 1000;
          this.recorder.response(status, bytes, us, us);
        });
        events.on('reqError', (error: Error) => {
          const now = nowUs();
          if (now < measureStart || now >= measureEnd) return;
          if (error.message === 'request timed out') this.recorder.counts.timeouts++;
          else this.recorder.error(failureKindOf(error));
        });
      }, startIn);
    });
  }

  stop(): void {
    this.instance?.stop();
  }

  close(): void {
    this.instance?.stop();
  }
}
