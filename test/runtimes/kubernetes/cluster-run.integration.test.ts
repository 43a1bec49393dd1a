import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANY_MACHINE, readRun, runCli, startCli, tempDir } from '../../helpers/cli.ts';
import { startCluster, type TestCluster } from '../../helpers/kube/cluster.ts';
import { poll } from '../../helpers/poll.ts';
import { okHandler, startServer, type TestServer } from '../../helpers/servers.ts';
import { runPodsLocally, type PodRunner } from './pod-runner.ts';
import { besidesProgress } from '../../helpers/progress.ts';
import { createInertLinkerd } from './run-cluster.ts';
import { LINKERD_VERSION } from '../../helpers/kube/linkerd.ts';

/**
 * `meshtax run` against a real kube-apiserver, controller-manager and scheduler (test/helpers/kube), two fake nodes,
 * and generator pods whose bundled code runs on this host (pod-runner.ts). Everything meshtax does in the cluster
 * goes through @kubernetes/client-node over HTTPS, as it would against a real cluster.
 */
let cluster: TestCluster;
let echo: TestServer;
let pods: PodRunner;
let core: k8s.CoreV1Api;
let env: NodeJS.ProcessEnv;

const SHORT = ['--set', 'load.rates=[200]', '--set', 'load.duration=2s', '--set', 'load.warmup=1s', '--set', 'load.repetitions=1', '--set', 'kubernetes.idleWindow=1s', ...ANY_MACHINE];

beforeAll(async () => {
  cluster = await startCluster({ nodes: ['node-a', 'node-b'] });
  echo = await startServer(okHandler);
  pods = runPodsLocally(cluster, echo.url);
  core = cluster.kubeConfig().makeApiClient(k8s.CoreV1Api);
  env = { KUBECONFIG: cluster.kubeconfigPath };
}, 120_000);

afterAll(async () => {
  await pods?.stop();
  await echo?.close();
  await cluster?.stop();
});

async function meshtaxNamespaces(): Promise<string[]> {
  const list = await core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=meshtax' });
  return list.items.map((ns) => ns.metadata?.name ?? '');
}

describe('meshtax run on a real API server', () => {
  it('creates its objects, waits, measures through the generator\'s log, records the cluster and cleans up', async () => {
    const out = tempDir();
    const result = await runCli(['run', 'scenarios/kubernetes/baseline.yaml', '--out', out, ...SHORT], undefined, env);
    expect(besidesProgress(result.stderr)).toBe('');
    expect(result.code).toBe(0);
    const { run } = readRun(out);
    expect(run.status).toBe('completed');
    expect(run.phases).toHaveLength(1);
    const phase = run.phases[0]!;
    expect(phase.mode).toBe('baseline');
    expect(phase.counts.ok).toBeGreaterThan(300);
    expect(phase.counts.errors + phase.counts.timeouts).toBe(0);
    expect(echo.requests()).toBeGreaterThan(300);
    // Server and client on different nodes, the same for every mode.
    const runtime = run.environment.runtime as Record<string, unknown>;
    expect(runtime).toMatchObject({ name: 'kubernetes', context: 'meshtax-test', kubernetesVersion: 'v1.37.2', serverNode: 'node-a', clientNode: 'node-b', kept: false });
    expect((runtime.nodes as { name: string }[]).map((n) => n.name).sort()).toEqual(['node-a', 'node-b']);
    const generator = pods.generatorPods.at(-1)!;
    expect(generator.spec?.nodeName).toBe('node-b');
    expect(generator.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'meshtax', 'meshtax.dev/run-id': run.runId, 'meshtax.dev/role': 'loadgen' });
    // CPU from the kubelet's counters through the node proxy, attributed by role.
    const roles = Object.fromEntries(phase.resources.map((r) => [r.role, r]));
    expect(roles.app).toMatchObject({ container: 'echo', memoryKind: 'working-set', memoryBytes: 32 * 1024 * 1024 });
    expect(roles.app!.cpuCores).toBeCloseTo(0.1, 2);
    expect(roles.loadgen!.cpuCores).toBeCloseTo(0.25, 2);
    expect(roles.app!.idleCpuCores).toBeCloseTo(0.1, 2);
    // Each row names its pod's node (spec.nodeName): per-node mesh cost sums by it.
    expect([roles.app!.node, roles.loadgen!.node]).toEqual(['node-a', 'node-b']);
    expect(await meshtaxNamespaces()).toEqual([]);
  });

  it('reports a missing mesh before creating anything', async () => {
    const out = tempDir();
    const result = await runCli(['run', 'scenarios/kubernetes/linkerd.yaml', '--out', out, ...SHORT], undefined, env);
    expect(result.code).toBe(1);
    expect(readRun(out).run.error).toBe(
      'Linkerd control plane not found: no linkerd-destination in namespace linkerd, nor any Deployment labelled linkerd.io/control-plane-component=destination elsewhere (install it: linkerd install --crds | kubectl apply -f - && linkerd install | kubectl apply -f -)',
    );
    expect(await meshtaxNamespaces()).toEqual([]);
  });

  it('refuses a mode that is not in effect (no proxy injected), naming what is missing, and cleans up', async () => {
    // A Linkerd control plane that exists but injects nothing: the namespace asks for injection, no proxy arrives.
    const removeLinkerd = await createInertLinkerd(cluster);
    try {
      const out = tempDir();
      const result = await runCli(['run', 'scenarios/kubernetes/linkerd.yaml', '--out', out, ...SHORT], undefined, env);
      expect(result.code).toBe(1);
      const { run } = readRun(out);
      expect(run.error).toMatch(/^mode linkerd is not in effect: pod echo-[a-z0-9]+-[a-z0-9]+ has no linkerd-proxy container \(containers: echo\); is the Linkerd proxy injector running \(linkerd check\)\?$/);
      // run.json records what the runtime found before it failed: the (inert) Linkerd control plane.
      expect((run.environment.runtime as { meshes: unknown[] }).meshes).toEqual([{ mesh: 'linkerd', namespace: 'linkerd', version: LINKERD_VERSION }]);
      expect(await meshtaxNamespaces()).toEqual([]);
    } finally {
      await removeLinkerd();
    }
  });

  it('keeps its namespaces with --keep, and meshtax cleanup removes them by run id', async () => {
    const out = tempDir();
    const result = await runCli(['run', 'scenarios/kubernetes/baseline.yaml', '--out', out, '--keep', ...SHORT], undefined, env);
    expect(result.code).toBe(0);
    const { run } = readRun(out);
    expect(besidesProgress(result.stderr)).toBe(`meshtax: kept meshtax-${run.runId}-baseline; remove them with meshtax cleanup --run-id ${run.runId}`);
    expect(await meshtaxNamespaces()).toEqual([`meshtax-${run.runId}-baseline`]);
    const empty = await runCli(['cleanup', '--run-id', ''], undefined, env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe("meshtax: --run-id '' is not a run id like 20261201-120000-ab12 (run.json's runId: date, time, 4 hex digits)\n");
    const other = await runCli(['cleanup', '--run-id', '20200101-000000-ffff'], undefined, env);
    expect(other.stdout).toBe('nothing to clean up in context meshtax-test for run 20200101-000000-ffff\n');
    const cleanup = await runCli(['cleanup', '--run-id', run.runId], undefined, env);
    expect(cleanup.code).toBe(0);
    expect(cleanup.stdout).toBe(`deleted namespace meshtax-${run.runId}-baseline (run ${run.runId})\n`);
    expect(await meshtaxNamespaces()).toEqual([]);
  });

  it('reports a namespace stuck Terminating, naming it and why', async () => {
    const out = tempDir();
    const kept = await runCli(['run', 'scenarios/kubernetes/baseline.yaml', '--out', out, '--keep', ...SHORT], undefined, env);
    expect(kept.code).toBe(0);
    const namespace = `meshtax-${readRun(out).run.runId}-baseline`;
    // A finalizer nobody removes holds the namespace in Terminating, as a dead operator's would.
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'held', finalizers: ['meshtax.dev/test-hold'] } } });
    const stuck = await runCli(['cleanup', '--all', '--timeout', '8s'], undefined, env);
    expect(stuck.code).toBe(1);
    expect(stuck.stderr).toMatch(new RegExp(`^meshtax: clean-up incomplete: namespace ${namespace} is stuck Terminating \\(.*NamespaceFinalizersRemaining: .*meshtax.dev/test-hold.*\\); see kubectl get namespace ${namespace} -o yaml\\n$`));
    await core.patchNamespacedConfigMap({ name: 'held', namespace, body: [{ op: 'remove', path: '/metadata/finalizers' }] }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch));
    const done = await runCli(['cleanup', '--all'], undefined, env);
    expect(done.code).toBe(0);
    expect(await meshtaxNamespaces()).toEqual([]);
  });

  it('cleans up after Ctrl-C during a phase and exits 130', async () => {
    const out = tempDir();
    const before = pods.logRequests.length;
    const { child, done } = startCli(['run', 'scenarios/kubernetes/baseline.yaml', '--out', out, ...SHORT, '--set', 'load.duration=30s'], undefined, env);
    await poll(() => pods.logRequests.length, (length) => length !== before, 60_000, 200);
    expect(pods.logRequests.length).toBeGreaterThan(before);
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(readRun(out).run.status).toBe('interrupted');
    expect(await meshtaxNamespaces()).toEqual([]);
    // The generator's log stream closed when its pod was deleted, which stopped the "container".
    await poll(() => pods.running(), (running) => running === 0, 10_000, 200);
    expect(pods.running()).toBe(0);
  });

  it('doctor --runtime kubernetes checks the API, permissions, nodes, meshes and metrics sources', async () => {
    const result = await runCli(['doctor', '--runtime', 'kubernetes', '--json'], undefined, env);
    expect(result.code).toBe(0);
    const checks = Object.fromEntries((JSON.parse(result.stdout) as { checks: { name: string; status: string; detail: string }[] }).checks.map((c) => [c.name, c]));
    expect(checks['api server']).toEqual({ name: 'api server', status: 'ok', detail: 'v1.37.2' });
    expect(checks.permissions!.status).toBe('ok');
    expect(checks.nodes).toEqual({ name: 'nodes', status: 'ok', detail: '2 schedulable: node-a, node-b' });
    expect(checks.linkerd).toMatchObject({ status: 'info', detail: 'not installed: modes linkerd are unavailable' });
    expect(checks['gateway api']).toMatchObject({ status: 'info', detail: 'CRDs installed, but no GatewayClass istio-waypoint: mode istio-waypoint is unavailable' });
    expect(checks['kubelet metrics']!.status).toBe('ok');
    expect(checks.leftovers).toMatchObject({ status: 'ok' });
  });
});

