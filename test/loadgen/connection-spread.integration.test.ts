import { afterEach, describe, expect, it } from 'vitest';
import { PhaseRunner } from '../../src/loadgen/phase.ts';
import { okStream, startH2Server } from '../helpers/h2-servers.ts';
import { okHandler, startServer } from '../helpers/servers.ts';
import { testSpec } from '../helpers/spec.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A user who asks for N connections expects the load on N connections, and a proxy that gives each connection to
 * one worker is only measured with all of them in use. With a fast server every connection is free at every send:
 * requests must then go round the connections, not all onto the one freed last (or the first in the table).
 */
describe('requests go round the connections', () => {
  it('HTTP/1.1 (requests written by the pacer thread): each of 4 connections carries about a quarter', async () => {
    const perSocket = new Map<number, number>();
    const server = await startServer((request, response) => {
      const port = request.socket.remotePort!;
      perSocket.set(port, (perSocket.get(port) ?? 0) + 1);
      okHandler(request, response, 0);
    });
    cleanups.push(() => server.close());
    const phase = await new PhaseRunner().run(testSpec(server.url, { rate: 200, connections: 4, durationMs: 1000 }));
    expect(phase.counts.ok).toBe(200);
    expect(perSocket.size).toBe(4);
    // Round robin gives 50 each; a response late by more than the 5 ms between sends moves a request to the next.
    for (const count of perSocket.values()) expect(count).toBeGreaterThanOrEqual(30);
  });

  it('HTTP/2 (requests handed to the I/O thread): both connections carry about half', async () => {
    const perSession = new Map<unknown, number>();
    const server = await startH2Server((stream, headers) => {
      perSession.set(stream.session, (perSession.get(stream.session) ?? 0) + 1);
      okStream()(stream, headers);
    });
    cleanups.push(() => server.close());
    const phase = await new PhaseRunner().run(testSpec(server.url, { rate: 200, connections: 2, durationMs: 1000, protocol: 'http2', streams: 2 }));
    expect(phase.counts.ok).toBe(200);
    expect(perSession.size).toBe(2);
    for (const count of perSession.values()) expect(count).toBeGreaterThanOrEqual(70);
  });
});
