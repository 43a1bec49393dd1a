import { rmSync } from 'node:fs';
import net from 'node:net';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { ChildStartError } from '../../../../src/runtimes/local/child.ts';
import { freePort } from '../../../../src/runtimes/local/proxy/free-port.ts';
import type { HaproxyImplementation } from '../../../../src/runtimes/local/proxy/haproxy.ts';
import { Cleanup, requireHaproxy, tempDir } from './haproxy-helpers.ts';

let haproxy: HaproxyImplementation;
const cleanup = new Cleanup();
const host = '127.0.0.1';

beforeAll(async () => {
  haproxy = await requireHaproxy();
});
afterEach(() => cleanup.run());

function workDir(): string {
  const dir = tempDir();
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

it('rejects with HAProxy’s reason when the port is taken, although the port accepts connections', async () => {
  const squatter = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => squatter.listen({ port: 0, host, exclusive: true }, resolve));
  cleanup.add(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
  const port = (squatter.address() as net.AddressInfo).port;
  const start = haproxy.start(
    {
      name: 'client-sidecar',
      listeners: [
        { name: 'outbound', mode: 'http', listen: { host, port }, upstream: { host, port: await freePort(host) } },
      ],
    },
    workDir(),
  );
  const error = await start.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ChildStartError);
  expect((error as Error).message).toMatch(/^haproxy client-sidecar did not start: exited with code 1\n/);
  expect((error as Error).message).toContain(
    `frontend outbound: cannot bind socket (Address already in use) for [${host}:${port}]`,
  );
});

it('rejects with HAProxy’s reason when a certificate cannot be loaded', async () => {
  const dir = workDir();
  const missing = `${dir}/missing.pem`;
  const start = haproxy.start(
    {
      name: 'server-sidecar',
      listeners: [
        {
          name: 'inbound',
          mode: 'http',
          listen: { host, port: await freePort(host) },
          tls: { certFile: missing, keyFile: missing, bundleFile: missing, caFile: missing },
          upstream: { host, port: await freePort(host) },
        },
      ],
    },
    dir,
  );
  await expect(start).rejects.toThrow(
    /did not start: exited with code 1\n[^]*unable to stat SSL certificate from file '[^']*missing.pem' : No such file/,
  );
});

it('stops a starting HAProxy when the caller aborts', async () => {
  const controller = new AbortController();
  controller.abort();
  const start = haproxy.start(
    {
      name: 'waypoint',
      listeners: [
        { name: 'inbound', mode: 'tcp', listen: { host, port: await freePort(host) }, upstream: { host, port: 9 } },
      ],
    },
    workDir(),
    controller.signal,
  );
  await expect(start).rejects.toThrow(/haproxy waypoint did not start: interrupted/);
});
