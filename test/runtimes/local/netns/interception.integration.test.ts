import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../../src/runtimes/types.ts';
import { localRuntime } from '../../../../src/runtimes/local/runtime.ts';
import { loadScenarioText } from '../../../../src/scenario/load.ts';
import { netnsRuns, runProcessesAfter, tracesAfter } from './helpers.ts';

const SCENARIO = 'apiVersion: meshtax.dev/v1alpha1\nkind: Scenario\nmetadata: { name: netns-test }\n';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, timeout: 5000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('request timed out')));
    request.on('error', reject);
  });
}

/** What a TLS client without a certificate gets from `host:port` for one request: the reply's first bytes, or the error. */
function tryWithoutClientCertificate(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const socket = tls.connect({ host, port, rejectUnauthorized: false, timeout: 5000 }, () => {
      socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('timeout', () => socket.destroy(new Error('timed out')));
    socket.on('error', (error) => resolve(`error: ${error.message}`));
    socket.on('close', () => resolve(received === '' ? 'closed' : received.slice(0, 40)));
  });
}

/** `cmdline` of every process in a named network namespace. */
function processesIn(namespace: string): string[] {
  const pids = execFileSync('ip', ['netns', 'pids', namespace], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return pids.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim());
}

describe('netns isolation: transparent interception into the sidecar topology', () => {
  const runs = netnsRuns();
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.cleanup();
    runtime = undefined;
  });

  it('a GET to the server pod on :8080 from the root namespace goes through both builtin sidecars, with mTLS between them', async () => {
    const runId = runs.fresh();
    const loaded = loadScenarioText(SCENARIO, 'netns.yaml', [
      'local.isolation=netns',
      'local.proxy=builtin',
      'local.mtls=true',
      'modes=[baseline,sidecar]',
      'workload.payloadBytes=512',
    ]);
    runtime = localRuntime.create(loaded.scenario, runId, { keep: false });
    const prepared = await runtime.prepare(loaded.scenario.modes, new AbortController().signal);
    const described = runtime.describe() as { isolation: string; namespaces: Record<string, { serverNamespace: string; serverIp: string }> };
    expect(described.isolation).toBe('netns');
    const sidecar = described.namespaces.sidecar!;
    const baseline = described.namespaces.baseline!;
    // The same URL shape in every mode: the server pod's address, port 8080.
    expect(prepared).toEqual([
      { mode: 'baseline', targetUrl: `http://${baseline.serverIp}:8080/` },
      { mode: 'sidecar', targetUrl: `http://${sidecar.serverIp}:8080/` },
    ]);

    const direct = await get(prepared[0]!.targetUrl);
    expect(direct.status).toBe(200);
    expect(direct.headers.via).toBeUndefined();

    const reply = await get(prepared[1]!.targetUrl);
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(512);
    // Both sidecars handled it: the client sidecar (reached only through REDIRECT) and the server sidecar.
    expect(reply.headers.via).toBe('1.1 meshtax-builtin, 1.1 meshtax-builtin');

    // The server sidecar's inbound port takes mTLS only: no client certificate, no response.
    const refused = await tryWithoutClientCertificate(sidecar.serverIp, 15443);
    expect(refused).toMatch(/^(error: |closed$)/);

    // The processes in the server pod are the echo server and the sidecar themselves (ip netns exec exec()s).
    const inPod = processesIn(sidecar.serverNamespace);
    expect(inPod).toHaveLength(2);
    expect(inPod.some((args) => /echo-server\.(ts|js) --host 0\.0\.0\.0 --port 8080/.test(args))).toBe(true);
    expect(inPod.some((args) => /builtin-proxy\.(ts|js) --spec \S+server-sidecar\.json/.test(args))).toBe(true);

    // The sampler reads every process of the mode, namespaced or not.
    const resources = runtime.resources!('sidecar')!;
    await resources.measureIdle(100);
    resources.start();
    await get(prepared[1]!.targetUrl);
    const { rows, exited } = await resources.stop();
    expect(exited).toEqual([]);
    expect(rows.map((row) => `${row.pod}/${row.container}`).sort()).toEqual([
      'client/client-sidecar',
      'client/meshtax',
      'server/echo',
      'server/server-sidecar',
    ]);
    for (const row of rows) expect(row.memoryBytes).toBeGreaterThan(0);

    await runtime.cleanup();
    runtime = undefined;
    expect(await tracesAfter(runId)).toEqual([]);
    expect(await runProcessesAfter({ descendantsOf: process.pid })).toEqual([]);
  });

  it('HAProxy in the namespaces: started, found ready and carrying traffic through node-proxy and the waypoint', async () => {
    const runId = runs.fresh();
    const loaded = loadScenarioText(SCENARIO, 'netns.yaml', [
      'local.isolation=netns',
      'local.proxy=haproxy',
      'modes=[node-proxy,node-proxy-waypoint]',
    ]);
    runtime = localRuntime.create(loaded.scenario, runId, { keep: false });
    const prepared = await runtime.prepare(loaded.scenario.modes, new AbortController().signal);
    const described = runtime.describe() as { namespaces: Record<string, { waypointNamespace?: string }> };
    for (const { targetUrl } of prepared) {
      expect(targetUrl).toMatch(/^http:\/\/169\.254\.77\.\d+:8080\/$/);
      const reply = await get(targetUrl);
      expect(reply.status).toBe(200);
      expect(reply.body.length).toBe(1024);
    }
    const waypointPod = processesIn(described.namespaces['node-proxy-waypoint']!.waypointNamespace!);
    expect(waypointPod).toHaveLength(1);
    expect(waypointPod[0]).toMatch(/^haproxy -db -f \S+\/waypoint\.cfg$/);
    await runtime.cleanup();
    runtime = undefined;
    expect(await tracesAfter(runId)).toEqual([]);
    expect(await runProcessesAfter({ descendantsOf: process.pid })).toEqual([]);
  });
});
