import { readFileSync } from 'node:fs';
import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../src/runtimes/local/proxy/types.ts';
import { echoHandler, Fixture, serverTls } from './helpers.ts';
import { poll } from '../../helpers/poll.ts';

/** An HTTPS request that trusts the run's CA but presents no client certificate. */
function requestWithoutCertificate(endpoint: Endpoint, ca: Buffer, serverName: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: endpoint.host, port: endpoint.port, servername: serverName, ca, agent: false, timeout: 5000 },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end();
  });
}

describe('builtin proxy, mTLS listener', () => {
  let fixture: Fixture | undefined;
  afterEach(async () => fixture?.close());

  it.each(['http', 'tcp'] as const)('rejects a client without a certificate (%s mode)', async (mode) => {
    fixture = await Fixture.create();
    const pki = await fixture.pki(['server-sidecar']);
    const server = await fixture.server(echoHandler);
    const listen = await fixture.endpoint();
    const proxy = await fixture.proxy({
      name: 'server-sidecar',
      listeners: [{ name: 'inbound', mode, listen, tls: serverTls(pki, 'server-sidecar'), upstream: server.endpoint }],
    });

    const ca = readFileSync(pki.caFile);
    const attempt = requestWithoutCertificate(listen, ca, pki.identity('server-sidecar').dnsName);
    await expect(attempt).rejects.toThrow(/certificate required|ECONNRESET|socket hang up/i);
    expect(server.connections()).toBe(0);
    const stderr = await poll(
      () => proxy.stderrTail(),
      (text) => text.includes('rejected a client'),
      3000,
      20,
    );
    expect(stderr).toMatch(/listener 'inbound': rejected a client: .*(certificate|PEER_DID_NOT_RETURN)/i);
  });
});
