import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadError, PhaseInterrupted, PhaseRunner } from '../../src/loadgen/phase.ts';
import { refusedPort, okHandler, startServer, type TestServer } from '../helpers/servers.ts';
import { testSpec } from '../helpers/spec.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const spec = testSpec;

describe('load against failing targets', () => {
  it('fails the phase with the reason when nothing listens', async () => {
    const port = await refusedPort();
    await expect(new PhaseRunner().run(spec(`http://127.0.0.1:${port}/`))).rejects.toThrow(LoadError);
    await expect(new PhaseRunner().run(spec(`http://127.0.0.1:${port}/`))).rejects.toThrow(/ECONNREFUSED/);
  });

  it('counts non-2xx responses and warns', async () => {
    server = await startServer((_request, response, count) => {
      response.writeHead(count % 2 === 0 ? 503 : 200, { 'content-length': '0' });
      response.end();
    });
    const phase = await new PhaseRunner().run(spec(server.url));
    expect(phase.counts.ok + phase.counts.non2xx).toBe(100);
    expect(phase.counts.non2xx).toBe(50);
    expect(phase.warnings.map((w) => w.code)).toContain('non-2xx');
  });

  it('counts timeouts from the intended send time when the server never answers', async () => {
    server = await startServer(() => {});
    const phase = await new PhaseRunner().run(spec(server.url, { rate: 50, timeoutMs: 200 }));
    expect(phase.counts).toEqual({ ok: 0, non2xx: 0, errors: 0, timeouts: 50 });
    expect(phase.warnings.map((w) => w.code)).toContain('errors');
  });

  it('counts a connection the server resets as an error and carries on', async () => {
    server = await startServer((request, response, count) => {
      if (count % 10 === 0) request.socket.destroy();
      else okHandler(request, response, count);
    });
    const phase = await new PhaseRunner().run(spec(server.url));
    expect(phase.counts.errors).toBe(10);
    expect(phase.counts.ok).toBe(90);
  });

  it('follows responses that close the connection', async () => {
    server = await startServer((_request, response) => {
      response.writeHead(200, { connection: 'close', 'content-length': '2' });
      response.end('ok');
    });
    const phase = await new PhaseRunner().run(spec(server.url));
    expect(phase.counts).toEqual({ ok: 100, non2xx: 0, errors: 0, timeouts: 0 });
  });

  it('reports a rate it could not reach instead of a silently lower one', async () => {
    // One connection to a server that takes 20 ms: at most 50 rps get through, 200 are asked for.
    server = await startServer((request, response, count) => setTimeout(() => okHandler(request, response, count), 20));
    const phase = await new PhaseRunner().run(spec(server.url, { rate: 200, connections: 1, timeoutMs: 60_000 }));
    expect(phase.achievedRps).toBeLessThan(200 * 0.99);
    const warning = phase.warnings.find((w) => w.code === 'generator-behind');
    expect(warning?.message).toMatch(/waited for a free connection/);
    expect(warning?.hint).toMatch(/load.connections/);
  });

  it('stops when aborted and rejects as interrupted', async () => {
    // Aborted from the server's side after its 30th request of a 20 s phase at 100 rps (2000 requests planned):
    // a runner that stopped sends at most one more request per connection; one that ignored the abort sends them all.
    const controller = new AbortController();
    const abortAt = 30;
    server = await startServer((request, response, count) => {
      if (count === abortAt) controller.abort();
      okHandler(request, response, count);
    });
    const phaseSpec = spec(server.url, { durationMs: 20_000 });
    await expect(new PhaseRunner().run(phaseSpec, controller.signal)).rejects.toThrow(PhaseInterrupted);
    expect(server.requests()).toBeGreaterThanOrEqual(abortAt);
    expect(server.requests()).toBeLessThanOrEqual(abortAt + phaseSpec.connections);
    // Nothing keeps sending behind the rejection (30 more requests would be due at 100 rps).
    await sleep(300);
    expect(server.requests()).toBeLessThanOrEqual(abortAt + phaseSpec.connections);
  });
});
