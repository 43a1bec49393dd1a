import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchOnce, Fixture, HOST } from './fixture.ts';

/**
 * An upstream that answers the first request on each connection with keep-alive, then drops the connection when a
 * second request arrives on it: the race of a pooled connection the upstream closed just as the proxy reused it.
 */
async function droppingUpstream(): Promise<{ server: net.Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    let requests = 0;
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      // Bodiless requests and the 64-byte POST below are all this needs to parse.
      while (buffered.includes('\r\n\r\n')) {
        const end = buffered.indexOf('\r\n\r\n') + 4;
        const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + length) return;
        buffered = buffered.slice(end + length);
        if (++requests > 1) {
          socket.destroy();
          return;
        }
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nkeep-alive: timeout=60\r\n\r\nok');
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections };
}

describe('builtin proxy, L7 upstream pool', () => {
  let fixture: Fixture | undefined;
  let upstream: Awaited<ReturnType<typeof droppingUpstream>> | undefined;
  afterEach(async () => {
    await fixture?.close();
    await new Promise((resolve) => upstream?.server.close(resolve) ?? resolve(undefined));
  });

  it('sends a bodiless request again once when a reused upstream connection drops, but not one with a body', async () => {
    fixture = await Fixture.create();
    upstream = await droppingUpstream();
    const listen = await fixture.endpoint();
    await fixture.proxy({
      name: 'client-sidecar',
      listeners: [{ name: 'outbound', mode: 'http', listen, upstream: { host: HOST, port: upstream.port } }],
    });
    const agent = fixture.agent();

    expect((await fetchOnce(listen, { agent })).status).toBe(200);
    // Reuses the pooled connection, which the upstream drops: retried on a new connection.
    const retried = await fetchOnce(listen, { agent });
    expect(retried.status).toBe(200);
    expect(retried.body.toString()).toBe('ok');
    expect(upstream.connections()).toBe(2);

    // A request with a body cannot be replayed once streamed: 502.
    const post = await fetchOnce(listen, { agent, method: 'POST', body: Buffer.alloc(64, 'p') });
    expect(post.status).toBe(502);
    expect(post.body.toString()).toMatch(/^bad gateway: upstream 127\.0\.0\.1:\d+: ECONNRESET socket hang up\n$/);
    expect(upstream.connections()).toBe(2);
  });
});
