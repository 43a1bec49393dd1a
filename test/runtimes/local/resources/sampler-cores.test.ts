import { describe, expect, it } from 'vitest';
import { ResourceSampler } from '../../../../src/runtimes/local/resources/sampler.ts';
import { FakeProcs } from './fake-procs.ts';

describe('CPU cores over a window', () => {
  it('differences tick counters over the monotonic window and rounds to 4 decimals', () => {
    const procs = new FakeProcs();
    procs.set(10, { ticks: 1000, rssBytes: 1 });
    procs.set(20, { ticks: 50, rssBytes: 1 });
    procs.set(30, { ticks: 7, rssBytes: 1 });
    procs.time = 5000;
    const sampler = new ResourceSampler(
      [
        { pod: 'client', container: 'proxy', role: 'sidecar', pid: 10 },
        { pod: 'server', container: 'echo', role: 'app', pid: 20 },
        { pod: 'loadgen', container: 'meshtax', role: 'loadgen', pid: 30 },
      ],
      procs.options(),
    );
    sampler.start();
    procs.set(10, { ticks: 1300 }); // 300 ticks = 3 CPU seconds
    procs.set(20, { ticks: 250 }); // 200 ticks = 2 CPU seconds
    procs.time = 11_000; // 6 s later
    const rows = sampler.stop();
    expect(rows.map((r) => [r.pod, r.container, r.role, r.cpuCores, r.windowMs])).toEqual([
      ['client', 'proxy', 'sidecar', 0.5, 6000],
      ['server', 'echo', 'app', 0.3333, 6000],
      ['loadgen', 'meshtax', 'loadgen', 0, 6000],
    ]);
    expect(rows.every((r) => r.source === 'procfs' && !r.exited && r.idleCpuCores === null)).toBe(true);
  });

  it('uses the clock tick rate it is given', () => {
    const procs = new FakeProcs();
    procs.set(10, { ticks: 0 });
    const sampler = new ResourceSampler([{ pod: 'p', container: 'c', role: 'app', pid: 10 }], {
      ...procs.options(),
      ticksPerSecond: 250,
    });
    sampler.start();
    procs.set(10, { ticks: 125 });
    procs.time = 1000;
    expect(sampler.stop()[0]?.cpuCores).toBe(0.5);
  });
});
