import { afterEach, describe, expect, it } from 'vitest';
import { BIG_BODY, clientTls, echoHandler, fetchOnce, Fixture, serverTls, sha256 } from './helpers.ts';

describe('builtin proxy, L7 with mTLS between two proxies', () => {
  let fixture: Fixture | undefined;
  afterEach(async () => fixture?.close());

  it('carries requests and 64 KiB bodies intact both ways', async () => {
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
    await fixture.proxy({
      name: 'client-sidecar',
      listeners: [
        {
          name: 'outbound',
          mode: 'http',
          listen: outbound,
          upstream: inbound,
          upstreamTls: clientTls(pki, 'client-sidecar', pki.identity('server-sidecar').dnsName),
        },
      ],
    });
    const agent = fixture.agent();

    const small = await fetchOnce(outbound, { agent, method: 'POST', body: Buffer.from('hello through mTLS') });
    expect(small.status).toBe(200);
    expect(small.body.toString()).toBe('hello through mTLS');
    expect(small.headers['x-seen-via']).toBe('1.1 meshtax-builtin, 1.1 meshtax-builtin');
    expect(small.headers.via).toBe('1.1 meshtax-builtin, 1.1 meshtax-builtin');

    const upload = await fetchOnce(outbound, { agent, method: 'POST', body: BIG_BODY });
    expect(upload.status).toBe(200);
    expect(upload.body.length).toBe(BIG_BODY.length);
    expect(upload.headers['x-body-sha256']).toBe(sha256(BIG_BODY));
    expect(sha256(upload.body)).toBe(sha256(BIG_BODY));

    const download = await fetchOnce(outbound, { agent, path: '/big' });
    expect(download.status).toBe(200);
    expect(sha256(download.body)).toBe(sha256(BIG_BODY));

    // Keep-alive all the way: one connection into the server for all three requests.
    expect(server.connections()).toBe(1);
  });
});
