import { rmSync } from 'node:fs';
import http from 'node:http';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../../src/runtimes/local/proxy/free-port.ts';
import type { HaproxyImplementation } from '../../../src/runtimes/local/proxy/haproxy.ts';
import {
  Cleanup,
  MODE,
  clientTls,
  get,
  requireHaproxy,
  serverTls,
  startCountingServer,
  tempDir,
  testPki,
} from './helpers.ts';

let haproxy: HaproxyImplementation;
const cleanup = new Cleanup();

beforeAll(async () => {
  haproxy = await requireHaproxy();
});
afterEach(() => cleanup.run());

it('carries 200 keep-alive requests over an mTLS sidecar pair on at most 2 upstream connections', async () => {
  const dir = tempDir();
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  const pki = await testPki(dir, ['client-sidecar', 'server-sidecar']);
  const app = await startCountingServer();
  cleanup.add(() => app.close());
  const host = '127.0.0.1';
  const outbound = { host, port: await freePort(host) };
  const inbound = { host, port: await freePort(host) };

  // Server side first: mTLS in, plain out to the app.
  cleanup.child(
    await haproxy.start(
      {
        name: 'server-sidecar',
        listeners: [
          {
            name: 'inbound',
            mode: 'http',
            listen: inbound,
            tls: serverTls(pki, 'server-sidecar'),
            upstream: { host, port: app.port },
          },
        ],
      },
      dir,
    ),
  );
  // Client side: plain in from the app's client, mTLS out to the server side, verifying its name.
  const serverName = `server-sidecar.${MODE}.meshtax.local`;
  cleanup.child(
    await haproxy.start(
      {
        name: 'client-sidecar',
        listeners: [
          {
            name: 'outbound',
            mode: 'http',
            listen: outbound,
            upstream: inbound,
            upstreamTls: clientTls(pki, 'client-sidecar', serverName),
          },
        ],
      },
      dir,
    ),
  );

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  cleanup.add(() => agent.destroy());
  const statuses = new Map<number, number>();
  for (let i = 0; i < 200; i++) {
    const reply = await get(agent, outbound.port);
    expect(reply.body).toBe('hello');
    statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
  }
  expect(Object.fromEntries(statuses)).toEqual({ 200: 200 });
  expect(app.requestsPerConnection().reduce((a, b) => a + b, 0)).toBe(200);
  expect(app.connections()).toBeGreaterThanOrEqual(1);
  expect(app.connections()).toBeLessThanOrEqual(2);
});
