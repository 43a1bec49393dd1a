import net from 'node:net';
import type http2 from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import type { EndpointSpec } from '../../src/loadgen/endpoints.ts';
import { MAX_WINDOW } from '../../src/protocols/h2-frames.ts';
import { WINDOW_TOP_UP } from '../../src/loadgen/h2/h2c-lane.ts';
import { PhaseRunner } from '../../src/loadgen/phase.ts';
import { ECHO_METHOD } from '../../src/protocols/grpc.ts';
import { requestMix } from '../../src/scenario/request-mix.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';
import { okStream, startGrpcJsEcho, startH2Server, type H2TestServer } from '../helpers/h2-servers.ts';
import { expectAchievedRate, testSpec } from '../helpers/spec.ts';

// HTTP/2 in the clear with one stream per connection runs on meshtax's own framing (src/loadgen/h2/h2c-lane.ts), the
// pacer thread writing each request's prebuilt frames itself. These tests hold it against node:http2's server
// (nghttp2) and the reference gRPC implementation (@grpc/grpc-js), not against anything meshtax wrote.

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track<T extends { close(): Promise<void> }>(server: T): T {
  cleanups.push(() => server.close());
  return server;
}

function grpcMix(load: Record<string, unknown>) {
  const scenario = scenarioSchema.parse({ apiVersion: 'meshtax.dev/v1alpha1', kind: 'Scenario', metadata: { name: 'g' }, load: { protocol: 'grpc', ...load } });
  return requestMix(scenario.load);
}

describe('h2c on its own framing (one stream per connection)', () => {
  it('sends exactly the scheduled requests, numbering each connection’s streams 1, 3, 5, … once each', async () => {
    const ids = new Map<http2.Http2Session, number[]>();
    const seen: http2.IncomingHttpHeaders[] = [];
    const server = track(
      await startH2Server((stream, headers) => {
        const session = stream.session!;
        ids.set(session, [...(ids.get(session) ?? []), stream.id!]);
        if (seen.length === 0) seen.push(headers);
        okStream()(stream, headers);
      }),
    );
    const phase = await new PhaseRunner().run(testSpec(server.url, { rate: 200, connections: 2, durationMs: 1000, warmupMs: 200, protocol: 'http2' }));
    expect(phase.counts).toEqual({ ok: 200, non2xx: 0, errors: 0, timeouts: 0 });
    expect(server.streams()).toBe(240);
    expect(ids.size).toBe(2);
    for (const list of ids.values()) expect(list).toEqual(list.map((_, i) => 1 + 2 * i));
    // meshtax's own framing, not node:http2's client: its SETTINGS give each stream the largest window and refuse push.
    for (const session of ids.keys()) expect(session.remoteSettings).toMatchObject({ initialWindowSize: MAX_WINDOW, enablePush: false });
    expect(seen[0]).toMatchObject({ ':method': 'GET', ':scheme': 'http', ':path': '/', ':authority': new URL(server.url).host });
    expect(seen[0]!['user-agent']).toMatch(/^meshtax\//);
    // The body of each answer ("hello"), as node:http2 counts it.
    expect(phase.bytesReceived).toBe(200 * 5);
    expectAchievedRate(phase, 200);
  });

  it('a mix of endpoints (written by the I/O thread): methods, paths, headers and bodies arrive as given', async () => {
    const arrived = new Map<string, { method: string; header: string | undefined; body: string }>();
    const server = track(
      await startH2Server((stream, headers) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          arrived.set(String(headers[':path']), { method: String(headers[':method']), header: headers['x-team'] as string | undefined, body: Buffer.concat(chunks).toString() });
          stream.respond({ ':status': headers[':path'] === '/missing' ? 404 : 200 });
          stream.end();
        });
      }),
    );
    const requests: EndpointSpec[] = [
      { name: 'read', method: 'GET', path: '/read', headers: { 'x-team': 'payments' }, body: '', weight: 1, expect: [] },
      { name: 'write', method: 'POST', path: '/write', headers: {}, body: Buffer.from('{"a":1}').toString('base64'), weight: 1, expect: [] },
      { name: 'missing', method: 'GET', path: '/missing', headers: {}, body: '', weight: 1, expect: [404] },
    ];
    const phase = await new PhaseRunner().run(testSpec(server.url, { rate: 150, connections: 1, durationMs: 1000, protocol: 'http2', requests }));
    expect(phase.counts).toEqual({ ok: 150, non2xx: 0, errors: 0, timeouts: 0 });
    expect(arrived.get('/read')).toEqual({ method: 'GET', header: 'payments', body: '' });
    expect(arrived.get('/write')).toEqual({ method: 'POST', header: undefined, body: '{"a":1}' });
    expect(arrived.get('/missing')?.method).toBe('GET');
  });

  it('answers the server’s PING and new SETTINGS mid-run, and comes back on a new connection after GOAWAY', async () => {
    let n = 0;
    let pinged = false;
    let settled = false;
    const sessions = new Set<http2.Http2Session>();
    const server = track(
      await startH2Server((stream, headers) => {
        const session = stream.session!;
        sessions.add(session);
        n++;
        if (n === 20) session.ping((error) => (pinged = error === null));
        if (n === 30) session.settings({ initialWindowSize: 1 << 20 }, (error) => (settled = error === null));
        okStream()(stream, headers);
        // After answering: no request is in flight on the only connection when it goes away.
        if (n === 60) stream.on('close', () => session.goaway());
      }),
    );
    const phase = await new PhaseRunner().run(testSpec(server.url, { rate: 100, connections: 1, durationMs: 1000, protocol: 'http2' }));
    expect(pinged).toBe(true);
    expect(settled).toBe(true);
    expect(sessions.size).toBe(2);
    expect(phase.counts.ok + phase.counts.errors).toBe(100);
    expect(phase.counts.errors).toBeLessThanOrEqual(1);
    expect(phase.counts.timeouts).toBe(0);
  });

  it('tops up the connection’s flow-control window as large responses use it', async () => {
    const body = Buffer.alloc(1 << 20, 'x');
    let session: http2.Http2Session | undefined;
    const server = track(
      await startH2Server((stream) => {
        session = stream.session!;
        stream.resume();
        stream.on('end', () => {
          stream.respond({ ':status': 200 });
          stream.end(body);
        });
      }),
    );
    const responses = Math.ceil((WINDOW_TOP_UP * 2.5) / body.length);
    const phase = await new PhaseRunner().run(testSpec(server.url, { rate: responses, connections: 1, durationMs: 1000, timeoutMs: 5000, protocol: 'http2' }));
    expect(phase.counts.ok).toBe(responses);
    expect(phase.bytesReceived).toBe(responses * body.length);
    // Without the top-ups the server could send only MAX_WINDOW minus everything it sent without another update.
    const remote = session!.state.remoteWindowSize!;
    expect(remote).toBeGreaterThan(MAX_WINDOW - WINDOW_TOP_UP - body.length);
  });

  it('gRPC against @grpc/grpc-js: each call counted by its grpc-status from the trailers', async () => {
    const server = track(await startGrpcJsEcho());
    const phase = await new PhaseRunner().run(testSpec(server.url, { rate: 200, connections: 2, durationMs: 1000, warmupMs: 100, ...grpcMix({ grpc: { message: { response_bytes: 64 } } }) }));
    expect(phase.counts).toEqual({ ok: 200, non2xx: 0, errors: 0, timeouts: 0 });
    expect(server.calls()).toBe(220);
    expect(phase.endpoints?.map((e) => e.name)).toEqual([ECHO_METHOD]);
    // Each reply carries 64 payload bytes in its message (plus framing and protobuf tags).
    expect(phase.bytesReceived).toBeGreaterThanOrEqual(200 * (5 + 2 + 64));
  });

  it('a server that breaks the framing fails the requests it took, and the phase still ends', async () => {
    const sockets = new Set<net.Socket>();
    const raw = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      // A SETTINGS frame, so the connection comes up; then, to the first HEADERS frame, a frame 16 MiB long.
      socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
      let received = Buffer.alloc(0);
      let at = 24; // after the client's preface
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        while (received.length >= at + 9) {
          if (received[at + 3] === 1) {
            socket.write(Buffer.from([0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1]));
            return;
          }
          at += 9 + received.readUIntBE(at, 3);
        }
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const closeRaw = (): Promise<void> =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        raw.close(() => resolve());
      });
    track({ close: closeRaw } satisfies Pick<H2TestServer, 'close'>);
    const { port } = raw.address() as net.AddressInfo;
    const phase = await new PhaseRunner().run(testSpec(`http://127.0.0.1:${port}/`, { rate: 50, connections: 1, durationMs: 1000, timeoutMs: 500, protocol: 'http2' }));
    expect(phase.counts.ok).toBe(0);
    expect(phase.counts.errors + phase.counts.timeouts).toBe(50);
    expect(phase.counts.errors).toBeGreaterThan(0);
  });
});
