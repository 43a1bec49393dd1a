import { describe, expect, it } from 'vitest';
import { scenarioGroup } from '../../src/analysis/scenario-fingerprint.ts';
import type { RunDocument } from '../../src/results/schema.ts';

type Settings = Pick<RunDocument, 'scenario' | 'scenarioSource' | 'environment'>;

interface Scenario {
  apiVersion: string;
  kind: string;
  metadata: { name: string; description: string };
  runtime: string;
  local: { proxy: string; mtls: boolean };
  modes: string[];
  workload: { payloadBytes: number; responseDelay: number };
  load: { rates: number[]; connections: number } & Record<string, unknown>;
  thresholds: unknown[];
  output: { dir: string };
}
interface Runtime {
  name: string;
  proxy: { kind: string; version: string };
  mtls: boolean;
}

/** A resolved scenario as run.json records it (durations in ms, sizes in bytes), with the proxy that carried it. */
function run(change: (scenario: Scenario, runtime: Runtime) => void = () => {}): Settings {
  const scenario: Scenario = {
    apiVersion: 'meshtax.dev/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 'quickstart', description: 'what a mesh adds' },
    runtime: 'local',
    local: { proxy: 'auto', mtls: true },
    modes: ['baseline', 'sidecar', 'node-proxy'],
    workload: { payloadBytes: 1024, responseDelay: 0 },
    load: { loop: 'open', arrival: 'uniform', rates: [1000], connections: 8, duration: 2500, warmup: 500, repetitions: 5, seed: 7 },
    thresholds: [],
    output: { dir: 'results' },
  };
  const runtime: Runtime = { name: 'local', proxy: { kind: 'haproxy', version: '2.8.5' }, mtls: true };
  change(scenario, runtime);
  return {
    scenario: { ...scenario },
    scenarioSource: 'scenarios/quickstart.yaml',
    environment: { runtime } as unknown as RunDocument['environment'],
  };
}

describe('the scenario group of a run: which runs one trend may join', () => {
  const base = scenarioGroup(run());

  it('names the scenario and says its settings in a line, with thousands separators', () => {
    expect(base.scenario).toBe('quickstart');
    expect(base.fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(base.settings).toBe('local, haproxy 2.8.5, mTLS on, modes baseline, sidecar, node-proxy, 1,000 rps, 8 connections, 1,024 B payload');
  });

  it('is not split by how long or how often a run measured, its seed, thresholds, description or output', () => {
    const same = scenarioGroup(
      run((s) => {
        s.load = { ...s.load, duration: 20_000, warmup: 5000, repetitions: 10, seed: 99, order: 'shuffled', timeout: 10_000 };
        s.thresholds = [{ metric: 'p99-delta', max: '1ms' }];
        s.metadata = { name: 'quickstart', description: 'nightly' };
        s.output = { dir: 'elsewhere' };
      }),
    );
    expect(same.fingerprint).toBe(base.fingerprint);
  });

  const splits: [string, (s: Scenario, r: Runtime) => void][] = [
    ['the proxy that carried the traffic', (_, r) => { r.proxy = { kind: 'builtin', version: '0.1.0' }; }],
    ['mTLS', (s, r) => { s.local.mtls = false; r.mtls = false; }],
    ['the modes', (s) => { s.modes = ['baseline', 'sidecar']; }],
    ['the rates', (s) => { s.load.rates = [1000, 2000]; }],
    ['the connections', (s) => { s.load.connections = 16; }],
    ['the payload', (s) => { s.workload.payloadBytes = 4096; }],
    ['the runtime', (s) => { s.runtime = 'kubernetes'; }],
  ];
  it.each(splits)('is split by %s', (_, change) => {
    expect(scenarioGroup(run(change)).fingerprint).not.toBe(base.fingerprint);
  });
});
