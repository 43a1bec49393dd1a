import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceSampler } from '../../src/runtimes/local/resources/sampler.ts';

// Busy-loops 600 ms after reading a line on stdin, then idles; exits by itself after 5 s whatever happens.
const BUSY = `
setTimeout(() => process.exit(0), 5000);
process.stdin.once('data', () => { const end = Date.now() + 600; while (Date.now() < end); });
process.stdout.write('ready\\n');
`;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function started(command: string, args: string[]): Promise<ChildProcess & { pid: number }> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  children.push(child);
  await once(child, 'spawn');
  if (child.pid === undefined) throw new Error(`${command} did not start`);
  return child as ChildProcess & { pid: number };
}

describe('sampling real processes', () => {
  it('sees a 600 ms busy loop in a 1 s window, an idle sleep as idle, and real memory', async () => {
    const busy = await started(process.execPath, ['-e', BUSY]);
    await once(busy.stdout!, 'data'); // node has started up: its start-up CPU stays out of the window
    const idle = await started('sleep', ['2']);
    const sampler = new ResourceSampler([
      { pod: 'busy', container: 'node', role: 'app', pid: busy.pid },
      { pod: 'idle', container: 'sleep', role: 'app', pid: idle.pid },
      { pod: 'loadgen', container: 'meshtax', role: 'loadgen', pid: process.pid },
    ]);
    sampler.start();
    busy.stdin!.write('go\n');
    await delay(1000);
    const [busyRow, idleRow, self] = sampler.stop();

    expect(busyRow!.exited).toBe(false);
    expect(busyRow!.cpuCores).toBeGreaterThan(0.3);
    expect(busyRow!.cpuCores).toBeLessThan(1.2);
    expect(busyRow!.memoryBytes).toBeGreaterThan(0);
    expect(busyRow!.memoryBytesMax).toBeGreaterThanOrEqual(busyRow!.memoryBytes);
    expect(busyRow!.memoryKind).toBe('pss');
    expect(busyRow!.samples).toBeGreaterThanOrEqual(4);
    expect(idleRow!.exited).toBe(false);
    expect(idleRow!.cpuCores).toBeLessThan(0.05);
    expect(self!.memoryBytes).toBeGreaterThan(0);
    expect(self!.windowMs).toBeGreaterThanOrEqual(1000);
  });
});
