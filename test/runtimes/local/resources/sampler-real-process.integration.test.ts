import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceSampler } from '../../../../src/runtimes/local/resources/sampler.ts';

// After a line on stdin, spends 400 ms of its own CPU time (however long a busy machine makes that take), says how
// much it spent by its own account, then idles; exits by itself after 60 s whatever happens.
const BUSY = `
setTimeout(() => process.exit(0), 60000);
process.stdin.once('data', () => {
  const from = process.cpuUsage();
  let spent = 0;
  while (spent < 400000) { const used = process.cpuUsage(from); spent = used.user + used.system; }
  process.stdout.write('spent ' + spent + '\\n');
});
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
  it('sees the CPU time a busy process spent by its own account, an idle sleep as idle, and real memory', async () => {
    const busy = await started(process.execPath, ['-e', BUSY]);
    await once(busy.stdout!, 'data'); // node has started up: its start-up CPU stays out of the window
    const idle = await started('sleep', ['60']);
    const sampler = new ResourceSampler([
      { pod: 'busy', container: 'node', role: 'app', pid: busy.pid },
      { pod: 'idle', container: 'sleep', role: 'app', pid: idle.pid },
      { pod: 'loadgen', container: 'meshtax', role: 'loadgen', pid: process.pid },
    ]);
    sampler.start();
    const spent = once(busy.stdout!, 'data').then(([chunk]) => Number(/^spent (\d+)/.exec(String(chunk))?.[1]) / 1e6);
    busy.stdin!.write('go\n');
    const [spentS] = await Promise.all([spent, delay(1000)]);
    const [busyRow, idleRow, self] = sampler.stop();

    expect(busyRow!.exited).toBe(false);
    // The window held all of it: what /proc says the process used equals what it says it spent, give or take a
    // clock tick at either end (10 ms) and the little it does besides (start-up is before the window).
    expect(spentS).toBeGreaterThanOrEqual(0.4);
    const busyCpuS = (busyRow!.cpuCores * busyRow!.windowMs) / 1000;
    expect(busyCpuS).toBeGreaterThan(spentS - 0.03);
    expect(busyCpuS).toBeLessThan(spentS + 0.15);
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
