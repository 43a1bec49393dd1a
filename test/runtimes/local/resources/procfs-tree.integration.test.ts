import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { readProcessTree } from '../../../../src/runtimes/local/resources/procfs.ts';
import { ProcFixture } from './proc-fixture.ts';

let proc: ProcFixture | undefined;
afterEach(() => {
  proc?.cleanup();
  proc = undefined;
});

describe('process trees by parent pid', () => {
  it('lists a process and all its descendants, breadth first', () => {
    proc = new ProcFixture();
    proc.add({ pid: 1, comm: 'init', ppid: 0 });
    proc.add({ pid: 100, comm: 'haproxy', ppid: 1 });
    proc.add({ pid: 101, comm: 'haproxy', ppid: 100 });
    proc.add({ pid: 102, comm: 'haproxy', ppid: 100 });
    proc.add({ pid: 150, comm: 'helper (x)', ppid: 101 });
    proc.add({ pid: 200, comm: 'echo', ppid: 1 });
    expect(readProcessTree(100, proc.root)).toEqual([100, 101, 102, 150]);
    expect(readProcessTree(200, proc.root)).toEqual([200]);
    expect(readProcessTree(999, proc.root)).toEqual([]);
  });

  it('finds the real children of the current process', async () => {
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(readProcessTree(process.pid)).toContain(child.pid);
    } finally {
      child.kill();
    }
  });
});
