import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { POLL_INTERVAL_MS, startProber, type Prober, type ProberResults } from '../../src/pod/prober-server.ts';
import { poll } from '../helpers/poll.ts';

/** The start-up prober against a server of this test that answers 503 until told to answer 200. */
let prober: Prober | undefined;
let target: http.Server | undefined;

afterEach(async () => {
  await prober?.close();
  await new Promise<void>((resolve) => (target ? target.close(() => resolve()) : resolve()));
  prober = undefined;
  target = undefined;
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const { port } = prober!.server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the start-up prober', () => {
  it('polls a pod until its first 2xx, records when on its own clock, with the Host it was given', async () => {
    let healthy = false;
    const hosts: string[] = [];
    target = http.createServer((request, response) => {
      hosts.push(request.headers.host ?? '');
      response.writeHead(healthy ? 200 : 503);
      response.end();
    });
    await new Promise<void>((resolve) => target!.listen(0, '127.0.0.1', () => resolve()));
    const targetPort = (target.address() as AddressInfo).port;
    prober = await startProber(0, '127.0.0.1');

    const clock = await get('/clock');
    expect(typeof clock.body['nowMs']).toBe('number');
    const accepted = await get(`/probe?name=p-1&ip=127.0.0.1&port=${targetPort}&path=/&host=p-1.echo-startup.ns.svc&timeoutMs=30000`);
    expect(accepted).toMatchObject({ status: 200, body: { accepted: true } });
    await poll(() => hosts.length, (n) => n >= 3, 10_000, 10);
    const before = (await get('/results')).body as unknown as ProberResults;
    expect(before.targets['p-1']).toMatchObject({ ip: '127.0.0.1', port: targetPort, firstOkMs: null, done: false, lastError: 'HTTP 503' });
    healthy = true;
    const after = await poll(async () => (await get('/results')).body as unknown as ProberResults, (r) => r.targets['p-1']!.done, 10_000, 10);
    const result = after.targets['p-1']!;
    expect(result.firstOkMs).not.toBeNull();
    expect(result.firstOkMs!).toBeGreaterThan(result.startedMs);
    expect(result.attempts).toBe(hosts.length);
    expect(new Set(hosts)).toEqual(new Set(['p-1.echo-startup.ns.svc']));
    // Asking again for a pod already probed changes nothing.
    expect((await get(`/probe?name=p-1&ip=127.0.0.1&port=${targetPort}&timeoutMs=30000`)).body).toEqual({ accepted: true, startedMs: result.startedMs });
    expect(POLL_INTERVAL_MS).toBeLessThanOrEqual(50);
  });

  it('gives up at the time given and stops on reset; refuses what is not an address', async () => {
    prober = await startProber(0, '127.0.0.1');
    // Port 9 on loopback: nothing listens, every attempt is refused.
    await get('/probe?name=never&ip=127.0.0.1&port=9&timeoutMs=200');
    const ended = await poll(async () => (await get('/results')).body as unknown as ProberResults, (r) => r.targets['never']!.done, 10_000, 20);
    expect(ended.targets['never']).toMatchObject({ firstOkMs: null, done: true });
    expect(ended.targets['never']!.attempts).toBeGreaterThan(0);
    expect(ended.targets['never']!.lastError).toMatch(/ECONNREFUSED/);
    expect((await get('/reset')).body).toEqual({ reset: true });
    expect(((await get('/results')).body as unknown as ProberResults).targets).toEqual({});
    expect(await get('/probe?name=x&ip=not-an-ip&port=80&timeoutMs=10')).toMatchObject({ status: 400, body: { error: 'ip not-an-ip is not an IP address' } });
    expect(await get('/probe?name=x&ip=10.0.0.1&port=80')).toMatchObject({ status: 400, body: { error: 'timeoutMs is missing' } });
    expect((await get('/nothing')).status).toBe(404);
  });
});
