import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PhaseRunner } from '../../src/loadgen/phase.ts';
import { expectAchievedRate, testSpec } from '../helpers/spec.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real HTTPS server on 127.0.0.1 with a certificate made by openssl for this test. */
async function startHttpsServer(): Promise<{ url: string; requests: () => number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshtax-tls-target-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  let count = 0;
  const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (request, response) => {
    count++;
    request.resume();
    response.writeHead(200, { 'content-length': '5' });
    response.end('hello');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  // The generator verifies certificates; this one is self-signed, so trust it for this test only. The load
  // worker threads read the setting from their copy of the environment, made when they start.
  const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  cleanups.push(() => {
    if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
  });
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests: () => count };
}

describe('open loop against an https target (the pacer hands each send to the I/O thread, which encrypts)', () => {
  it('sends exactly the scheduled requests and measures them', async () => {
    const server = await startHttpsServer();
    const phase = await new PhaseRunner().run(testSpec(server.url, { rate: 200, connections: 2, durationMs: 1000, warmupMs: 200 }));
    expect(phase.counts).toEqual({ ok: 200, non2xx: 0, errors: 0, timeouts: 0 });
    // Warmup requests went out too, and were not counted.
    expect(server.requests()).toBe(240);
    expectAchievedRate(phase, 200);
    expect(phase.latencyUs.p50).toBeGreaterThan(0);
  });
});
