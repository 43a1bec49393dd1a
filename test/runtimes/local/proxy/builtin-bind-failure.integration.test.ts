import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildStartError } from '../../../../src/runtimes/local/child.ts';
import { Fixture, HOST } from './fixture.ts';

describe('builtin proxy start', () => {
  let fixture: Fixture | undefined;
  const holder = net.createServer();
  afterEach(async () => {
    await fixture?.close();
    await new Promise((resolve) => holder.close(resolve));
  });

  it('rejects with the reason from stderr when a listener cannot bind', async () => {
    fixture = await Fixture.create();
    await new Promise<void>((resolve) => holder.listen(0, HOST, resolve));
    const taken = (holder.address() as AddressInfo).port;
    const free = await fixture.endpoint();

    const start = fixture.proxy({
      name: 'node-a',
      listeners: [
        { name: 'first', mode: 'tcp', listen: free, upstream: { host: HOST, port: 9 } },
        { name: 'second', mode: 'http', listen: { host: HOST, port: taken }, upstream: { host: HOST, port: 9 } },
      ],
    });

    await expect(start).rejects.toBeInstanceOf(ChildStartError);
    await expect(start).rejects.toThrow(
      new RegExp(`builtin proxy node-a did not start: exited with code 1\\n` +
        `builtin proxy node-a: listener 'second' cannot listen on 127\\.0\\.0\\.1:${taken}: .*EADDRINUSE`),
    );
  });
});
