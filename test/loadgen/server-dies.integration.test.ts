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
    server = await startServer(okHandler);
    const dying = server;
    const runner = new PhaseRunner();
    // The server stops listening and drops its connections 400 ms into a 1.5 s window: every reconnect is refused.
    let killer: NodeJS.Timeout | undefined;
    runner.on('windowStart', () => (killer = setTimeout(() => void dying.close(), 400)));
    try {
      const phase = await runner.run(testSpec(server.url, { rate: 100, durationMs: 1500, timeoutMs: 300 }));
      // How many got through before the server died depends on how busy the machine is; some did, most did not.
      expect(phase.counts.ok).toBeGreaterThan(0);
      expect(phase.counts.ok).toBeLessThan(100);
      expect(phase.counts.errors).toBeGreaterThan(0);
      expect(phase.counts.timeouts).toBe(0);
      expect(phase.counts.ok + phase.counts.errors).toBeGreaterThanOrEqual(140);
      const errors = phase.warnings.find((warning) => warning.code === 'errors');
      expect(errors?.message).toMatch(/^\d+ connection errors \(\d+ refused[^)]*\) and 0 timeouts/);
      expect(errors?.hint).toMatch(/refused or reset/);
      for (const warning of phase.warnings) expect(warning.hint ?? '').not.toMatch(/raise load\.connections/);
    } finally {
      clearTimeout(killer);
      server = undefined;
    }
  });
});
