import { describe, expect, it } from 'vitest';
import { ResourceSampler } from '../../../../src/runtimes/local/resources/sampler.ts';
import { FakeProcs } from './fake-procs.ts';

const MB = 1024 * 1024;

describe('memory over a window', () => {
  it('is the mean and max of the samples, PSS when every sample has it, RSS otherwise', () => {
    const procs = new FakeProcs();
    procs.set(1, { rssBytes: 100 * MB, pssBytes: 80 * MB });
    procs.set(2, { rssBytes: 10 * MB, pssBytes: 8 * MB });
    const sampler = new ResourceSampler(
      [
        { pod: 'a', container: 'proxy', role: 'sidecar', pid: 1 },
        { pod: 'b', container: 'proxy', role: 'sidecar', pid: 2 },
      ],
      procs.options(),
    );
    sampler.start(); // sample 1 at 0 ms
    procs.set(1, { rssBytes: 120 * MB, pssBytes: 90 * MB });
    procs.set(2, { rssBytes: 30 * MB, pssBytes: null }); // smaps_rollup unreadable once
    procs.tickAt(250); // sample 2
    procs.set(1, { rssBytes: 110 * MB, pssBytes: 100 * MB });
    procs.set(2, { rssBytes: 20 * MB, pssBytes: 9 * MB });
    procs.time = 400;
    const [a, b] = sampler.stop(); // sample 3 at 400 ms
    expect(a).toMatchObject({ memoryKind: 'pss', memoryBytes: 90 * MB, memoryBytesMax: 100 * MB, samples: 3 });
    expect(b).toMatchObject({ memoryKind: 'rss', memoryBytes: 20 * MB, memoryBytesMax: 30 * MB, samples: 3 });
  });

  it('rounds the mean to whole bytes', () => {
    const procs = new FakeProcs();
    procs.set(1, { rssBytes: 1 });
    const sampler = new ResourceSampler([{ pod: 'a', container: 'c', role: 'app', pid: 1 }], procs.options());
    sampler.start();
    procs.set(1, { rssBytes: 2 });
    procs.tickAt(250);
    procs.tickAt(500);
    procs.time = 600;
    expect(sampler.stop()[0]).toMatchObject({ memoryKind: 'rss', memoryBytes: 2, memoryBytesMax: 2, samples: 4 });
  });
});
