import { descendantsOf, readChildrenMap, readMemory, readStat, type MemoryReading } from './procfs.ts';
import type { ResourceTarget } from './types.ts';

/** CPU counter of one process. */
export interface CpuReading {
  /** utime + stime of all threads, in clock ticks. */
  ticks: number;
  /** Start time after boot in clock ticks: tells a process from a later one with the same pid. */
  startTime: number;
  /** State letter from /proc/<pid>/stat; Z and X mean the process has exited. */
  state: string;
}

/** Where the sampler reads processes from; /proc by default, a fake in tests. */
export interface ProcReader {
  cpu(pid: number): CpuReading | undefined;
  memory(pid: number): MemoryReading | undefined;
  /** Parent pid → child pids of every process; read at most once per sample. */
  children(): ReadonlyMap<number, readonly number[]>;
}

/** A ProcReader over a /proc tree (default the real one). */
export function procReader(root = '/proc'): ProcReader {
  return {
    cpu(pid) {
      const stat = readStat(pid, root);
      return stat && { ticks: stat.utime + stat.stime, startTime: stat.startTime, state: stat.state };
    },
    memory: (pid) => readMemory(pid, root),
    children: () => readChildrenMap(root),
  };
}

/** What one window measured of one target. Ticks are clock ticks, memory bytes (means not rounded). */
export interface Tally {
  target: ResourceTarget;
  cpuTicks: number;
  rssMean: number;
  rssMax: number;
  /** Null unless every sample of the target had PSS for every process in its tree. */
  pssMean: number | null;
  pssMax: number | null;
  samples: number;
  processes: number;
  exited: boolean;
}

class TargetTally {
  readonly base = new Map<string, number>();
  readonly last = new Map<string, number>();
  rootStart: number | undefined;
  rssSum = 0;
  rssMax = 0;
  pssSum = 0;
  pssMax = 0;
  pssAll = true;
  samples = 0;
  processes = 0;
  exited = false;
  readonly target: ResourceTarget;

  constructor(target: ResourceTarget) {
    this.target = target;
  }

  sample(reader: ProcReader, children: () => ReadonlyMap<number, readonly number[]>, first: boolean): void {
    if (this.exited) return;
    const { pid, includeDescendants } = this.target;
    const root = reader.cpu(pid);
    const gone = root === undefined || root.state === 'Z' || root.state === 'X';
    if (gone || (!first && root.startTime !== this.rootStart)) {
      this.exited = true;
      return;
    }
    this.rootStart = root.startTime;
    let rss = 0;
    let pss: number | null = 0;
    const pids = includeDescendants ? descendantsOf(pid, children()) : [pid];
    for (const member of pids) {
      const cpu = member === pid ? root : reader.cpu(member);
      const memory = reader.memory(member);
      if (cpu === undefined || memory === undefined) {
        if (member !== pid) continue; // a descendant that just exited
        this.exited = true;
        return;
      }
      const key = `${member}:${cpu.startTime}`;
      // A process first seen after the window began was forked in it: its counter started at 0.
      if (first) this.base.set(key, cpu.ticks);
      this.last.set(key, cpu.ticks);
      rss += memory.rssBytes;
      pss = pss === null || memory.pssBytes === null ? null : pss + memory.pssBytes;
    }
    this.samples++;
    this.processes = Math.max(this.processes, pids.length);
    this.rssSum += rss;
    this.rssMax = Math.max(this.rssMax, rss);
    if (pss === null) this.pssAll = false;
    else {
      this.pssSum += pss;
      this.pssMax = Math.max(this.pssMax, pss);
    }
  }

  tally(): Tally {
    let cpuTicks = 0;
    for (const [key, ticks] of this.last) cpuTicks += Math.max(0, ticks - (this.base.get(key) ?? 0));
    const n = this.samples;
    const pss = this.pssAll && n > 0;
    return {
      target: this.target,
      cpuTicks,
      rssMean: n > 0 ? this.rssSum / n : 0,
      rssMax: this.rssMax,
      pssMean: pss ? this.pssSum / n : null,
      pssMax: pss ? this.pssMax : null,
      samples: n,
      processes: this.processes,
      exited: this.exited,
    };
  }
}

/**
 * One measuring window over all targets: the first sample is taken on construction, one per timer tick, the last
 * by finish(). CPU is differenced per process (pid + start time), so descendants forked during the window count
 * from zero and descendants that exit keep what was seen of them up to their last sample.
 */
export class Window {
  readonly #tallies: TargetTally[];
  readonly #reader: ProcReader;
  readonly #intervalMs: number;
  readonly #startedAt: number;
  #lastAt: number;
  #gaps = 0;

  constructor(targets: readonly ResourceTarget[], reader: ProcReader, intervalMs: number, now: number) {
    this.#tallies = targets.map((target) => new TargetTally(target));
    this.#reader = reader;
    this.#intervalMs = intervalMs;
    this.#startedAt = now;
    this.#lastAt = now;
    this.#sampleAll(true);
  }

  /** Takes one sample of every target at monotonic time `now` (ms), counting samples the timer missed. */
  sample(now: number): void {
    const late = now - this.#lastAt;
    if (late > 2 * this.#intervalMs) this.#gaps += Math.floor(late / this.#intervalMs) - 1;
    this.#lastAt = now;
    this.#sampleAll(false);
  }

  /** Takes the last sample at `now` (ms); returns the window length in ms, the gap count and one tally per target. */
  finish(now: number): { wallMs: number; gaps: number; tallies: Tally[] } {
    this.sample(now);
    return { wallMs: now - this.#startedAt, gaps: this.#gaps, tallies: this.#tallies.map((t) => t.tally()) };
  }

  #sampleAll(first: boolean): void {
    let children: ReadonlyMap<number, readonly number[]> | undefined;
    const lazyChildren = (): ReadonlyMap<number, readonly number[]> => (children ??= this.#reader.children());
    for (const tally of this.#tallies) tally.sample(this.#reader, lazyChildren, first);
  }
}
