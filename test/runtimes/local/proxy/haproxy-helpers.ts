import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { StartedChild } from '../../../../src/runtimes/local/child.ts';
import { detectHaproxy, type HaproxyImplementation } from '../../../../src/runtimes/local/proxy/haproxy.ts';

/**
 * HAProxy as installed here. These tests never skip: CI installs HAProxy, and a missing one is a broken
 * environment, not a reason to pass.
 */
export async function requireHaproxy(): Promise<HaproxyImplementation> {
  const haproxy = await detectHaproxy();
  if (!haproxy) {
    throw new Error(
      'HAProxy is not installed (no haproxy on the PATH, in /usr/sbin or /usr/local/sbin): ' +
        'apt-get install haproxy. CI installs it; these tests do not skip without it.',
    );
  }
  return haproxy;
}

/** `haproxy -dW -c -f <file>`: a configuration check that also fails on any warning. */
export async function checkConfig(
  haproxy: HaproxyImplementation,
  text: string,
): Promise<{ ok: boolean; output: string }> {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'check.cfg');
    writeFileSync(file, text, { mode: 0o600 });
    const result = await execa(haproxy.command, ['-dW', '-c', '-f', file], { reject: false, all: true });
    return { ok: result.exitCode === 0, output: result.all };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh 0700 directory, removed by the caller. */
export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'meshtax-haproxy-test-'));
}

/** Children and servers a test started, stopped afterwards whatever happened. */
export class Cleanup {
  private readonly tasks: (() => Promise<void> | void)[] = [];

  child(child: StartedChild): StartedChild {
    this.tasks.push(() => child.stop());
    return child;
  }

  add(task: () => Promise<void> | void): void {
    this.tasks.push(task);
  }

  async run(): Promise<void> {
    for (const task of this.tasks.splice(0).reverse()) await task();
  }
}
