import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { script } from '../../../../src/runtimes/local/scripts.ts';
import type { ProxySpec } from '../../../../src/runtimes/local/proxy/types.ts';
import { Fixture, HOST } from './fixture.ts';

describe('builtin proxy process', () => {
  let fixture: Fixture | undefined;
  afterEach(async () => fixture?.close());

  it('exits when its stdin closes, so it never outlives meshtax', async () => {
    fixture = await Fixture.create();
    const spec: ProxySpec = {
      name: 'orphan',
      listeners: [{ name: 'l4', mode: 'tcp', listen: await fixture.endpoint(), upstream: { host: HOST, port: 9 } }],
    };
    const specFile = path.join(fixture.dir, 'orphan.json');
    await writeFile(specFile, JSON.stringify(spec));
    const child = spawn(process.execPath, [script('proxy/builtin-proxy'), '--spec', specFile], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      expect(JSON.parse(line)).toEqual({ ready: true });

      // Up and serving until then; closing its stdin is all that happens to it (the test's timeout bounds the wait).
      expect(child.exitCode).toBeNull();
      child.stdin.end();
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
