import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { HEAD, problemsOf, runtimeProblemsOf, yaml } from './helpers.ts';

const parse = (...lines: string[]) => loadScenarioText(yaml(...HEAD, ...lines), 'test.yaml').scenario;

describe('workload.command and workload.image', () => {
  it('a command gets the documented defaults: no extra environment, a TCP readiness check, 30 s to pass it', () => {
    expect(parse('workload:', '  command:', '    argv: [python3, server.py, "{port}"]').workload.command).toEqual({
      argv: ['python3', 'server.py', '{port}'],
      env: {},
      ready: 'tcp',
      startTimeout: 30_000,
    });
  });

  it('an image gets port 8080, a TCP check and no extra pull secrets; podSecurity stays restricted unless relaxed', () => {
    const scenario = parse('runtime: kubernetes', 'workload:', '  image: {name: ghcr.io/acme/orders:1.4.2, ready: {httpGet: /healthz}}');
    expect(scenario.workload.image).toEqual({ name: 'ghcr.io/acme/orders:1.4.2', env: {}, port: 8080, ready: { httpGet: '/healthz' }, imagePullSecrets: [] });
    expect(scenario.kubernetes.podSecurity).toBe('restricted');
    expect(parse('runtime: kubernetes', 'kubernetes: {podSecurity: baseline}').kubernetes.podSecurity).toBe('baseline');
  });

  it('refuses echo settings beside the team\'s own server, at their lines', () => {
    expect(problemsOf(yaml(...HEAD, 'workload:', '  payloadBytes: 4KiB', '  command: {argv: [./server]}'))).toEqual([
      {
        source: 'test.yaml',
        line: 6,
        col: 17,
        message: "workload.payloadBytes: payloadBytes configures meshtax's echo server, which workload.command replaces",
        hint: 'remove workload.payloadBytes, or remove workload.command to measure the echo server',
      },
    ]);
  });

  it('refuses an image on the local runtime and a command on Kubernetes, saying which belongs where', () => {
    // The runtime decides which of the team's servers it can run (the registry), as it decides its modes.
    expect(runtimeProblemsOf(yaml(...HEAD, 'workload:', '  image: {name: acme/orders}'))).toEqual([
      {
        source: 'test.yaml',
        line: 6,
        col: 10,
        message: 'workload.image: applies to runtime: kubernetes, but this scenario runs on runtime: local',
        hint: 'run your server locally with workload.command, or set runtime: kubernetes',
      },
    ]);
    expect(runtimeProblemsOf(yaml(...HEAD, 'runtime: kubernetes', 'workload:', '  command: {argv: [./server]}'))[0]).toMatchObject({
      line: 7,
      message: 'workload.command: applies to runtime: local, but this scenario runs on runtime: kubernetes',
    });
  });

  it('refuses a command without a program, a readiness check that is neither, and a numeric environment value', () => {
    expect(problemsOf(yaml(...HEAD, 'workload:', '  command:', '    argv: []', '    ready: http', '    env: {WORKERS: 4}'))).toEqual([
      { source: 'test.yaml', line: 7, col: 11, message: 'workload.command.argv: must name the program to run, e.g. [node, server.js, --port, "{port}"]' },
      { source: 'test.yaml', line: 8, col: 12, message: "workload.command.ready: must be tcp or {httpGet: /path}; got 'http'" },
      { source: 'test.yaml', line: 9, col: 20, message: 'workload.command.env.WORKERS: environment values are strings (quote numbers); got 4' },
    ]);
  });
});
