import { afterEach, describe, expect, it } from 'vitest';
import { PhaseRunner } from '../../src/loadgen/phase.ts';
import { okHandler, startServer, type TestServer } from '../helpers/servers.ts';
import { testSpec } from '../helpers/spec.ts';

let server: TestServer | undefined;
afterEach(async () => server?.close());

describe('the measured window', () => {
  it('opens once and closes once before the measurement is returned, every time', async () => {
    server = await startServer(okHandler);
    const runner = new PhaseRunner();
    const events: string[] = [];
    runner.on('windowStart', () => events.push('start'));
    runner.on('windowEnd', () => events.push('end'));
    // Short windows make the race between the end timer and the workers' last report likely.
    for (let i = 0; i < 8; i++) {
      await runner.run(testSpec(server.url, { rate: 400, durationMs: 100, warmupMs: 20 }));
      events.push('returned');
    }
    expect(events).toEqual(Array.from({ length: 8 }, () => ['start', 'end', 'returned']).flat());
  });
});
