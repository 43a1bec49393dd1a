import { afterEach, describe, expect, it } from 'vitest';
import { BIG_BODY, clientTls, echoHandler, fetchOnce, Fixture, serverTls, sha256 } from './helpers.ts';

describe('builtin proxy, L4 tcp tunnel with mTLS between two proxies', () => {
  let fixture: Fixture | undefined;
  afterEach(async () => fixture?.close());

  it('copies bytes both ways, one upstream connection per downstream connection', async () => {
    fixture = await Fixture.create();
    const pki = await fixture.pki(['node-a', 'node-b']);
    const server = await fixture.server(echoHandler);
    const nodeB = await fixture.endpoint();
    const nodeA = await fixture.endpoint();
    await fixture.proxy({
      name: 'node-b',
      listeners: [
        { name: 'inbound', mode: 'tcp', listen: nodeB, tls: serverTls(pki, 'node-b'), upstream: server.endpoint },
      ],
    });
    await fixture.proxy({
      name: 'node-a',
      listeners: [
        {
          name: 'outbound',
          mode: 'tcp',
          listen: nodeA,
          upstream: nodeB,
          upstreamTls: clientTls(pki, 'node-a', pki.identity('node-b').dnsName),
        },
      ],
    });
    const agent = fixture.agent();

    for (let i = 0; i < 20; i++) {
      const reply = await fetchOnce(nodeA, { agent, method: 'POST', body: Buffer.from(`request ${i}`) });
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toBe(`request ${i}`);
      // L4: nothing is added to the HTTP messages.
      expect(reply.headers.via).toBeUndefined();
      expect(reply.headers['x-seen-via']).toBe('');
    }
    const upload = await fetchOnce(nodeA, { agent, method: 'POST', body: BIG_BODY });
    expect(sha256(upload.body)).toBe(sha256(BIG_BODY));
    const download = await fetchOnce(nodeA, { agent, path: '/big' });
    expect(sha256(download.body)).toBe(sha256(BIG_BODY));

    expect(server.connections()).toBe(1);
  });
});
