import { describe, expect, it } from 'vitest';
import { ANY_MACHINE, readRun, runCli, tempDir, sets } from '../../helpers/cli.ts';

/**
 * HTTP/2 and gRPC through every local mode's proxies, with mTLS between them: HAProxy (proto h2 / alpn h2) and the
 * built-in proxy's HTTP/2 listener. Every request the generator sent must come back with the expected status
 * (gRPC: grpc-status 0 from meshtax's echo server, forwarded in trailers through each L7 hop).
 */
const MODES = 'modes=[sidecar,node-proxy-waypoint]';
/** Two modes, each with proxies to start and an idle level to sample: slow on a busy machine. */
const RUN_TIMEOUT_MS = 180_000;

describe.each(['builtin', 'haproxy'])('a local run over HTTP/2 and gRPC through the %s proxy', (proxy) => {
  it.each(['http2', 'grpc'])('%s: every request of every mode succeeds', async (protocol) => {
    const out = tempDir();
    const result = await runCli([
      'run',
      ...ANY_MACHINE,
      '--out',
      out,
      ...sets(
        MODES,
        `local.proxy=${proxy}`,
        `load.protocol=${protocol}`,
        'load.streams=2',
        'load.connections=2',
        'load.rates=[100]',
        'load.repetitions=1',
        'load.warmup=500ms',
        'load.duration=1s',
      ),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const { run } = readRun(out);
    expect(run.phases.map((phase) => phase.mode)).toEqual(['sidecar', 'node-proxy-waypoint']);
    for (const phase of run.phases) {
      expect(phase.protocol).toBe(protocol);
      expect(phase.counts, phase.mode).toEqual({ ok: 100, non2xx: 0, errors: 0, timeouts: 0 });
    }
    if (protocol === 'grpc') expect(run.phases[0]!.endpoints?.map((e) => e.name)).toEqual(['meshtax.echo.v1.Echo/Echo']);
  }, RUN_TIMEOUT_MS);
});
