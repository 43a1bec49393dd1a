import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { round } from '../core/numbers.ts';
import { nowUs } from './clock.ts';
import { mergeEndpoints } from './endpoint-merge.ts';
import { decodeHistogram, encodeHistogram, mergeHistograms, summarize } from '../core/histogram.ts';
import { sampleMachine, unknownMachine, type MachineState } from './machine.ts';
import { parseTarget } from './target.ts';
import type {
  Counts,
  FromWorker,
  PhaseMeasurement,
  PhaseSpec,
  ProgressEvent,
  WorkerInput,
  WorkerReport,
  ErrorKinds,
} from './types.ts';
import { mergeWorkerSeconds } from './seconds.ts';
import { generatorWarnings } from './warnings.ts';
import { MeshtaxError } from '../core/errors.ts';

/** Time between telling workers to start and the schedule's time zero, so every worker starts on the same tick. */
const START_DELAY_US = 50_000;
/** How long a stopped worker may take to finish before it is terminated. */
const STOP_GRACE_MS = 2000;

export class LoadError extends MeshtaxError {}
export class PhaseInterrupted extends MeshtaxError {}

/** The worker file beside this one: .ts when running from source, .js from dist. */
const workerUrl = new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export interface PhaseEvents {
  progress: [ProgressEvent];
  /** The measured window (after warmup) begins: resource sampling starts here. */
  windowStart: [];
  /** The measured window ends: resource sampling stops here. */
  windowEnd: [];
}

/**
 * Runs one load phase on worker threads and merges their histograms exactly. The runner emits progress events
 * and never draws; an AbortSignal stops the workers and rejects with PhaseInterrupted.
 */
export class PhaseRunner extends EventEmitter<PhaseEvents> {
  async run(spec: PhaseSpec, signal?: AbortSignal): Promise<PhaseMeasurement> {
    parseTarget(spec.url);
    if (signal?.aborted) throw new PhaseInterrupted('interrupted before the phase started');
    const workers = Array.from({ length: spec.workers }, (_, index) => {
      const input: WorkerInput = { spec, index };
      return new Worker(workerUrl, { workerData: input });
    });
    const session = new WorkerSession(workers, spec, {
      progress: (event) => this.emit('progress', event),
      windowStart: () => this.emit('windowStart'),
      windowEnd: () => this.emit('windowEnd'),
    });
    const onAbort = (): void => session.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await session.run();
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await session.terminate();
    }
  }
}

interface SessionCallbacks {
  progress(event: ProgressEvent): void;
  windowStart(): void;
  windowEnd(): void;
}

class WorkerSession {
  private readonly reports: WorkerReport[] = [];
  private readonly progress: { completed: number; errors: number }[];
  private stopped = false;
  private t0 = 0;
  private cpuAtStart: NodeJS.CpuUsage | undefined;
  private cpuStartUs = 0;
  private cpuCores = 0;
  private machineWindow: { end(): MachineState } | undefined;
  private machine: MachineState | undefined;
  private cpuTimers: NodeJS.Timeout[] = [];
  private windowClosed = false;
  private stopHandler: (() => void) | undefined;
  private readonly workers: Worker[];
  private readonly spec: PhaseSpec;
  private readonly on: SessionCallbacks;

  constructor(workers: Worker[], spec: PhaseSpec, on: SessionCallbacks) {
    this.workers = workers;
    this.spec = spec;
    this.on = on;
    this.progress = workers.map(() => ({ completed: 0, errors: 0 }));
  }

  run(): Promise<PhaseMeasurement> {
    return new Promise((resolve, reject) => {
      let ready = 0;
      let settled = false;
      const finish = (error: Error | undefined): void => {
        if (settled) return;
        settled = true;
        // The last report can arrive before the window-end timer fires (Node's timers step in milliseconds):
        // the window closes now then, so resource sampling always ends before the measurement is returned.
        if (!error) this.closeWindow();
        for (const timer of this.cpuTimers) clearTimeout(timer);
        if (error) reject(error);
        else resolve(this.measurement());
      };
      this.stopHandler = () => finish(new PhaseInterrupted('interrupted during the phase'));
      this.workers.forEach((worker, index) => {
        worker.on('message', (message: FromWorker) => {
          switch (message.type) {
            case 'ready':
              if (++ready === this.workers.length) this.start();
              break;
            case 'progress':
              this.progress[index] = { completed: message.completed, errors: message.errors };
              this.emitProgress();
              break;
            case 'report':
              this.reports.push(message.report);
              if (this.reports.length === this.workers.length) finish(undefined);
              break;
            case 'failed':
              finish(new LoadError(message.message));
              break;
          }
        });
        worker.on('error', (error) => finish(new LoadError(`load worker crashed: ${error.message}`)));
        worker.on('exit', (code) => {
          if (code !== 0 && !this.stopped) finish(new LoadError(`load worker exited with code ${code}`));
        });
      });
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const worker of this.workers) worker.postMessage({ type: 'stop' });
    this.stopHandler?.();
  }

  async terminate(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.threadId < 0) return resolve();
            const timer = setTimeout(() => void worker.terminate().then(() => resolve()), STOP_GRACE_MS);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            worker.postMessage({ type: 'stop' });
          }),
      ),
    );
  }

  private start(): void {
    this.t0 = nowUs() + START_DELAY_US;
    for (const worker of this.workers) worker.postMessage({ type: 'start', t0Us: this.t0 });
    // Generator CPU over the measured window: the whole process (all worker threads), differenced.
    const toStartMs = (this.t0 + this.spec.warmupMs * 1000 - nowUs()) / 1000;
    this.cpuTimers.push(
      setTimeout(() => this.openWindow(), toStartMs),
      setTimeout(() => this.closeWindow(), toStartMs + this.spec.durationMs),
    );
  }

  private openWindow(): void {
    if (this.cpuAtStart) return;
    this.cpuAtStart = process.cpuUsage();
    this.cpuStartUs = nowUs();
    this.machineWindow = sampleMachine();
    this.on.windowStart();
  }

  /** Ends the measured window once, whether its timer or the workers' last report comes first. */
  private closeWindow(): void {
    if (!this.cpuAtStart || this.windowClosed) return;
    this.windowClosed = true;
    const used = process.cpuUsage(this.cpuAtStart);
    this.cpuCores = (used.user + used.system) / (nowUs() - this.cpuStartUs);
    this.machine = this.machineWindow?.end();
    this.on.windowEnd();
  }

  private emitProgress(): void {
    const elapsedMs = (nowUs() - this.t0) / 1000;
    const warmupMs = this.spec.warmupMs;
    const totalMs = warmupMs + this.spec.durationMs;
    const stage = elapsedMs < warmupMs ? 'warmup' : elapsedMs < totalMs ? 'measure' : 'drain';
    let completed = 0;
    let errors = 0;
    for (const part of this.progress) {
      completed += part.completed;
      errors += part.errors;
    }
    this.on.progress({ stage, elapsedMs: Math.min(elapsedMs, totalMs), totalMs, completed, errors });
  }

  private measurement(): PhaseMeasurement {
    const spec = this.spec;
    const latency = mergeHistograms(this.reports.map((r) => decodeHistogram(r.latency)));
    const serviceTime = mergeHistograms(this.reports.map((r) => decodeHistogram(r.serviceTime)));
    const slip = mergeHistograms(this.reports.map((r) => decodeHistogram(r.slip)));
    const counts: Counts = { ok: 0, non2xx: 0, errors: 0, timeouts: 0 };
    const errorKinds: ErrorKinds = {};
    let sent = 0;
    let queued = 0;
    let bytesReceived = 0;
    let saturated = 0;
    for (const report of this.reports) {
      counts.ok += report.counts.ok;
      counts.non2xx += report.counts.non2xx;
      counts.errors += report.counts.errors;
      counts.timeouts += report.counts.timeouts;
      for (const [kind, count] of Object.entries(report.errorKinds) as [keyof ErrorKinds, number][]) errorKinds[kind] = (errorKinds[kind] ?? 0) + count;
      sent += report.sent;
      queued += report.queued;
      bytesReceived += report.bytesReceived;
      saturated += report.saturated;
    }
    const durationS = spec.durationMs / 1000;
    const slipSummary = summarize(slip);
    const generator = {
      cpuCores: round(this.cpuCores, 3),
      slipUs: { p50: slipSummary.p50 ?? 0, p99: slipSummary.p99 ?? slipSummary.max, max: slipSummary.max },
      queued,
      workers: spec.workers,
      ...(spec.loop === 'open' ? { realtime: this.reports.every((report) => report.realtime === true) } : {}),
    };
    const achievedRps = round(sent / durationS, 1);
    const latencyUs = summarize(latency);
    const machine = this.machine ?? unknownMachine();
    const serviceTimeUs = summarize(serviceTime);
    return {
      loop: spec.loop,
      rate: spec.loop === 'open' ? spec.rate : null,
      connections: spec.connections,
      startedAt: new Date(Date.now() - (nowUs() - this.t0) / 1000 + spec.warmupMs).toISOString(),
      durationS,
      achievedRps,
      counts,
      bytesReceived,
      latencyUs,
      serviceTimeUs,
      histogram: encodeHistogram(latency),
      serviceTimeHistogram: encodeHistogram(serviceTime),
      generator,
      ...(spec.protocol && spec.protocol !== 'http1' ? { protocol: spec.protocol } : {}),
      ...(spec.requests ? { endpoints: mergeEndpoints(spec.requests, this.reports.map((r) => r.endpoints ?? [])) } : {}),
      machine,
      warnings: generatorWarnings({ spec, achievedRps, counts, errorKinds, generator, latencyUs, saturated, samples: latency.totalCount }),
      ...(spec.perSecond ? { seconds: mergeWorkerSeconds(this.reports.flatMap((r) => (r.seconds ? [r.seconds] : []))) } : {}),
    };
  }
}
