import { afterEach, describe, expect, it } from 'vitest';
import { readMemory } from '../../../../src/runtimes/local/resources/procfs.ts';
import { ProcFixture } from './proc-fixture.ts';

let proc: ProcFixture | undefined;
afterEach(() => {
  proc?.cleanup();
  proc = undefined;
});

describe('reading memory from status and smaps_rollup', () => {
  it('gives RSS from VmRSS and PSS from smaps_rollup, in bytes', () => {
    proc = new ProcFixture();
    proc.add({ pid: 10, comm: 'echo', rssKb: 51200, pssKb: 40960 });
    expect(readMemory(10, proc.root)).toEqual({ rssBytes: 52_428_800, pssBytes: 41_943_040 });
  });

  it('gives PSS null when smaps_rollup is missing or unreadable', () => {
    proc = new ProcFixture();
    proc.add({ pid: 11, comm: 'proxy', rssKb: 1024 });
    expect(readMemory(11, proc.root)).toEqual({ rssBytes: 1_048_576, pssBytes: null });
  });

  it('gives RSS 0 for a process without VmRSS (a zombie)', () => {
    proc = new ProcFixture();
    proc.add({ pid: 12, comm: 'defunct', state: 'Z' });
    expect(readMemory(12, proc.root)).toEqual({ rssBytes: 0, pssBytes: null });
  });

  it('reads the current process from the real /proc, PSS included', () => {
    const memory = readMemory(process.pid);
    expect(memory?.rssBytes).toBeGreaterThan(0);
    expect(memory?.pssBytes).toBeGreaterThan(0);
    expect(memory!.pssBytes!).toBeLessThanOrEqual(memory!.rssBytes);
  });
});
