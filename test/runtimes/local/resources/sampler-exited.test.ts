import { describe, expect, it } from 'vitest';
import { ResourceSampler } from '../../../../src/runtimes/local/resources/sampler.ts';
import { FakeProcs } from './fake-procs.ts';

const target = (pid: number) => ({ pod: `pod-${pid}`, container: 'c', role: 'app' as const, pid });

describe('a target that exits during the window', () => {
  it('gets a row with what was measured up to its last sample, flagged exited', () => {
    const procs = new FakeProcs();
    for (const pid of [1, 2, 3, 4]) procs.set(pid, { ticks: 1000, rssBytes: 100, startTime: 7 });
    const sampler = new ResourceSampler([1, 2, 3, 4, 5].map(target), procs.options());
    sampler.start();
    for (const pid of [1, 2, 3]) procs.set(pid, { ticks: 1050, rssBytes: 300 });
    procs.tickAt(250);
    procs.table.delete(1); // gone
    procs.set(2, { ticks: 3, startTime: 99 }); // pid reused by another process
    procs.set(3, { state: 'Z' }); // zombie, not yet reaped
    procs.time = 1000;
    const rows = sampler.stop();
    expect(rows.map((r) => [r.pid, r.exited, r.cpuCores, r.memoryBytes, r.samples])).toEqual([
      [1, true, 0.5, 200, 2],
      [2, true, 0.5, 200, 2],
      [3, true, 0.5, 200, 2],
      [4, false, 0, 100, 3],
      [5, true, 0, 0, 0], // never there
    ]);
  });
});
