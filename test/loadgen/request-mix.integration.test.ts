import { afterEach, describe, expect, it } from 'vitest';
import { decodeHistogram, mergeHistograms } from '../../src/core/histogram.ts';
import { PhaseRunner } from '../../src/loadgen/phase.ts';
import type { EndpointSpec } from '../../src/loadgen/endpoints.ts';
import { startServer, type TestServer } from '../helpers/servers.ts';
import { testSpec } from '../helpers/spec.ts';

let server: TestServer | undefined;
afterEach(async () => server?.close());

const endpoint = (name: string, method: string, path: string, weight: number, extra: Partial<EndpointSpec> = {}): EndpointSpec => ({
  name,
  method,
  path,
  headers: {},
  body: '',
  weight,
  expect: [],
  ...extra,
});


describe('a request mix', () => {
  it('records each endpoint beside the total, and the endpoints pool exactly into the total', async () => {
    const seen: string[] = [];
    const bodies: string[] = [];
    server = await startServer((request, response) => {
      seen.push(`${request.method} ${request.url} ${request.headers['x-team'] ?? ''}`);
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method === 'POST') bodies.push(Buffer.concat(chunks).toString());
        // /missing answers 404, which its endpoint expects; /broken answers 503, which nobody expects.
        const status = request.url === '/missing' ? 404 : request.url === '/broken' ? 503 : 200;
        response.writeHead(status, { 'content-length': '2' });
        response.end('ok');
      });
    });
    const requests = [
      endpoint('cart', 'GET', '/cart?id=7', 6, { headers: { 'x-team': 'shop' } }),
      endpoint('order', 'POST', '/order', 3, { body: Buffer.from('{"n":1}').toString('base64') }),
      endpoint('gone', 'GET', '/missing', 1, { expect: [404] }),
      endpoint('broken', 'GET', '/broken', 1),
    ];
    const phase = await new PhaseRunner().run(testSpec(server.url, { rate: 200, connections: 4, durationMs: 3000, requests }));
    const endpoints = phase.endpoints!;
    expect(endpoints.map((e) => e.name)).toEqual(['cart', 'order', 'gone', 'broken']);
    // Every measured request belongs to one endpoint, and the endpoints' counts add up to the phase's.
    const total = (pick: (counts: typeof phase.counts) => number): number => endpoints.reduce((sum, e) => sum + pick(e.counts), 0);
    expect(total((c) => c.ok)).toBe(phase.counts.ok);
    expect(total((c) => c.non2xx)).toBe(phase.counts.non2xx);
    expect(phase.counts.ok + phase.counts.non2xx).toBe(600);
    // Pooled, the endpoints' histograms are the phase's, bucket for bucket.
    // (The full percentile distribution lists every bucket's value and cumulative count.)
    const pooled = mergeHistograms(endpoints.map((e) => decodeHistogram(e.histogram)));
    const overall = decodeHistogram(phase.histogram);
    expect(pooled.totalCount).toBe(overall.totalCount);
    expect(pooled.outputPercentileDistribution()).toBe(overall.outputPercentileDistribution());
    // Weights 6:3:1:1 of 600 requests: 327, 164, 55, 55 expected; each within a generous binomial band.
    const share = endpoints.map((e) => e.counts.ok + e.counts.non2xx);
    expect(share[0]).toBeGreaterThan(280);
    expect(share[0]).toBeLessThan(375);
    expect(share[1]).toBeGreaterThan(125);
    expect(share[1]).toBeLessThan(205);
    expect(share[2]).toBeGreaterThan(25);
    expect(share[3]).toBeGreaterThan(25);
    // The expected 404 is a success; the unexpected 503 is a failure, counted under its endpoint.
    expect(endpoints[2]!.counts).toEqual({ ok: share[2], non2xx: 0, errors: 0, timeouts: 0 });
    expect(endpoints[3]!.counts).toEqual({ ok: 0, non2xx: share[3], errors: 0, timeouts: 0 });
    // Methods, paths, headers and bodies went out as given.
    expect(seen).toContain('GET /cart?id=7 shop');
    expect(new Set(bodies)).toEqual(new Set(['{"n":1}']));
  });

  it('sends the same mix in the same order for the same seed', async () => {
    const order: string[][] = [[], []];
    for (const run of [0, 1]) {
      server = await startServer((request, response) => {
        order[run]!.push(request.url ?? '');
        response.writeHead(200, { 'content-length': '0' });
        response.end();
      });
      const requests = [endpoint('a', 'GET', '/a', 1), endpoint('b', 'GET', '/b', 1), endpoint('c', 'GET', '/c', 2)];
      await new PhaseRunner().run(testSpec(server.url, { rate: 100, connections: 1, durationMs: 1000, seed: 42, requests }));
      await server.close();
      server = undefined;
    }
    expect(order[0]!.length).toBe(100);
    expect(order[1]).toEqual(order[0]);
  });
});
