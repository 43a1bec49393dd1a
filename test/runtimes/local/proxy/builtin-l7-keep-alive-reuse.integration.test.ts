import { afterEach, describe, expect, it } from 'vitest';
import { echoHandler, fetchOnce, Fixture } from './fixture.ts';

const REQUESTS = 200;

describe('builtin proxy, L7 plain', () => {
  let fixture: Fixture | undefined;
  afterEach(async () => fixture?.close());

  it('forwards sequential keep-alive requests over a reused upstream connection', async () => {
    fixture = await Fixture.create();
    const server = await fixture.server(echoHandler);
    const listen = await fixture.endpoint();
    await fixture.proxy({
      name: 'client-sidecar',
      listeners: [{ name: 'outbound', mode: 'http', listen, upstream: server.endpoint }],
    });

    const agent = fixture.agent();
    let newDownstreamConnections = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const reply = await fetchOnce(listen, { agent, path: `/item/${i}` });
      expect(reply.status).toBe(200);
      if (!reply.reusedSocket) newDownstreamConnections++;
      if (i === 0) {
        expect(reply.headers.via).toBe('1.1 meshtax-builtin');
        expect(reply.headers['x-seen-via']).toBe('1.1 meshtax-builtin');
        expect(reply.headers['x-seen-forwarded-for']).toBe('127.0.0.1');
      }
    }

    expect(newDownstreamConnections).toBe(1);
    expect(server.connections()).toBeGreaterThanOrEqual(1);
    expect(server.connections()).toBeLessThanOrEqual(2);
  });
});
