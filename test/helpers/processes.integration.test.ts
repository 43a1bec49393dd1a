import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStat, scopePids } from './processes.ts';

describe('the processes a test started', () => {
  const started: number[] = [];
  afterEach(() => {
    for (const pid of started.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('reads pid, ppid and session from /proc/<pid>/stat, whatever the command name holds', () => {
    expect(parseStat('4242 (haproxy (x) y) S 17 4242 4200 0 -1 4194560 0 0')).toEqual({ pid: 4242, ppid: 17, session: 4200 });
    expect(parseStat('garbage')).toBeUndefined();
  });

  it('finds a process orphaned by the session leader it belonged to, and nothing outside that session', async () => {
    // A detached shell leads its own session, starts a sleep in the background and exits: the sleep is re-parented.
    const shell = spawn('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let printed = '';
    shell.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    await once(shell, 'close');
    const orphan = Number(printed.trim());
    started.push(orphan);
    expect(scopePids({ session: shell.pid! })).toEqual([orphan]);
    expect(scopePids({ descendantsOf: process.pid })).not.toContain(orphan);
  });

  it('finds the children of this process, and not another session\'s', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await once(child, 'spawn');
    started.push(child.pid!);
    expect(scopePids({ descendantsOf: process.pid })).toContain(child.pid);
    expect(scopePids({ session: child.pid! })).toEqual([]);
  });
});
