import { afterEach, describe, expect, it } from 'vitest';
import { readCpuTicks, readStat } from '../../../../src/runtimes/local/resources/procfs.ts';
import { ProcFixture } from './proc-fixture.ts';

let proc: ProcFixture | undefined;
afterEach(() => {
  proc?.cleanup();
  proc = undefined;
});

describe('reading CPU ticks from /proc/<pid>/stat', () => {
  it('counts fields from the last ")" so command names with spaces and parentheses parse', () => {
    proc = new ProcFixture();
    const fields = { ppid: 7, utime: 1234, stime: 56, cutime: 900, cstime: 80, startTime: 31337 };
    proc.add({ pid: 42, comm: 'my proc) x', ...fields }); // the stat line reads "42 (my proc) x) S 7 …"
    proc.add({ pid: 43, comm: ') (R 1 2 3)', utime: 5, stime: 6 });
    proc.add({ pid: 44, comm: 'haproxy', state: 'R', utime: 0, stime: 0 });

    expect(readStat(42, proc.root)).toEqual({ pid: 42, comm: 'my proc) x', state: 'S', ...fields });
    // utime + stime only: reaped children's cutime/cstime are left out.
    expect(readCpuTicks(42, proc.root)).toBe(1290);
    expect(readStat(43, proc.root)?.comm).toBe(') (R 1 2 3)');
    expect(readCpuTicks(43, proc.root)).toBe(11);
    expect(readCpuTicks(44, proc.root)).toBe(0);
  });

  it('reads the current process from the real /proc', () => {
    const stat = readStat(process.pid);
    expect(stat?.pid).toBe(process.pid);
    expect(stat?.ppid).toBe(process.ppid);
    expect(readCpuTicks(process.pid)).toBeGreaterThanOrEqual(0);
  });
});
