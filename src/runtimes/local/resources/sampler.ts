import { round } from '../../../core/numbers.ts';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { clockTicksPerSecond } from './procfs.ts';
import type { MemoryKind, ResourceTarget, ResourceUsage } from './types.ts';
import { procReader, Window, type ProcReader, type Tally } from './window.ts';

export type { CpuReading, ProcReader } from './window.ts';
export { procReader } from './window.ts';

/** Everything the sampler touches outside itself, injectable for deterministic tests. */
export interface SamplerOptions {
  /** Memory sampling interval in milliseconds. Default 250. */
  intervalMs?: number;
  /** Monotonic clock in milliseconds. Default performance.now. */
  now?: () => number;
  /** Where processes are read. Default procReader('/proc'). */
  reader?: ProcReader;
  /** Clock ticks per second of the CPU counters. Default clockTicksPerSecond() (getconf CLK_TCK). */
  ticksPerSecond?: number;
  /** Calls `tick` every `ms` until the returned function is called. Default an unref'd setInterval. */
  every?: (ms: number, tick: () => void) => () => void;
  /** Waits `ms`, rejecting when `signal` aborts. Default timers/promises setTimeout. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Idle level of one target: CPU in cores, memory in bytes (RSS mean, PSS mean or null). */
interface Idle {
  cores: number;
  rss: number;
  pss: number | null;
}

interface PickedMemory {
  kind: MemoryKind;
  mean: number;
  max: number;
  idle: number | null;
}

/** PSS only when the window and the idle level both have it, so idle can be subtracted like for like. */
function pickMemory(tally: Tally, idle: Idle | null): PickedMemory {
  const { pssMean, pssMax } = tally;
  if (pssMean !== null && pssMax !== null && (idle === null || idle.pss !== null)) {
    return { kind: 'pss', mean: pssMean, max: pssMax, idle: idle?.pss ?? null };
  }
  return { kind: 'rss', mean: tally.rssMean, max: tally.rssMax, idle: idle?.rss ?? null };
}

function defaultEvery(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * CPU and memory of local processes over a measured window, from /proc. CPU comes from cumulative tick counters
 * differenced over the window (not from averaged gauges); memory is sampled every `intervalMs`. The load generator
 * is measured like any other target (pid = process.pid); its open-loop scheduler busy-polls, so expect close to one
 * core per worker thread. Reads are synchronous on the calling thread: tens of microseconds per process (more for
 * smaps_rollup of a large address space), plus one scan of /proc per sample when a target includes descendants.
 */
export class ResourceSampler {
  readonly #targets: readonly ResourceTarget[];
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #reader: ProcReader;
  readonly #ticksPerSecond: number;
  readonly #every: (ms: number, tick: () => void) => () => void;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #window: Window | undefined;
  #cancel: (() => void) | undefined;
  #error: unknown;
  #idle: (Idle | null)[] | undefined;

  constructor(targets: readonly ResourceTarget[], options: SamplerOptions = {}) {
    this.#targets = [...targets];
    this.#intervalMs = options.intervalMs ?? 250;
    this.#now = options.now ?? (() => performance.now());
    this.#reader = options.reader ?? procReader();
    this.#ticksPerSecond = options.ticksPerSecond ?? clockTicksPerSecond();
    this.#every = options.every ?? defaultEvery;
    this.#sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, signal ? { signal } : {}));
  }

  /**
   * Measures the idle level over `ms` milliseconds before load and keeps it for the rows of later windows.
   * Rejects (keeping no idle level) when `signal` aborts.
   */
  async measureIdle(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.#begin();
    let completed = false;
    try {
      await this.#sleep(ms, signal);
      completed = true;
    } finally {
      const { wallMs, tallies } = this.#end();
      if (completed) {
        this.#idle = tallies.map((t) =>
          t.samples === 0 ? null : { cores: this.#cores(t.cpuTicks, wallMs), rss: t.rssMean, pss: t.pssMean },
        );
      }
    }
  }

  /** Begins the measured window: reads every target's CPU counters and starts sampling memory. */
  start(): void {
    this.#begin();
  }

  /** Ends the measured window and returns one row per target, in the order the targets were given. */
  stop(): ResourceUsage[] {
    const { wallMs, gaps, tallies } = this.#end();
    return tallies.map((tally, i) => this.#row(tally, this.#idle?.[i] ?? null, wallMs, gaps));
  }

  #begin(): void {
    if (this.#window !== undefined) throw new Error('ResourceSampler: a window is already being measured');
    this.#error = undefined;
    this.#window = new Window(this.#targets, this.#reader, this.#intervalMs, this.#now());
    const window = this.#window;
    this.#cancel = this.#every(this.#intervalMs, () => {
      try {
        window.sample(this.#now());
      } catch (error) {
        this.#error ??= error;
      }
    });
  }

  #end(): { wallMs: number; gaps: number; tallies: Tally[] } {
    const window = this.#window;
    if (window === undefined) throw new Error('ResourceSampler: stop() without start()');
    this.#cancel?.();
    this.#cancel = undefined;
    this.#window = undefined;
    if (this.#error !== undefined) throw this.#error;
    return window.finish(this.#now());
  }

  #cores(ticks: number, wallMs: number): number {
    return wallMs > 0 ? round(ticks / this.#ticksPerSecond / (wallMs / 1000), 4) : 0;
  }

  #row(tally: Tally, idle: Idle | null, wallMs: number, gaps: number): ResourceUsage {
    const { target } = tally;
    const memory = pickMemory(tally, idle);
    return {
      pod: target.pod,
      container: target.container,
      role: target.role,
      ...(target.node === undefined ? {} : { node: target.node }),
      pid: target.pid,
      cpuCores: this.#cores(tally.cpuTicks, wallMs),
      memoryBytes: Math.round(memory.mean),
      memoryBytesMax: memory.max,
      memoryKind: memory.kind,
      idleCpuCores: idle?.cores ?? null,
      idleMemoryBytes: memory.idle === null ? null : Math.round(memory.idle),
      samples: tally.samples,
      gaps,
      windowMs: Math.round(wallMs),
      processes: tally.processes,
      exited: tally.exited,
      source: 'procfs',
    };
  }
}
