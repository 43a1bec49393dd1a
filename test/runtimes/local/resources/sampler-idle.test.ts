import { describe, expect, it } from 'vitest';
import { ResourceSampler } from '../../../../src/runtimes/local/resources/sampler.ts';
import { FakeProcs } from './fake-procs.ts';

const target = { pod: 'server', container: 'echo', role: 'app' as const, pid: 5 };

describe('idle level before load', () => {
  it('is kept per target and reported beside the window', async () => {
    const procs = new FakeProcs();
    procs.set(5, { ticks: 500, rssBytes: 4000, pssBytes: 3000 });
    const sampler = new ResourceSampler([target], procs.options());
    await sampler.measureIdle(2000); // the fake sleep moves the clock 2 s; no ticks spent: 0 idle cores
    procs.set(5, { ticks: 510 }); // spent between idle and window: in neither
    sampler.start();
    procs.set(5, { ticks: 610, rssBytes: 9000, pssBytes: 7000 });
    procs.time = 3000;
    const [row] = sampler.stop();
    expect(row).toMatchObject({
      cpuCores: 1, idleCpuCores: 0, memoryKind: 'pss', memoryBytes: 5000, idleMemoryBytes: 3000,
    });
  });

  it('measures idle CPU from the ticks spent during the idle interval', async () => {
    const procs = new FakeProcs();
    procs.set(5, { ticks: 500, rssBytes: 4000 });
    const options = procs.options();
    const sampler = new ResourceSampler([target], {
      ...options,
      sleep: async (ms) => {
        procs.set(5, { ticks: 505 });
        procs.time += ms;
      },
    });
    await sampler.measureIdle(1000);
    sampler.start();
    procs.time += 1000;
    expect(sampler.stop()[0]).toMatchObject({ idleCpuCores: 0.05, idleMemoryBytes: 4000, memoryKind: 'rss' });
  });

  it('falls back to RSS for window and idle alike when the idle interval had no PSS', async () => {
    const procs = new FakeProcs();
    procs.set(5, { rssBytes: 4000, pssBytes: null });
    const sampler = new ResourceSampler([target], procs.options());
    await sampler.measureIdle(500);
    procs.set(5, { rssBytes: 6000, pssBytes: 5000 });
    sampler.start();
    procs.time += 500;
    expect(sampler.stop()[0]).toMatchObject({ memoryKind: 'rss', memoryBytes: 6000, idleMemoryBytes: 4000 });
  });

  it('keeps no idle level when aborted, and can measure again', async () => {
    const procs = new FakeProcs();
    procs.set(5, { rssBytes: 4000 });
    const controller = new AbortController();
    const sampler = new ResourceSampler([target], {
      ...procs.options(),
      sleep: async () => {
        controller.abort();
        throw new Error('aborted');
      },
    });
    await expect(sampler.measureIdle(1000, controller.signal)).rejects.toThrow('aborted');
    await expect(sampler.measureIdle(1000, controller.signal)).rejects.toThrow(/abort/i);
    sampler.start();
    procs.time += 100;
    expect(sampler.stop()[0]).toMatchObject({ idleCpuCores: null, idleMemoryBytes: null });
  });
});
