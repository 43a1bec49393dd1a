import { afterEach, describe, expect, it } from 'vitest';
import { PhaseRunner } from '../../src/loadgen/phase.ts';
import type { PhaseMeasurement, PhaseSpec } from '../../src/loadgen/types.ts';
import { requestMix } from '../../src/scenario/request-mix.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';
import type { AddressInfo } from 'node:net';
import { echoH2Server, fixedAnswers } from '../../src/runtimes/local/echo-h2.ts';
import { okStream, stallDelay, startH2Server } from '../helpers/h2-servers.ts';
import { stallingHandler, startServer } from '../helpers/servers.ts';
import { testSpec } from '../helpers/spec.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

/** The phase every protocol runs: 500 rps for 4 s on 4 connections (HTTP/2 and gRPC: one stream each). */
function stallPhase(url: string, extra: Partial<PhaseSpec> = {}): Promise<PhaseMeasurement> {
  return new PhaseRunner().run(testSpec(url, { rate: 500, connections: 4, durationMs: 4000, timeoutMs: 5000, ...extra }));
}

/**
 * The server holds every response for 200 ms out of every 2 s. At 500 rps about 100 requests are scheduled into
 * each stall: 10% of all requests wait up to 200 ms, but only the 4 in flight when it began are slow to serve. The
 * waits of the ~10% scheduled into stalls spread evenly over 0–200 ms: p95 near 100 ms, p99 near 180 ms.
 */
function expectStallInLatencyNotServiceTime(phase: PhaseMeasurement): void {
  expect(phase.counts.ok).toBe(2000);
  expect(phase.latencyUs.p95).toBeGreaterThanOrEqual(60_000);
  expect(phase.latencyUs.p99).toBeGreaterThanOrEqual(140_000);
  expect(phase.latencyUs.p95).toBeLessThanOrEqual(140_000);
  expect(phase.latencyUs.p99).toBeLessThanOrEqual(230_000);
  expect(phase.latencyUs.max).toBeGreaterThan(150_000);
  expect(phase.serviceTimeUs.p99).toBeLessThan(50_000);
  expect(phase.generator.queued).toBeGreaterThan(100);
}

describe('coordinated omission', () => {
  it('counts the wait of requests scheduled during a stall in latency, not in service time', async () => {
    const server = await startServer(stallingHandler(2000, 200));
    close = () => server.close();
    expectStallInLatencyNotServiceTime(await stallPhase(server.url));
  });

  it('does the same over HTTP/2 (h2c), with a fixed number of streams', async () => {
    const server = await startH2Server(okStream(stallDelay(2000, 200)));
    close = () => server.close();
    expectStallInLatencyNotServiceTime(await stallPhase(server.url, { protocol: 'http2', streams: 1 }));
  });

  it("does the same over gRPC, against meshtax's echo service (grpc-js interoperates with it: grpc-target.integration.test.ts)", async () => {
    // meshtax's own gRPC server rather than grpc-js here: the backlog of a stall drains at the server's pace, and
    // grpc-js's per-call cost in this process would stretch the drain into the measured tail.
    const server = echoH2Server('grpc', fixedAnswers(Buffer.alloc(5, 'x'), stallDelay(2000, 200)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const scenario = scenarioSchema.parse({ apiVersion: 'meshtax.dev/v1alpha1', kind: 'Scenario', metadata: { name: 'g' }, load: { protocol: 'grpc' } });
    expectStallInLatencyNotServiceTime(await stallPhase(url, { ...requestMix(scenario.load), streams: 1 }));
  });
});
