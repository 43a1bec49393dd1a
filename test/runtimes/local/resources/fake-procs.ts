import type { MemoryReading } from '../../../../src/runtimes/local/resources/procfs.ts';
import type { CpuReading, ProcReader, SamplerOptions } from '../../../../src/runtimes/local/resources/sampler.ts';

interface FakeProcess {
  ppid: number;
  ticks: number;
  startTime: number;
  state: string;
  rssBytes: number;
  pssBytes: number | null;
}

/** An in-memory process table with a manual clock and timer: everything a ResourceSampler reads, made exact. */
export class FakeProcs implements ProcReader {
  readonly table = new Map<number, FakeProcess>();
  time = 0;
  #tick: (() => void) | undefined;

  set(pid: number, fields: Partial<FakeProcess>): void {
    const old = this.table.get(pid) ?? { ppid: 1, ticks: 0, startTime: 1000, state: 'S', rssBytes: 0, pssBytes: null };
    this.table.set(pid, { ...old, ...fields });
  }

  cpu(pid: number): CpuReading | undefined {
    const p = this.table.get(pid);
    return p && { ticks: p.ticks, startTime: p.startTime, state: p.state };
  }

  memory(pid: number): MemoryReading | undefined {
    const p = this.table.get(pid);
    return p && { rssBytes: p.rssBytes, pssBytes: p.pssBytes };
  }

  children(): ReadonlyMap<number, readonly number[]> {
    const children = new Map<number, number[]>();
    for (const [pid, p] of this.table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
    return children;
  }

  /** Moves the clock to `ms` and fires the sampling timer there. */
  tickAt(ms: number): void {
    this.time = ms;
    this.#tick?.();
  }

  /** Sampler options wired to this table: 100 ticks/s, 250 ms interval, clock and timer under test control. */
  options(): SamplerOptions {
    return {
      reader: this,
      ticksPerSecond: 100,
      intervalMs: 250,
      now: () => this.time,
      every: (_ms, tick) => {
        this.#tick = tick;
        return () => {
          this.#tick = undefined;
        };
      },
      sleep: async (ms) => {
        this.time += ms;
      },
    };
  }
}
