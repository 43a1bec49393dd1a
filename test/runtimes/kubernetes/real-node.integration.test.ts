import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ANY_MACHINE, readRun, runCli, startCli, tempDir } from '../../helpers/cli.ts';
import { startupSchema } from '../../../src/startup/schema.ts';
import { startControlPlane, type ControlPlane } from '../../helpers/kube/cluster.ts';
import { SERVICE_CIDR, startRealNode, type RealNode } from '../../helpers/kube/node.ts';
import { poll } from '../../helpers/poll.ts';

/**
 * `meshtax run` on a real node (test/helpers/kube/node.ts): containerd and runc run the echo server and the generator
 * in containers of a local Node image, kube-proxy carries the generator's requests to the echo Service, the kubelet
 * serves the generator's log and /metrics/resource through the API server. Nothing here is simulated. The host
 * routes the node's pod network (as a cluster's API server reaches its pods), so `meshtax startup` reads its
 * prober pod through the API server's pod proxy.
 */
let plane: ControlPlane;
let node: RealNode;
let core: k8s.CoreV1Api;
let env: NodeJS.ProcessEnv;

// With containerd the kubelet reads a container's stats from the runtime at every scrape (npm run
// bench:kubelet-stats: fresh every 0.26–0.53 s), so the CPU counters move within a window of a few seconds.
const SHORT = [
  '--set', 'load.rates=[200]',
  '--set', 'load.duration=4s',
  '--set', 'load.warmup=2s',
  '--set', 'load.repetitions=1',
  '--set', 'kubernetes.idleWindow=1s',
  '--set', 'kubernetes.resources.app.cpu=500m',
  '--set', 'kubernetes.resources.loadgen.cpu=500m',
  ...ANY_MACHINE,
];

beforeAll(async () => {
  plane = await startControlPlane({ serviceCidr: SERVICE_CIDR, gatewayApi: false });
  node = await startRealNode(plane, { routePods: true });
  core = plane.kubeConfig().makeApiClient(k8s.CoreV1Api);
  env = { KUBECONFIG: plane.kubeconfigPath };
}, 180_000);

afterAll(async () => {
  await node?.stop();
  await plane?.stop();
  // The node's namespaces, veth, cgroups (in every hierarchy) and files are gone with it.
  expect(node?.leftovers()).toEqual([]);
});

async function meshtaxNamespaces(): Promise<string[]> {
  const list = await core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=meshtax' });
  return list.items.map((ns) => ns.metadata?.name ?? '');
}

/**
 * The node's pod sandboxes and containers that belong to meshtax's namespaces: running ones, or with `all`, exited
 * ones too (`crictl pods`, `crictl ps -a`). The kubelet stops a deleted pod's containers at once and removes them
 * from containerd after, at the latest at its next container garbage collection, which runs every minute
 * (ContainerGCPeriod, k8s.io/kubernetes pkg/kubelet/kubelet.go:229).
 */
function meshtaxContainers(all: boolean): string[] {
  const pods = JSON.parse(node.crictl(['pods', ...(all ? [] : ['--state', 'Ready']), '-o', 'json'])) as { items: { metadata: { namespace: string; name: string } }[] };
  const containers = JSON.parse(node.crictl(['ps', ...(all ? ['-a'] : []), '-o', 'json'])) as { containers: { labels: Record<string, string> }[] };
  return [
    ...pods.items.filter((p) => p.metadata.namespace.startsWith('meshtax-')).map((p) => `pod ${p.metadata.namespace}/${p.metadata.name}`),
    ...containers.containers
      .filter((c) => (c.labels['io.kubernetes.pod.namespace'] ?? '').startsWith('meshtax-'))
      .map((c) => `container ${c.labels['io.kubernetes.pod.namespace']}/${c.labels['io.kubernetes.pod.name']}/${c.labels['io.kubernetes.container.name']}`),
  ];
}

describe('meshtax run on a real node', () => {
  it('runs baseline in real containers, measures them through the kubelet and leaves nothing behind', async () => {
    const out = tempDir();
    const result = await runCli(['run', 'scenarios/kubernetes/baseline.yaml', '--out', out, '--set', `kubernetes.image=${node.image}`, '--set', 'kubernetes.imagePullPolicy=Never', ...SHORT], undefined, env);
    expect(result.code, result.stderr).toBe(0);
    const { run } = readRun(out);
    expect(run.status).toBe('completed');
    const phase = run.phases[0]!;
    expect(phase.mode).toBe('baseline');
    // 200 rps, evenly spaced, for 4 s through kube-proxy's DNAT to the echo pod: every one of the 800 answered.
    expect(phase.counts).toEqual({ ok: 800, non2xx: 0, errors: 0, timeouts: 0 });
    // The median within a sane range of the local runtime's at the same load: one bridge and a DNAT more than
    // loopback, so above zero and within 20 times the local median plus 20 ms on a busy 2-core machine.
    const local = tempDir();
    const localRun = await runCli(['run', 'scenarios/quickstart.yaml', '--out', local, '--set', 'modes=[baseline]', '--set', 'load.rates=[200]', '--set', 'load.duration=3s', '--set', 'load.warmup=1s', '--set', 'load.repetitions=1', ...ANY_MACHINE]);
    expect(localRun.code, localRun.stderr).toBe(0);
    const localP50 = readRun(local).run.phases[0]!.latencyUs.p50 ?? Number.NaN;
    expect(localP50).toBeGreaterThan(0);
    expect(phase.latencyUs.p50).toBeGreaterThan(0);
    expect(phase.latencyUs.p50).toBeLessThan(20 * localP50 + 20_000);
    const runtime = run.environment.runtime as Record<string, unknown>;
    expect(runtime).toMatchObject({ name: 'kubernetes', kubernetesVersion: 'v1.37.2', serverNode: node.name, clientNode: node.name });
    // CPU and memory of both containers from the real kubelet's /metrics/resource (cAdvisor over cgroup v1).
    const roles = Object.fromEntries(phase.resources.map((r) => [r.role, r]));
    expect(roles.app).toMatchObject({ container: 'echo', node: node.name, memoryKind: 'working-set' });
    expect(roles.loadgen).toMatchObject({ container: 'loadgen', node: node.name, memoryKind: 'working-set' });
    for (const role of [roles.app!, roles.loadgen!]) {
      expect(role.cpuCores).toBeGreaterThan(0);
      expect(role.memoryBytes).toBeGreaterThan(1024 * 1024);
    }
    expect(await meshtaxNamespaces()).toEqual([]);
    // Nothing of the run runs on the node any more; the next test waits for their removal too.
    await poll(() => meshtaxContainers(false), (left) => left.length === 0, 30_000, 500);
    expect(meshtaxContainers(false)).toEqual([]);
  }, 240_000);

  it('runs a depth-2 baseline chain in real containers: svc-1 calls svc-2 through its Service name', async () => {
    const out = tempDir();
    const result = await runCli(
      ['run', 'scenarios/kubernetes/call-chain.yaml', '--out', out, '--set', 'modes=[baseline]', '--set', 'workload.chain.depth=2', '--set', `kubernetes.image=${node.image}`, '--set', 'kubernetes.imagePullPolicy=Never', ...SHORT],
      undefined,
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const { run } = readRun(out);
    expect(run.status).toBe('completed');
    // Depth 1 calls svc-2; depth 2 calls svc-1, which answers 200 only once its own call to http://svc-2:8080/
    // (CoreDNS, then kube-proxy's DNAT to svc-2's pod) came back 2xx, and 502 otherwise: every request of depth 2
    // answered 200 went through both services.
    expect(run.phases.map((p) => [p.depth, p.counts])).toEqual([
      [1, { ok: 800, non2xx: 0, errors: 0, timeouts: 0 }],
      [2, { ok: 800, non2xx: 0, errors: 0, timeouts: 0 }],
    ]);
    // Each depth is charged the services on its path: svc-2 alone at depth 1, both at depth 2, each busy.
    const apps = (depth: number): string[] =>
      run.phases.find((p) => p.depth === depth)!.resources.filter((r) => r.role === 'app' && (r.cpuCores ?? 0) > 0).map((r) => r.pod.replace(/-[a-z0-9]+-[a-z0-9]+$/, '')).sort();
    expect(apps(1)).toEqual(['svc-2']);
    expect(apps(2)).toEqual(['svc-1', 'svc-2']);
    expect(await meshtaxNamespaces()).toEqual([]);
    await poll(() => meshtaxContainers(false), (left) => left.length === 0, 30_000, 500);
  }, 300_000);

  it('times baseline start-up in real containers to Ready and to the first answer, asked by the real prober', async () => {
    const out = tempDir();
    const result = await runCli(
      ['startup', 'scenarios/kubernetes/baseline.yaml', '--out', out, '--pods', '3', '--rounds', '2', '--set', `kubernetes.image=${node.image}`, '--set', 'kubernetes.imagePullPolicy=Never', '--set', 'kubernetes.resources.app.cpu=250m', '--json'],
      undefined,
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const printed = startupSchema.parse(JSON.parse(result.stdout));
    const [runDir] = readdirSync(out);
    // Figures for the reader of the test log.
    console.log(readFileSync(path.join(out, runDir!, 'startup.md'), 'utf8'));
    expect(printed).toMatchObject({ runtime: 'kubernetes', measures: 'creation-to-ready', pods: 3, rounds: 2 });
    const [baseline] = printed.modes;
    expect(baseline).toMatchObject({ mode: 'baseline', samples: 6, failed: 0 });
    // Every pod answered the prober's GET through the node's bridge; the prober's times came over on its clock.
    const answer = baseline!.firstAnswer;
    expect(answer.measured, JSON.stringify(answer)).toBe(true);
    if (!answer.measured) return;
    expect(answer).toMatchObject({ samples: 6, unanswered: 0, deltaP50Ms: null, pollIntervalMs: 25 });
    expect(answer.perRoundP50Ms).toHaveLength(2);
    expect(answer.p50IntervalMs).not.toBeNull();
    expect(answer.startupMs!.p50).toBeGreaterThan(0);
    expect(answer.startupMs!.max).toBeGreaterThanOrEqual(answer.startupMs!.p50);
    expect(Number.isFinite(answer.clockErrorMs)).toBe(true);
    expect(answer.clockErrorMs).toBeGreaterThan(0);
    expect(readFileSync(path.join(out, runDir!, 'startup.csv'), 'utf8')).toContain('firstAnswerP50Ms');
    expect(await meshtaxNamespaces()).toEqual([]);
    await poll(() => meshtaxContainers(false), (left) => left.length === 0, 30_000, 500);
    expect(meshtaxContainers(false)).toEqual([]);
  }, 300_000);

  it('leaves no pods, namespaces or containers after Ctrl-C during a phase', async () => {
    const out = tempDir();
    const { child, done } = startCli(['run', 'scenarios/kubernetes/baseline.yaml', '--out', out, '--set', `kubernetes.image=${node.image}`, '--set', 'kubernetes.imagePullPolicy=Never', ...SHORT, '--set', 'load.duration=60s'], undefined, env);
    // A generator container running on the node: the phase has begun.
    await poll(
      () => JSON.parse(node.crictl(['ps', '--name', 'loadgen', '--state', 'Running', '-o', 'json'])) as { containers: unknown[] },
      (running) => running.containers.length > 0,
      120_000,
      500,
    );
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(readRun(out).run.status).toBe('interrupted');
    expect(await meshtaxNamespaces()).toEqual([]);
    const pods = await core.listPodForAllNamespaces({ labelSelector: 'app.kubernetes.io/managed-by=meshtax' });
    expect(pods.items).toEqual([]);
    await poll(() => meshtaxContainers(false), (left) => left.length === 0, 30_000, 500);
    expect(meshtaxContainers(false)).toEqual([]);
    // Within two garbage-collection periods at most, the kubelet has removed every sandbox and container of both runs.
    await poll(() => meshtaxContainers(true), (left) => left.length === 0, 130_000, 1000);
    expect(meshtaxContainers(true)).toEqual([]);
  }, 300_000);
});
