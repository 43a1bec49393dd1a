import { afterEach, expect, it } from 'vitest';
import { PhaseRunner } from '../../src/loadgen/phase.ts';
import { decodeHistogram } from '../../src/core/histogram.ts';
import { okHandler, startServer, type TestServer } from '../helpers/servers.ts';
import { testSpec } from '../helpers/spec.ts';

let server: TestServer | undefined;
afterEach(async () => server?.close());

it('records a phase second by second when asked, every outcome in the second it was intended for', async () => {
  server = await startServer(okHandler);
  const phase = await new PhaseRunner().run(
    testSpec(server.url, { rate: 200, connections: 4, workers: 2, durationMs: 3000, warmupMs: 500, timeoutMs: 5000, perSecond: true }),
  );
  expect(phase.counts).toEqual({ ok: 600, non2xx: 0, errors: 0, timeouts: 0 });
  // Uniform arrivals at 200 rps: exactly 200 intended in each second of the window, over both workers.
  expect(phase.seconds!.seconds.map((s) => [s.second, s.ok, s.failed])).toEqual([
    [0, 200, 0],
    [1, 200, 0],
    [2, 200, 0],
  ]);
  expect(phase.seconds!.unplaced).toBe(0);
  expect(phase.seconds!.seconds.map((s) => decodeHistogram(s.histogram).totalCount)).toEqual([200, 200, 200]);
});

it('records nothing by second unless asked', async () => {
  server = await startServer(okHandler);
  const phase = await new PhaseRunner().run(testSpec(server.url, { rate: 100, connections: 2, durationMs: 1000, warmupMs: 0, timeoutMs: 5000 }));
  expect(phase.seconds).toBeUndefined();
});
