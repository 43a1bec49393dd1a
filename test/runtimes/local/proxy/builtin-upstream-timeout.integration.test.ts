import { afterEach, describe, expect, it } from 'vitest';
import { fetchOnce, Fixture } from './fixture.ts';

describe('builtin proxy, L7', () => {
  let fixture: Fixture | undefined;
  afterEach(async () => fixture?.close());

  it('answers 504 when the upstream sends nothing within the upstream timeout', async () => {
    fixture = await Fixture.create();
    // Reads the request and never answers.
    const server = await fixture.server((request) => request.resume());
    const listen = await fixture.endpoint();
    await fixture.proxyProcess(
      { name: 'waypoint', listeners: [{ name: 'waypoint', mode: 'http', listen, upstream: server.endpoint }] },
      ['--upstream-timeout-ms', '300'],
    );

    const agent = fixture.agent();
    const first = await fetchOnce(listen, { agent });
    expect(first.status).toBe(504);
    const where = `${server.endpoint.host}:${server.endpoint.port}`;
    expect(first.body.toString()).toBe(`gateway timeout: upstream ${where}: no response within 300 ms\n`);
    // The downstream connection survives; the stalled upstream connection does not go back into the pool.
    const second = await fetchOnce(listen, { agent });
    expect(second.status).toBe(504);
    expect(second.reusedSocket).toBe(true);
    expect(server.connections()).toBe(2);
  });
});
