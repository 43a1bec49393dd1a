import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../../src/runtimes/local/proxy/free-port.ts';
import type { HaproxyImplementation } from '../../../src/runtimes/local/proxy/haproxy.ts';
import type { Endpoint } from '../../../src/runtimes/local/proxy/types.ts';
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
  type CountingServer,
  type TestPki,
} from './helpers.ts';

let haproxy: HaproxyImplementation;
let dir: string;
let pki: TestPki;
let app: CountingServer;
let inbound: Endpoint;
const host = '127.0.0.1';
const shared = new Cleanup();
const cleanup = new Cleanup();

/** A server-side sidecar (mTLS in, plain out to the app) shared by the tests. */
beforeAll(async () => {
  haproxy = await requireHaproxy();
  dir = tempDir();
  shared.add(() => rmSync(dir, { recursive: true, force: true }));
  pki = await testPki(dir, ['client-sidecar', 'server-sidecar']);
  app = await startCountingServer();
  shared.add(() => app.close());
  inbound = { host, port: await freePort(host) };
  shared.child(
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
});
afterEach(() => cleanup.run());
afterAll(() => shared.run());

/** What a TLS client gets from the inbound listener: the start of an HTTP response, or the error that ended it. */
function tryRequest(options: tls.ConnectionOptions): Promise<{ response: string; error?: string }> {
  return new Promise((resolve) => {
    let response = '';
    const servername = `server-sidecar.${MODE}.meshtax.local`;
    const socket = tls.connect({ host, port: inbound.port, servername, ...options });
    socket.setTimeout(5000, () => socket.destroy(new Error('timed out')));
    socket.setEncoding('utf8');
    socket.on('secureConnect', () => socket.write('GET / HTTP/1.1\r\nhost: app\r\n\r\n'));
    socket.on('data', (chunk: string) => {
      response += chunk;
      if (response.includes('\r\n\r\n')) socket.end();
    });
    socket.on('error', (error) => resolve({ response, error: error.message }));
    socket.on('close', () => resolve({ response }));
  });
}

it('answers a client that presents a certificate from the run CA', async () => {
  const own = pki.identity('client-sidecar');
  const result = await tryRequest({
    ca: readFileSync(pki.caFile),
    cert: readFileSync(own.certFile),
    key: readFileSync(own.keyFile),
  });
  expect(result.response).toMatch(/^HTTP\/1\.1 200 /);
});

it('refuses a client without a certificate, before any request reaches the app', async () => {
  const before = app.requestsPerConnection().reduce((a, b) => a + b, 0);
  const result = await tryRequest({ ca: readFileSync(pki.caFile) });
  expect(result.response).toBe('');
  // TLS 1.3: the server rejects the missing certificate after the client's side of the handshake is done.
  expect(result.error).toMatch(/alert (certificate required|handshake failure)/);
  expect(app.requestsPerConnection().reduce((a, b) => a + b, 0)).toBe(before);
});

it('refuses a plain-text client', async () => {
  const agent = new http.Agent({ keepAlive: false });
  cleanup.add(() => agent.destroy());
  await expect(get(agent, inbound.port, 5000)).rejects.toThrow(/socket hang up|ECONNRESET/);
});

it('answers 503 (no server) when the upstream certificate does not carry the expected name', async () => {
  const outbound = { host, port: await freePort(host) };
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
            upstreamTls: clientTls(pki, 'client-sidecar', `someone-else.${MODE}.meshtax.local`),
          },
        ],
      },
      dir,
    ),
  );
  const before = app.requestsPerConnection().reduce((a, b) => a + b, 0);
  const agent = new http.Agent({ keepAlive: false });
  cleanup.add(() => agent.destroy());
  // HAProxy retries the handshake (3 retries, 1 s apart) before it gives up with 503.
  const reply = await get(agent, outbound.port, 15_000);
  expect(reply.status).toBe(503);
  expect(app.requestsPerConnection().reduce((a, b) => a + b, 0)).toBe(before);
});
