import { afterEach, describe, expect, it } from 'vitest';
import { PhaseRunner } from '../../src/loadgen/phase.ts';
import { stallingHandler, startServer, type TestServer } from '../helpers/servers.ts';
import { testSpec } from '../helpers/spec.ts';

let server: TestServer | undefined;
afterEach(async () => server?.close());

describe('coordinated omission', () => {
  it('counts the wait of requests scheduled during a stall in latency, not in service time', async () => {
    // The server holds every response for 200 ms out of every 2 s. At 500 rps about 100 requests are scheduled
    // into each stall: 10% of all requests wait up to 200 ms, but only the 4 in flight when it began are slow to serve.
    server = await startServer(stallingHandler(2000, 200));
    const phase = await new PhaseRunner().run(
      testSpec(server.url, { rate: 500, connections: 4, durationMs: 4000, timeoutMs: 5000 }),
    );
    expect(phase.counts.ok).toBe(2000);
    // The waits of the ~10% scheduled into stalls spread evenly over 0–200 ms: p95 near 100 ms, p99 near 180 ms.
    expect(phase.latencyUs.p95).toBeGreaterThanOrEqual(60_000);
    expect(phase.latencyUs.p99).toBeGreaterThanOrEqual(140_000);
    expect(phase.latencyUs.p95).toBeLessThanOrEqual(140_000);
    expect(phase.latencyUs.p99).toBeLessThanOrEqual(230_000);
    expect(phase.latencyUs.max).toBeGreaterThan(150_000);
    expect(phase.serviceTimeUs.p99).toBeLessThan(50_000);
    expect(phase.generator.queued).toBeGreaterThan(100);
  });
});
