import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  readCpuTicks, readMemory, readProcessTree, readStat,
} from '../../../../src/runtimes/local/resources/procfs.ts';
import { ProcFixture } from './proc-fixture.ts';

let proc: ProcFixture | undefined;
afterEach(() => {
  proc?.cleanup();
  proc = undefined;
});

describe('a process that has exited', () => {
  it('reads as undefined (or an empty tree), never as an error', () => {
    proc = new ProcFixture();
    proc.add({ pid: 20, comm: 'gone soon', rssKb: 10, pssKb: 5 });
    proc.remove(20);
    expect(readStat(20, proc.root)).toBeUndefined();
    expect(readCpuTicks(20, proc.root)).toBeUndefined();
    expect(readMemory(20, proc.root)).toBeUndefined();
    expect(readProcessTree(20, proc.root)).toEqual([]);
  });

  it('reads a real exited child as undefined', () => {
    const child = spawnSync('true');
    expect(child.pid).toBeGreaterThan(0);
    expect(readCpuTicks(child.pid)).toBeUndefined();
    expect(readMemory(child.pid)).toBeUndefined();
  });

  it('treats a garbled stat file as unreadable', () => {
    proc = new ProcFixture();
    proc.add({ pid: 21, comm: 'x' });
    writeFileSync(join(proc.root, '21', 'stat'), '21 (x');
    expect(readStat(21, proc.root)).toBeUndefined();
    expect(readCpuTicks(21, proc.root)).toBeUndefined();
  });
});
