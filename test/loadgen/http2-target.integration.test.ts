import { afterEach, describe, expect, it } from 'vitest';
import { PhaseRunner } from '../../src/loadgen/phase.ts';
import { okStream, startH2Server, testCertificate, type H2TestServer } from '../helpers/h2-servers.ts';
import { expectAchievedRate, testSpec } from '../helpers/spec.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track(server: H2TestServer): H2TestServer {
  cleanups.push(() => server.close());
  return server;
}

describe('open loop over HTTP/2', () => {
  it('h2c: sends exactly the scheduled requests on a fixed number of connections and streams', async () => {
    const sessions = new Set<unknown>();
    const server = track(
      await startH2Server((stream, headers) => {
        sessions.add(stream.session);
        expect(headers[':method']).toBe('GET');
        // 25 ms per answer at 200 rps keeps about five requests in flight, more than one connection's 3 streams:
        // the streams limit per connection is exercised, not only the round over connections.
        okStream(() => 25)(stream, headers);
      }),
    );
    const phase = await new PhaseRunner().run(
      testSpec(server.url, { rate: 200, connections: 2, durationMs: 1000, warmupMs: 200, protocol: 'http2', streams: 3 }),
    );
    expect(phase.counts).toEqual({ ok: 200, non2xx: 0, errors: 0, timeouts: 0 });
    expect(server.streams()).toBe(240);
    expect(sessions.size).toBe(2);
    expect(phase.protocol).toBe('http2');
    expectAchievedRate(phase, 200);
  });

  it('TLS with ALPN h2: a server that speaks only HTTP/2 over TLS is measured', async () => {
    const certificate = testCertificate();
    cleanups.push(() => certificate.remove());
    const server = track(await startH2Server(okStream(), certificate));
    // The certificate is self-signed: trust it for this test only (worker threads copy the environment at start).
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    cleanups.push(() => {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    });
    const phase = await new PhaseRunner().run(testSpec(server.url, { rate: 100, connections: 1, durationMs: 1000, protocol: 'http2', streams: 2 }));
    expect(phase.counts).toEqual({ ok: 100, non2xx: 0, errors: 0, timeouts: 0 });
  });

  it('a stream the server resets fails alone; the connection carries on', async () => {
    let n = 0;
    const server = track(
      await startH2Server((stream, headers) => {
        // Every 10th stream is reset by the server (RST_STREAM, INTERNAL_ERROR).
        if (++n % 10 === 0) stream.close(2);
        else okStream()(stream, headers);
      }),
    );
    const phase = await new PhaseRunner().run(testSpec(server.url, { rate: 100, connections: 1, durationMs: 1000, protocol: 'http2' }));
    expect(phase.counts.errors).toBe(10);
    expect(phase.counts.ok).toBe(90);
  });
});
