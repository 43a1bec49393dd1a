import { describe, expect, it } from 'vitest';
import { ResourceSampler } from '../../../../src/runtimes/local/resources/sampler.ts';
import { FakeProcs } from './fake-procs.ts';

describe('a target with descendants (HAProxy master and workers)', () => {
  it('sums the tree, counts forked workers from zero, keeps exited workers up to their last sample', () => {
    const procs = new FakeProcs();
    procs.set(100, { ppid: 1, ticks: 10, rssBytes: 1000, pssBytes: 500 }); // master
    procs.set(101, { ppid: 100, ticks: 400, rssBytes: 5000, pssBytes: 3000 }); // worker
    procs.set(200, { ppid: 1, ticks: 0, rssBytes: 7000, pssBytes: 7000 }); // unrelated
    const sampler = new ResourceSampler(
      [
        { pod: 'lb', container: 'haproxy', role: 'node-proxy', pid: 100, includeDescendants: true },
        { pod: 'lb', container: 'master-only', role: 'node-proxy', pid: 100 },
      ],
      procs.options(),
    );
    sampler.start(); // tree: 100 + 101 → pss 3500
    procs.set(101, { ticks: 450 }); // +50 before exiting
    procs.set(102, { ppid: 100, ticks: 30, rssBytes: 4000, pssBytes: 2500, startTime: 2000 }); // forked: +30
    procs.tickAt(250); // tree: 100 + 101 + 102 → pss 6000
    procs.table.delete(101);
    procs.set(102, { ticks: 80 }); // +50 more
    procs.set(100, { ticks: 20 }); // master +10
    procs.time = 1000; // tree: 100 + 102 → pss 3000
    const [tree, master] = sampler.stop();
    // 50 + 80 + 10 = 140 ticks over 1 s
    expect(tree).toMatchObject({ cpuCores: 1.4, processes: 3, memoryKind: 'pss', memoryBytes: 4167 });
    expect(tree?.memoryBytesMax).toBe(6000);
    expect(tree?.exited).toBe(false);
    expect(master).toMatchObject({ cpuCores: 0.1, processes: 1, memoryBytes: 500, exited: false });
  });
});
