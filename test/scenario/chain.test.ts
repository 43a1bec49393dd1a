import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { runtimeFor } from '../../src/runtimes/registry.ts';
import { HEAD, runtimeProblemsOf, yaml } from './helpers.ts';

const CHAIN = ['workload:', '  chain: {depth: 3}'];

describe('workload.chain on each runtime', () => {
  it('runs on Kubernetes and on the local runtime\'s loopback', () => {
    const host = { platform: 'linux' as const, isRoot: () => true, hasNetworkCapabilities: () => true, runs: () => true };
    for (const runtime of ['runtime: kubernetes\nmodes: [baseline, istio-sidecar]', 'runtime: local\nmodes: [baseline, sidecar]']) {
      expect(runtimeFor(loadScenarioText(yaml(...HEAD, runtime, ...CHAIN), 'test.yaml', []), host).name).toBe(runtime.slice(9, runtime.indexOf('\n')));
    }
  });

  it('is refused with HTTP/2 or gRPC load: the services forward over HTTP/1.1', () => {
    expect(runtimeProblemsOf(yaml(...HEAD, 'runtime: kubernetes', 'modes: [baseline]', ...CHAIN, 'load: {protocol: http2}'))).toEqual([
      {
        source: 'test.yaml',
        line: 8,
        col: 10,
        message: 'workload.chain forwards each request to the next service over HTTP/1.1; load.protocol is http2',
        hint: 'set load.protocol: http1 for call chains, or remove workload.chain',
      },
    ]);
  });

  it('is refused with local.isolation: netns', () => {
    expect(runtimeProblemsOf(yaml(...HEAD, 'modes: [baseline]', 'local: {isolation: netns}', ...CHAIN)).map((p) => p.message)).toEqual([
      'workload.chain runs its services on loopback; local.isolation: netns gives one server pod a namespace and cannot hold a chain',
    ]);
  });
});
