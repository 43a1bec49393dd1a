import { afterEach, describe, expect, it } from 'vitest';
import { PhaseRunner } from '../../src/loadgen/phase.ts';
import { okHandler, startServer, type TestServer } from '../helpers/servers.ts';
import { testSpec } from '../helpers/spec.ts';

let server: TestServer | undefined;
afterEach(async () => server?.close());

describe('closed loop on autocannon', () => {
  it('records per-response times in microseconds, not whole milliseconds', async () => {
    server = await startServer(okHandler);
    const phase = await new PhaseRunner().run(
      testSpec(server.url, { loop: 'closed', rate: null, warmupMs: 300, timeoutMs: 5000 }),
    );
    expect(phase.rate).toBeNull();
    expect(phase.counts.ok).toBeGreaterThan(100);
    expect(phase.counts.errors).toBe(0);
    // Loopback responses take well under a millisecond; autocannon's own histogram would say 0 or 1.
    expect(phase.latencyUs.p50).toBeGreaterThan(0);
    expect(phase.latencyUs.p50).toBeLessThan(1000);
    expect(phase.latencyUs.p50! % 1000).not.toBe(0);
    expect(phase.serviceTimeUs).toEqual(phase.latencyUs);
    expect(phase.achievedRps).toBeGreaterThan(100);
  });
});
