import { afterEach, describe, expect, it } from 'vitest';
import { PhaseRunner } from '../../src/loadgen/phase.ts';
import { okHandler, startServer, type TestServer } from '../helpers/servers.ts';
import { testSpec } from '../helpers/spec.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('a server that dies mid-phase', () => {
  it('counts the requests it could not take as refused errors, not timeouts, and does not advise more connections', async () => {
    // The server stops listening and drops its connections once it has answered 20 requests (of 150 in the 1.5 s
    // window), whenever that is on a busy machine: every reconnect after is refused. The timeout is long enough that
    // a slow answer before that, on a busy machine, is not one.
    const dying: { server?: TestServer } = {};
    server = await startServer((request, response, count) => {
      okHandler(request, response, count);
      if (count === 20) setImmediate(() => void dying.server?.close());
    });
    dying.server = server;
    const runner = new PhaseRunner();
    try {
      const phase = await runner.run(testSpec(server.url, { rate: 100, durationMs: 1500, timeoutMs: 3000 }));
      // The 20 answered before the server died (a response cut off as it closed would be an error); most were not.
      expect(phase.counts.ok).toBeGreaterThan(0);
      expect(phase.counts.ok).toBeLessThanOrEqual(20);
      expect(phase.counts.ok).toBeLessThan(100);
      expect(phase.counts.errors).toBeGreaterThan(0);
      expect(phase.counts.timeouts).toBe(0);
      expect(phase.counts.ok + phase.counts.errors).toBeGreaterThanOrEqual(140);
      const errors = phase.warnings.find((warning) => warning.code === 'errors');
      expect(errors?.message).toMatch(/^\d+ connection errors \(\d+ refused[^)]*\) and 0 timeouts/);
      expect(errors?.hint).toMatch(/refused or reset/);
      for (const warning of phase.warnings) expect(warning.hint ?? '').not.toMatch(/raise load\.connections/);
    } finally {
      server = undefined;
    }
  });
});
