import { afterEach, describe, expect, it } from 'vitest';
import { clientTls, echoHandler, fetchOnce, Fixture, serverTls } from './helpers.ts';
import { poll } from '../../helpers/poll.ts';

describe('builtin proxy, upstream mTLS', () => {
  let fixture: Fixture | undefined;
  afterEach(async () => fixture?.close());

  it('refuses an upstream whose certificate does not carry the expected server name', async () => {
    fixture = await Fixture.create();
    const pki = await fixture.pki(['client-sidecar', 'server-sidecar']);
    const server = await fixture.server(echoHandler);
    const inbound = await fixture.endpoint();
    const outbound = await fixture.endpoint();
    await fixture.proxy({
      name: 'server-sidecar',
      listeners: [
        {
          name: 'inbound',
          mode: 'http',
          listen: inbound,
          tls: serverTls(pki, 'server-sidecar'),
          upstream: server.endpoint,
        },
      ],
    });
    const client = await fixture.proxy({
      name: 'client-sidecar',
      listeners: [
        {
          name: 'outbound',
          mode: 'http',
          listen: outbound,
          upstream: inbound,
          // A real identity of this CA, but not the one the server presents.
          upstreamTls: clientTls(pki, 'client-sidecar', pki.identity('client-sidecar').dnsName),
        },
      ],
    });

    const reply = await fetchOnce(outbound);
    expect(reply.status).toBe(502);
    expect(reply.body.toString()).toMatch(/^bad gateway: upstream 127\.0\.0\.1:\d+: ERR_TLS_CERT_ALTNAME_INVALID /);
    expect(reply.body.toString()).toContain('client-sidecar.test.meshtax.local');
    expect(server.connections()).toBe(0);
    const stderr = await poll(
      () => client.stderrTail(),
      (text) => text.includes('ERR_TLS_CERT_ALTNAME_INVALID'),
      3000,
      20,
    );
    expect(stderr).toContain("builtin proxy client-sidecar: listener 'outbound': upstream 127.0.0.1:");
    expect(stderr).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});
