import { describe, expect, it } from 'vitest';
import { ResourceSampler } from '../../../../src/runtimes/local/resources/sampler.ts';
import { FakeProcs } from './fake-procs.ts';

describe('sampling gaps', () => {
  it('counts samples missed when the timer ran more than twice its interval late', () => {
    const procs = new FakeProcs();
    procs.set(1, { rssBytes: 1 });
    const sampler = new ResourceSampler([{ pod: 'p', container: 'c', role: 'app', pid: 1 }], procs.options());
    sampler.start();
    procs.tickAt(250);
    procs.tickAt(740); // 490 ms late-ish: under 2 × 250, not a gap
    procs.tickAt(1500); // 760 ms: 2 samples missed
    procs.tickAt(1750);
    procs.time = 2900; // stop 1150 ms after the last tick: 3 more missed
    const [row] = sampler.stop();
    expect(row).toMatchObject({ samples: 6, gaps: 5 });
  });

  it('is zero when the timer keeps time', () => {
    const procs = new FakeProcs();
    procs.set(1, { rssBytes: 1 });
    const sampler = new ResourceSampler([{ pod: 'p', container: 'c', role: 'app', pid: 1 }], procs.options());
    sampler.start();
    for (let t = 250; t <= 1000; t += 250) procs.tickAt(t);
    procs.time = 1100;
    expect(sampler.stop()[0]).toMatchObject({ samples: 6, gaps: 0 });
  });
});
