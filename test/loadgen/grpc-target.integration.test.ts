import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { PhaseRunner } from '../../src/loadgen/phase.ts';
import { builtinRoot, ECHO_METHOD, encodeRequest, frame, HEALTH_METHOD, unaryMethod } from '../../src/protocols/grpc.ts';
import { requestMix } from '../../src/scenario/request-mix.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';
import { grpcJsCaller, startGrpcJsEcho } from '../helpers/h2-servers.ts';
import { testSpec } from '../helpers/spec.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The gRPC call a scenario with `load` describes, as the run would send it. */
function mixOf(load: Record<string, unknown>) {
  const scenario = scenarioSchema.parse({ apiVersion: 'meshtax.dev/v1alpha1', kind: 'Scenario', metadata: { name: 'g' }, load });
  return requestMix(scenario.load);
}

describe('open loop over gRPC', () => {
  it('calls the reference implementation (@grpc/grpc-js) and counts each call by its grpc-status', async () => {
    const server = await startGrpcJsEcho();
    cleanups.push(() => server.close());
    const mix = mixOf({ protocol: 'grpc', grpc: { message: { response_bytes: 64 } } });
    const phase = await new PhaseRunner().run(testSpec(server.url, { rate: 200, connections: 2, durationMs: 1000, warmupMs: 100, ...mix, streams: 2 }));
    expect(phase.counts).toEqual({ ok: 200, non2xx: 0, errors: 0, timeouts: 0 });
    expect(server.calls()).toBe(220);
    expect(phase.protocol).toBe('grpc');
    expect(phase.endpoints?.map((e) => e.name)).toEqual([ECHO_METHOD]);
    // Each reply carries 64 payload bytes in its message (plus framing and protobuf tags).
    expect(phase.bytesReceived).toBeGreaterThanOrEqual(200 * (5 + 2 + 64));
  });

  it('counts a call the server refuses (a non-zero grpc-status) as failed', async () => {
    const server = await startGrpcJsEcho(() => 0, grpc.status.RESOURCE_EXHAUSTED);
    cleanups.push(() => server.close());
    const phase = await new PhaseRunner().run(testSpec(server.url, { rate: 100, connections: 1, durationMs: 1000, ...mixOf({ protocol: 'grpc' }) }));
    expect(phase.counts).toEqual({ ok: 0, non2xx: 100, errors: 0, timeouts: 0 });
  });

  it("meshtax's echo server is a real gRPC server: grpc-js calls its echo and health services", async () => {
    const child = spawn(process.execPath, ['src/runtimes/local/echo-server.ts', '--protocol', 'grpc', '--payload-bytes', '10'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    cleanups.push(async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    });
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const { port } = JSON.parse(line) as { port: number };
    const { call, close } = grpcJsCaller(port);
    cleanups.push(close);
    expect(((await call(ECHO_METHOD, {})).payload as Buffer).length).toBe(10);
    expect(((await call(ECHO_METHOD, { response_bytes: 3 })).payload as Buffer).length).toBe(3);
    expect((await call(HEALTH_METHOD, {})).status).toBe(1);
    await expect(call(ECHO_METHOD, {}, '/meshtax.echo.v1.Echo/Nope')).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
  });

  it('frames a message as gRPC does: flag 0, big-endian length, the message', () => {
    const method = unaryMethod(builtinRoot(), ECHO_METHOD);
    expect([...frame(encodeRequest(method, { response_bytes: 3 }))]).toEqual([0, 0, 0, 0, 2, 0x10, 3]);
  });
});
