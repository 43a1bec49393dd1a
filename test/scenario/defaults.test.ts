import { expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { HEAD, yaml } from './helpers.ts';

it('gives a minimal file exactly the documented defaults, in milliseconds and bytes', () => {
  expect(loadScenarioText(yaml(...HEAD), 'test.yaml').scenario).toStrictEqual({
    apiVersion: 'meshtax.dev/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 'demo' },
    runtime: 'local',
    local: { bindAddress: '127.0.0.1', proxy: 'auto', mtls: true, isolation: 'loopback' },
    kubernetes: {
      image: 'docker.io/library/node:24-alpine',
      imagePullSecrets: [],
      podSecurity: 'restricted',
      istio: {},
      resources: { app: { cpu: '1', memory: '256Mi' }, loadgen: { cpu: '1', memory: '512Mi' } },
      generator: { maxRatePerPod: 2000, startDelay: 15_000 },
      placement: { server: {}, client: {} },
      modesAtOnce: 1,
      idleWindow: 12_000,
      timeouts: { rollout: 300_000, podStart: 180_000, cleanup: 300_000 },
    },
    modes: ['baseline'],
    workload: { payloadBytes: 1024, responseDelay: 0 },
    load: {
      loop: 'open',
      arrival: 'uniform',
      rates: [1000],
      protocol: 'http1',
      connections: 8,
      streams: 1,
      duration: 20_000,
      warmup: 5000,
      repetitions: 1,
      workers: 1,
      timeout: 10_000,
      order: 'rotated',
      noiseFloor: false,
      onPhaseFailure: 'stop',
    },
    thresholds: [],
    output: { dir: 'results' },
  });
});

it('gives the closed loop no rates', () => {
  const { scenario } = loadScenarioText(yaml(...HEAD, 'load: {loop: closed}'), 'test.yaml');
  expect(scenario.load.rates).toStrictEqual([]);
});
