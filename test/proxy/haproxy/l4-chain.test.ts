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

it('tunnels a keep-alive connection through two node proxies with mTLS between them', async () => {
  const dir = tempDir();
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  const pki = await testPki(dir, ['node-a', 'node-b']);
  const app = await startCountingServer();
  cleanup.add(() => app.close());
  const host = '127.0.0.1';
  const nodeA = { host, port: await freePort(host) };
  const nodeB = { host, port: await freePort(host) };
  cleanup.child(
    await haproxy.start(
      {
        name: 'node-b',
        listeners: [
          {
            name: 'inbound',
            mode: 'tcp',
            listen: nodeB,
            tls: serverTls(pki, 'node-b'),
            upstream: { host, port: app.port },
          },
        ],
      },
      dir,
    ),
  );
  cleanup.child(
    await haproxy.start(
      {
        name: 'node-a',
        listeners: [
          {
            name: 'outbound',
            mode: 'tcp',
            listen: nodeA,
            upstream: nodeB,
            upstreamTls: clientTls(pki, 'node-a', `node-b.${MODE}.meshtax.local`),
          },
        ],
      },
      dir,
    ),
  );

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  cleanup.add(() => agent.destroy());
  for (let i = 0; i < 100; i++) {
    expect(await get(agent, nodeA.port)).toEqual({ status: 200, body: 'hello' });
  }
  // L4: the client's one connection is one tunnel end to end, so one app connection served every request.
  // (Readiness probes of the proxies may have opened and closed others without a request.)
  expect(Math.max(...app.requestsPerConnection())).toBe(100);
});
