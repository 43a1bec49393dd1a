import { afterEach, describe, expect, it } from 'vitest';
import { refusedPort } from '../../../helpers/servers.ts';
import { fetchOnce, Fixture, HOST } from './fixture.ts';

describe('builtin proxy, L7', () => {
  let fixture: Fixture | undefined;
  afterEach(async () => fixture?.close());

  it('answers 502 with a short reason when the upstream refuses connections', async () => {
    fixture = await Fixture.create();
    const listen = await fixture.endpoint();
    const upstream = { host: HOST, port: await refusedPort() };
    await fixture.proxy({ name: 'waypoint', listeners: [{ name: 'waypoint', mode: 'http', listen, upstream }] });

    const agent = fixture.agent();
    for (let i = 0; i < 3; i++) {
      const reply = await fetchOnce(listen, { agent });
      expect(reply.status).toBe(502);
      expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
      const where = `${HOST}:${upstream.port}`;
      expect(reply.body.toString()).toBe(`bad gateway: upstream ${where}: connect ECONNREFUSED ${where}\n`);
      // The downstream connection survives an upstream failure.
      expect(reply.reusedSocket).toBe(i > 0);
    }
  });
});
