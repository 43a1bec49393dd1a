import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../../../src/runtimes/local/proxy/free-port.ts';
import { poll } from '../../../helpers/poll.ts';
import { Cleanup, requireHaproxy, tempDir } from './haproxy-helpers.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'start-haproxy.ts');
const cleanup = new Cleanup();

beforeAll(async () => {
  await requireHaproxy();
});
afterEach(() => cleanup.run());

/** `/proc/<pid>/stat` split after the command name: [state, ppid, …]; undefined once the pid is gone. */
function procStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Running, as opposed to gone or a zombie waiting for a reaper (PID 1 in a container may never reap it). */
function running(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat[0] !== 'Z';
}

it('HAProxy exits within 3 s when the process that started it is killed with SIGKILL', async () => {
  const dir = tempDir();
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort('127.0.0.1');
  const parent = execa(process.execPath, [FIXTURE, dir, String(port)], { reject: false, timeout: 30_000 });
  cleanup.add(async () => {
    parent.kill('SIGKILL');
    await parent;
  });
  const line = await new Promise<string>((resolve, reject) => {
    parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    void parent.then((result) => reject(new Error(`fixture exited: ${result.stderr}`)));
  });
  const { pid, stopsWithParent } = JSON.parse(line) as { pid: number; stopsWithParent: boolean };
  cleanup.add(() => {
    // Only if the test failed: never leave a HAProxy behind.
    if (running(pid)) process.kill(pid, 'SIGKILL');
  });
  expect(stopsWithParent).toBe(true);
  expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('haproxy');
  expect(procStat(pid)?.[1]).toBe(String(parent.pid));

  parent.kill('SIGKILL');
  await parent;
  await poll(() => running(pid), (alive) => !alive, 3000, 20);
  expect(running(pid)).toBe(false);
});
