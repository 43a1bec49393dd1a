import { readFileSync } from 'node:fs';
import type http from 'node:http';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtinProxy } from '../../../../src/runtimes/local/proxy/builtin.ts';
import type { ProxyImplementation } from '../../../../src/runtimes/local/proxy/implementation.ts';
import type { Endpoint, Listener } from '../../../../src/runtimes/local/proxy/types.ts';
import type { StartedChild } from '../../../../src/runtimes/local/child.ts';
import { poll } from '../../../helpers/poll.ts';
import { BIG_BODY, clientTls, echoHandler, fetchOnce, Fixture, get, helloHandler, serverTls, sha256, type Reply } from './fixture.ts';
import { requireHaproxy } from './haproxy-helpers.ts';

/** How one proxy implementation keeps the contract, where the two may differ in the details. */
interface ProxyUnderTest {
  name: string;
  implementation(): Promise<ProxyImplementation>;
  /**
   * Whether the readiness probe of a tcp-mode proxy in front reaches the app as a connection without a request:
   * HAProxy in tcp mode connects upstream the moment it accepts; the built-in proxy opens no upstream connection for
   * a client that has sent nothing.
   */
  probesReachApp: boolean;
  /** The Via header after two L7 proxies: as the app sees it, and as the client gets it back. */
  via: { seen: string; returned: string | undefined };
  /** The error a TLS client without a certificate gets from an mTLS listener. */
  noCertificate: RegExp;
  /** The status a client gets when its outbound proxy refuses the upstream's certificate. */
  refusedUpstreamStatus: number;
  /** How long the client waits for that status (HAProxy retries the handshake 3 times, 1 s apart, first). */
  refusedUpstreamWaitMs: number;
  /** What the proxy says on stderr about a refusal, where it says anything (HAProxy logs nowhere). */
  explains?: {
    refusedClient(stderr: string): void;
    refusedUpstream(reply: Reply, stderr: string): void;
  };
}

const PROXIES: ProxyUnderTest[] = [
  {
    name: 'HAProxy',
    implementation: requireHaproxy,
    probesReachApp: true,
    via: { seen: '', returned: undefined },
    noCertificate: /alert (certificate required|handshake failure)/,
    refusedUpstreamStatus: 503,
    refusedUpstreamWaitMs: 15_000,
  },
  {
    name: 'built-in proxy',
    implementation: () => Promise.resolve(builtinProxy),
    probesReachApp: false,
    via: { seen: '1.1 meshtax-builtin, 1.1 meshtax-builtin', returned: '1.1 meshtax-builtin, 1.1 meshtax-builtin' },
    noCertificate: /certificate required|ECONNRESET|socket hang up/i,
    refusedUpstreamStatus: 502,
    refusedUpstreamWaitMs: 10_000,
    explains: {
      refusedClient(stderr) {
        expect(stderr).toMatch(/listener 'inbound': rejected a client: .*(certificate|PEER_DID_NOT_RETURN)/i);
      },
      refusedUpstream(reply, stderr) {
        expect(reply.body.toString()).toMatch(/^bad gateway: upstream 127\.0\.0\.1:\d+: ERR_TLS_CERT_ALTNAME_INVALID /);
        expect(reply.body.toString()).toContain('client-sidecar.test.meshtax.local');
        expect(stderr).toContain("builtin proxy client-sidecar: listener 'outbound': upstream 127.0.0.1:");
        expect(stderr).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
      },
    },
  },
];

/** What a TLS client gets from an mTLS listener: the start of an HTTP response, or the error that ended it. */
function tryRequest(endpoint: Endpoint, servername: string, options: tls.ConnectionOptions): Promise<{ response: string; error?: string }> {
  return new Promise((resolve) => {
    let response = '';
    const socket = tls.connect({ host: endpoint.host, port: endpoint.port, servername, ...options });
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

/** Waits until the proxy's stderr mentions `text` (it writes after the client has its answer), and returns it. */
function stderrWith(proxy: StartedChild, text: string): Promise<string> {
  return poll(() => proxy.stderrTail(), (tail) => tail.includes(text), 3000, 20);
}

describe.each(PROXIES)('$name keeps the local proxy contract', (proxyUnderTest) => {
  let implementation: ProxyImplementation;
  let fixture: Fixture;
  beforeAll(async () => {
    implementation = await proxyUnderTest.implementation();
  });
  afterEach(async () => fixture.close());

  /** The app behind the proxy `second` (mTLS in, plain out), with a PKI that also holds `first`. */
  async function serverSide(mode: Listener['mode'], names: readonly [string, string], handler: http.RequestListener = echoHandler) {
    fixture = await Fixture.create(implementation);
    const [first, second] = names;
    const pki = await fixture.pki([first, second]);
    const app = await fixture.server(handler);
    const inbound = await fixture.endpoint();
    const secondProxy = await fixture.proxy({
      name: second,
      listeners: [{ name: 'inbound', mode, listen: inbound, tls: serverTls(pki, second), upstream: app.endpoint }],
    });
    return { pki, app, inbound, secondProxy };
  }

  /** Two proxies in a row with mTLS between them: `first` (plain in, mTLS out) in front of the server side. */
  async function chain(
    mode: Listener['mode'],
    names: readonly [string, string],
    options: { handler?: http.RequestListener; upstreamName?: string } = {},
  ) {
    const side = await serverSide(mode, names, options.handler);
    const [first, second] = names;
    const outbound = await fixture.endpoint();
    const serverName = options.upstreamName ?? side.pki.identity(second).dnsName;
    const firstProxy = await fixture.proxy({
      name: first,
      listeners: [
        { name: 'outbound', mode, listen: outbound, upstream: side.inbound, upstreamTls: clientTls(side.pki, first, serverName) },
      ],
    });
    return { ...side, outbound, firstProxy };
  }

  describe('L4: a tcp tunnel through two node proxies with mTLS between them', () => {
    it('copies bytes both ways, one upstream connection per downstream connection', async () => {
      const { app, outbound } = await chain('tcp', ['node-a', 'node-b']);
      const agent = fixture.agent();
      for (let i = 0; i < 20; i++) {
        const reply = await fetchOnce(outbound, { agent, method: 'POST', body: Buffer.from(`request ${i}`) });
        expect(reply.status).toBe(200);
        expect(reply.body.toString()).toBe(`request ${i}`);
        // L4: nothing is added to the HTTP messages.
        expect(reply.headers.via).toBeUndefined();
        expect(reply.headers['x-seen-via']).toBe('');
      }
      const upload = await fetchOnce(outbound, { agent, method: 'POST', body: BIG_BODY });
      expect(sha256(upload.body)).toBe(sha256(BIG_BODY));
      const download = await fetchOnce(outbound, { agent, path: '/big' });
      expect(sha256(download.body)).toBe(sha256(BIG_BODY));
      // One client connection, one app connection that carried all 22 requests.
      expect(app.requestsPerConnection().filter((requests) => requests > 0)).toEqual([22]);
      if (!proxyUnderTest.probesReachApp) expect(app.connections()).toBe(1);
    });

    it('serves 100 keep-alive requests of one client connection on one app connection', async () => {
      const { app, outbound } = await chain('tcp', ['node-a', 'node-b'], { handler: helloHandler });
      const agent = fixture.agent();
      for (let i = 0; i < 100; i++) {
        expect(await get(agent, outbound)).toEqual({ status: 200, body: 'hello' });
      }
      // L4: the client's one connection is one tunnel end to end, so one app connection served every request.
      // (Readiness probes of the proxies may have opened and closed others without a request.)
      expect(Math.max(...app.requestsPerConnection())).toBe(100);
    });
  });

  describe('L7: two sidecars with mTLS between them', () => {
    it('carries requests and 64 KiB bodies intact both ways', async () => {
      const { app, outbound } = await chain('http', ['client-sidecar', 'server-sidecar']);
      const agent = fixture.agent();

      const small = await fetchOnce(outbound, { agent, method: 'POST', body: Buffer.from('hello through mTLS') });
      expect(small.status).toBe(200);
      expect(small.body.toString()).toBe('hello through mTLS');
      expect(small.headers['x-seen-via']).toBe(proxyUnderTest.via.seen);
      expect(small.headers.via).toBe(proxyUnderTest.via.returned);

      const upload = await fetchOnce(outbound, { agent, method: 'POST', body: BIG_BODY });
      expect(upload.status).toBe(200);
      expect(upload.body.length).toBe(BIG_BODY.length);
      expect(upload.headers['x-body-sha256']).toBe(sha256(BIG_BODY));
      expect(sha256(upload.body)).toBe(sha256(BIG_BODY));

      const download = await fetchOnce(outbound, { agent, path: '/big' });
      expect(download.status).toBe(200);
      expect(sha256(download.body)).toBe(sha256(BIG_BODY));

      // Keep-alive all the way: one connection into the server for all three requests.
      expect(app.connections()).toBe(1);
    });

    it('carries 200 keep-alive requests on at most 2 upstream connections', async () => {
      const { app, outbound } = await chain('http', ['client-sidecar', 'server-sidecar'], { handler: helloHandler });
      const agent = fixture.agent();
      const statuses = new Map<number, number>();
      for (let i = 0; i < 200; i++) {
        const reply = await get(agent, outbound);
        expect(reply.body).toBe('hello');
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      }
      expect(Object.fromEntries(statuses)).toEqual({ 200: 200 });
      expect(app.requests()).toBe(200);
      expect(app.connections()).toBeGreaterThanOrEqual(1);
      expect(app.connections()).toBeLessThanOrEqual(2);
    });
  });

  describe('mTLS refusals', () => {
    it('answers a client that presents a certificate from the run CA', async () => {
      const { pki, inbound } = await serverSide('http', ['client-sidecar', 'server-sidecar'], helloHandler);
      const own = pki.identity('client-sidecar');
      const result = await tryRequest(inbound, pki.identity('server-sidecar').dnsName, {
        ca: readFileSync(pki.caFile),
        cert: readFileSync(own.certFile),
        key: readFileSync(own.keyFile),
      });
      expect(result.response).toMatch(/^HTTP\/1\.1 200 /);
    });

    it.each(['http', 'tcp'] as const)('refuses a client without a certificate (%s mode), before anything reaches the app', async (mode) => {
      const { pki, app, inbound, secondProxy } = await serverSide(mode, ['client-sidecar', 'server-sidecar']);
      const result = await tryRequest(inbound, pki.identity('server-sidecar').dnsName, { ca: readFileSync(pki.caFile) });
      expect(result.response).toBe('');
      // TLS 1.3: the server rejects the missing certificate after the client's side of the handshake is done.
      expect(result.error).toMatch(proxyUnderTest.noCertificate);
      expect(app.connections()).toBe(0);
      if (proxyUnderTest.explains) proxyUnderTest.explains.refusedClient(await stderrWith(secondProxy, 'rejected a client'));
    });

    it('refuses a plain-text client', async () => {
      const { app, inbound } = await serverSide('http', ['client-sidecar', 'server-sidecar']);
      const agent = fixture.agent();
      await expect(get(agent, inbound, 5000)).rejects.toThrow(/socket hang up|ECONNRESET/);
      expect(app.requests()).toBe(0);
    });

    it('refuses an upstream whose certificate does not carry the expected server name', async () => {
      // A real identity of this CA, but not the one the server presents.
      const { app, outbound, firstProxy } = await chain('http', ['client-sidecar', 'server-sidecar'], {
        upstreamName: 'client-sidecar.test.meshtax.local',
      });
      const reply = await fetchOnce(outbound, { timeoutMs: proxyUnderTest.refusedUpstreamWaitMs });
      expect(reply.status).toBe(proxyUnderTest.refusedUpstreamStatus);
      expect(app.connections()).toBe(0);
      if (proxyUnderTest.explains) proxyUnderTest.explains.refusedUpstream(reply, await stderrWith(firstProxy, 'ERR_TLS_CERT_ALTNAME_INVALID'));
    });
  });
});
