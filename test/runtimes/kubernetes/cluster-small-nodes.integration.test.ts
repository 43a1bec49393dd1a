import { writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANY_MACHINE, readRun, runCli, tempDir } from '../../helpers/cli.ts';
import { createInertLinkerd, startRunCluster, type RunCluster } from './run-cluster.ts';
import { besidesProgress } from '../../helpers/progress.ts';

/**
 * Nodes the size of a hosted CI runner (4 CPUs): the real scheduler refuses pods that do not fit, as it would on
 * kind. meshtax deploys modes a group at a time, and doctor and run compare the scenario's requests with the nodes
 * before creating anything. Also what doctor says when the API server cannot reach a kubelet, and what --keep
 * records after an early failure.
 */
let run: RunCluster;

const SHORT = ['--set', 'load.rates=[200]', '--set', 'load.duration=2s', '--set', 'load.warmup=1s', '--set', 'kubernetes.idleWindow=1s', ...ANY_MACHINE];

beforeAll(async () => {
  run = await startRunCluster({ nodes: ['node-a', 'node-b'], nodeCapacity: { cpu: '4', memory: '8Gi' } });
}, 120_000);

afterAll(async () => {
  await run?.stop();
});

/** A scenario file: scenarios/kubernetes/baseline.yaml's runtime and modes with `kubernetes` settings of the test's. */
function scenarioFile(kubernetes: string, extra = ''): string {
  const file = path.join(tempDir(), 'scenario.yaml');
  writeFileSync(file, `apiVersion: meshtax.dev/v1alpha1\nkind: Scenario\nmetadata: {name: small-nodes}\nruntime: kubernetes\nmodes: [baseline]\nkubernetes: ${kubernetes}\n${extra}`);
  return file;
}

interface DoctorCheck {
  name: string;
  status: string;
  detail: string;
  hint?: string;
}

async function doctor(args: string[]): Promise<{ code: number; checks: Record<string, DoctorCheck> }> {
  const result = await runCli(['doctor', '--runtime', 'kubernetes', '--json', ...args], undefined, run.env);
  const checks = (JSON.parse(result.stdout) as { checks: DoctorCheck[] }).checks;
  return { code: result.code ?? -1, checks: Object.fromEntries(checks.map((c) => [c.name, c])) };
}

describe('meshtax on 4-CPU nodes', () => {
  it('measures two modes that cannot share the server node one at a time, interleaved, each proven anew', async () => {
    // 3 CPUs per echo pod: baseline and its A/A twin need 6 of node-a's 4 at once.
    const out = tempDir();
    const result = await runCli(
      ['run', 'scenarios/kubernetes/baseline.yaml', '--out', out, ...SHORT, '--set', 'load.repetitions=2', '--set', 'load.noiseFloor=true', '--set', 'kubernetes.resources.app.cpu=3'],
      undefined,
      run.env,
    );
    expect(besidesProgress(result.stderr)).toBe('');
    expect(result.code).toBe(0);
    const recorded = readRun(out).run;
    expect(recorded.status).toBe('completed');
    // Rotated: the second round starts with the other mode, which is then brought up anew.
    expect(recorded.phases.map((p) => `${p.mode}#${p.repetition}`)).toEqual(['baseline#1', 'baseline-aa#1', 'baseline-aa#2', 'baseline#2']);
    for (const phase of recorded.phases) {
      expect(phase.counts.ok).toBeGreaterThan(100);
      expect(phase.resources.find((r) => r.role === 'app')).toBeDefined();
    }
    expect(await run.meshtaxNamespaces()).toEqual([]);
  }, 180_000);

  it('doctor and run refuse a scenario whose single mode does not fit, before creating anything', async () => {
    const file = scenarioFile('{resources: {app: {cpu: "5"}}}');
    const checked = await doctor([file]);
    expect(checked.code).toBe(1);
    const expected =
      'mode baseline does not fit even alone: its pods request 5 CPU and 256 MiB on node node-a, which has 4 CPU and 8192 MiB allocatable, 0 CPU and 0 MiB of it already requested by other pods; lower kubernetes.resources.app, or use a larger node';
    expect(checked.checks.capacity).toEqual({ name: 'capacity', status: 'fail', detail: expected });
    const out = tempDir();
    const result = await runCli(['run', file, '--out', out, ...SHORT], undefined, run.env);
    expect(result.code).toBe(1);
    expect(readRun(out).run.error).toBe(`the scenario's pods do not fit the chosen nodes: ${expected} (meshtax doctor --runtime kubernetes SCENARIO checks this)`);
    expect(await run.meshtaxNamespaces()).toEqual([]);
  });

  it('doctor refuses a group of modes that does not fit at once, and passes the pilot scenario on these nodes', async () => {
    const group = await doctor([scenarioFile('{modesAtOnce: 2, resources: {app: {cpu: "3"}}}', 'load: {noiseFloor: true}\n')]);
    expect(group.code).toBe(1);
    expect(group.checks.capacity!.detail).toBe(
      'modes baseline, baseline-aa do not fit at once (kubernetes.modesAtOnce: 2): their pods request 6 CPU and 512 MiB on node node-a, which has 4 CPU and 8192 MiB allocatable, 0 CPU and 0 MiB of it already requested by other pods; lower kubernetes.modesAtOnce (1 deploys one mode at a time)',
    );
    // Five modes and the A/A baseline, one CPU per echo pod: one mode at a time fits a 4-CPU node.
    const pilot = await doctor(['scenarios/pilot-kubernetes.yaml']);
    expect(pilot.checks.capacity).toEqual({ name: 'capacity', status: 'ok', detail: '1 of 6 modes at a time and one phase\'s generator pods fit node-a and node-b' });
    expect(pilot.checks.placement).toMatchObject({ status: 'info', detail: 'server on node-a, client on node-b' });
  });

  it('--keep after a failure before the first phase records the context and namespaces, and says how to remove them', async () => {
    // A Linkerd control plane that injects nothing: the mode is refused after its namespace was created.
    const removeLinkerd = await createInertLinkerd(run.cluster);
    try {
      const out = tempDir();
      const result = await runCli(['run', 'scenarios/kubernetes/linkerd.yaml', '--out', out, '--keep', ...SHORT, '--set', 'modes=[linkerd]'], undefined, run.env);
      expect(result.code).toBe(1);
      const recorded = readRun(out).run;
      expect(recorded.error).toMatch(/^mode linkerd is not in effect/);
      expect(recorded.phases).toEqual([]);
      const namespace = `meshtax-${recorded.runId}-linkerd`;
      expect(recorded.environment.runtime).toMatchObject({ context: 'meshtax-test', namespaces: [namespace], kept: true, serverNode: 'node-a' });
      expect(besidesProgress(result.stderr)).toBe(`meshtax: kept ${namespace}; remove them with meshtax cleanup --run-id ${recorded.runId}`);
      expect(await run.meshtaxNamespaces()).toEqual([namespace]);
      expect((await runCli(['cleanup', '--run-id', recorded.runId], undefined, run.env)).code).toBe(0);
      expect(await run.meshtaxNamespaces()).toEqual([]);
    } finally {
      await removeLinkerd();
    }
  });

  it('doctor fails when no metrics source answers, and when the API server cannot reach a kubelet', async () => {
    // The kubelet answers, but not with metrics (a 404 of its own); metrics.k8s.io is not installed.
    run.cluster.kubelet.onMetrics((_node, response) => {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('404 page not found\n');
    });
    const noMetrics = await doctor([]);
    expect(noMetrics.code).toBe(1);
    expect(noMetrics.checks['kubelet node-a']).toMatchObject({ status: 'ok' });
    expect(noMetrics.checks['kubelet metrics']).toMatchObject({ status: 'warn' });
    expect(noMetrics.checks['metrics.k8s.io']).toMatchObject({ status: 'fail' });
    expect(noMetrics.checks['metrics.k8s.io']!.detail).toMatch(/^not available either: HTTP 404.*; a run would have no CPU or memory figures$/);
    // node-b's kubelet drops every connection: pod logs (the generator's results) cannot come back either.
    const drop = (node: string, response: ServerResponse): void => {
      if (node === 'node-b') response.socket?.destroy();
      else {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('ok');
      }
    };
    run.cluster.kubelet.onOther((node, _request, response) => drop(node, response));
    const unreachable = await doctor([]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.checks['kubelet node-a']).toMatchObject({ status: 'ok' });
    expect(unreachable.checks['kubelet node-b']!.status).toBe('fail');
    expect(unreachable.checks['kubelet node-b']!.detail).toMatch(/^the API server cannot reach the kubelet of node-b: HTTP 5\d\d/);
    expect(unreachable.checks['kubelet node-b']!.hint).toMatch(/generator results come back as pod logs over this same path/);
  });
});
