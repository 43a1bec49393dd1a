import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANY_MACHINE, readRun, runCli, tempDir } from '../../helpers/cli.ts';
import { besidesProgress } from '../../helpers/progress.ts';
import { INPUT_ENV, type GeneratorInput } from '../../../src/runtimes/kubernetes/generator/protocol.ts';
import { hops } from './mesh-hops.ts';
import { startMeshCluster, type MeshCluster } from './mesh-cluster.ts';

/**
 * A call chain on the real API server with Istio's own control plane (test/helpers/kube/istio.ts): istiod injects
 * every service's pod, meshtax proves each one and measures every depth. The generators run on this host against the
 * test's echo server (pod-runner.ts), so the services do not really forward here; real-node.integration.test.ts runs
 * a chain whose first service really calls the second through its Service.
 */
let meshCluster: MeshCluster;

const SHORT = ['--set', 'load.rates=[200]', '--set', 'load.duration=2s', '--set', 'load.warmup=1s', '--set', 'load.repetitions=2', '--set', 'kubernetes.idleWindow=0s', ...ANY_MACHINE];

beforeAll(async () => {
  meshCluster = await startMeshCluster({ nodes: ['node-a', 'node-b'] });
}, 240_000);

afterAll(async () => {
  await meshCluster?.stop();
});

const urlOf = (pod: k8s.V1Pod): string =>
  (JSON.parse(pod.spec?.containers.find((c) => c.name === 'loadgen')?.env?.find((e) => e.name === INPUT_ENV)?.value ?? '{}') as GeneratorInput).spec.url;

describe('a call chain on Kubernetes with istiod as the injector', () => {
  it('runs a depth-2 chain in baseline and istio-sidecar: both services injected and proved, every depth measured on its path', async () => {
    const { env, seen, pods } = meshCluster;
    seen.clear();
    const out = tempDir();
    const result = await runCli(
      ['run', 'scenarios/kubernetes/call-chain.yaml', '--out', out, '--set', 'modes=[baseline, istio-sidecar]', '--set', 'workload.chain.depth=2', ...SHORT, '--allow-invalid'],
      undefined,
      env,
    );
    expect(besidesProgress(result.stderr).replace(/^meshtax: \d+ measured phases? (is|are) invalid .*$/m, '').trim()).toBe('');
    const { run } = readRun(out);
    expect(run.error).toBeUndefined();
    expect(result.code).toBe(0);
    expect(run.status).toBe('completed');
    // Both depths of both modes in each of the two rounds.
    expect(run.phases.map((p) => `${p.mode}@${p.depth}`).sort()).toEqual(
      ['baseline@1', 'baseline@1', 'baseline@2', 'baseline@2', 'istio-sidecar@1', 'istio-sidecar@1', 'istio-sidecar@2', 'istio-sidecar@2'],
    );
    expect(run.chains?.map((c) => ({ mode: c.mode, depth: c.depth, fanOut: c.fanOut, rounds: c.rounds, depths: c.perDepth.map((d) => d.depth) }))).toEqual([
      { mode: 'istio-sidecar', depth: 2, fanOut: 1, rounds: 2, depths: [1, 2] },
    ]);

    const runtime = run.environment.runtime as { serverNode: string; clientNode: string };
    const byMode = (mode: string, role: string): k8s.V1Pod[] =>
      [...seen.values()].filter((p) => p.metadata?.namespace?.endsWith(`-${mode}`) && p.metadata?.labels?.['meshtax.dev/role'] === role);
    for (const mode of ['baseline', 'istio-sidecar']) {
      // svc-2, the last, on the server node; svc-1 on the client node: the link between them crosses nodes.
      const apps = byMode(mode, 'app');
      const placed = Object.fromEntries(apps.map((p) => [p.metadata?.labels?.['app.kubernetes.io/name'], p.spec?.nodeName]));
      expect(placed, mode).toEqual({ 'svc-1': runtime.clientNode, 'svc-2': runtime.serverNode });
      // svc-1 calls svc-2 by its Service name; svc-2 calls no one.
      const forward = (name: string) => apps.find((p) => p.metadata?.labels?.['app.kubernetes.io/name'] === name)?.spec?.containers.find((c) => c.name === 'echo')?.args?.find((a) => a.startsWith('--forward='));
      expect(forward('svc-1')).toBe('--forward=http://svc-2:8080/');
      expect(forward('svc-2')).toBeUndefined();
    }
    for (const pod of byMode('istio-sidecar', 'app')) {
      // istiod injected each service's pod itself (a native sidecar: the nodes' kubelets are v1.37).
      expect(pod.spec?.initContainers?.find((c) => c.name === 'istio-proxy')?.restartPolicy).toBe('Always');
      expect(pod.metadata?.annotations?.['sidecar.istio.io/status']).toBeDefined();
    }
    // The generators of depth 1 call svc-2 from the client node, those of depth 2 svc-1 from the server node.
    const generators = pods.generatorPods.filter((p) => p.metadata?.namespace?.endsWith('-istio-sidecar'));
    expect(new Set(generators.map((p) => `${urlOf(p)} from ${p.spec?.nodeName === runtime.serverNode ? 'server' : 'client'}`))).toEqual(
      new Set(['http://svc-2:8080/ from client', 'http://svc-1:8080/ from server']),
    );

    for (const phase of run.phases.filter((p) => p.mode === 'istio-sidecar')) {
      const entry = phase.depth === 1 ? 'svc-2' : 'svc-1';
      // Both hops of the generators' link saw the phase's requests: their own proxy and the entry service's.
      expect(hops(phase)).toEqual(['client istio-proxy (outbound):requests:ok:true', 'server istio-proxy (inbound):requests:ok:true']);
      const inbound = phase.meshPath!.find((h) => h.hop === 'server istio-proxy (inbound)')!;
      expect(inbound.pods.map((p) => p.pod.replace(/-[a-z0-9]+-[a-z0-9]+$/, ''))).toEqual([entry]);
      // Resources: the services from the entry on, each on its node, and the generator. (The test kubelet's metrics
      // cover regular containers only, so istiod's native sidecars have no rows here.)
      const rows = phase.resources.filter((r) => r.role === 'app' || r.role === 'loadgen').map((r) => `${r.role}:${r.pod.replace(/-[a-z0-9]+(-[a-z0-9]+)?$/, '')}@${r.node}`).sort();
      const services = phase.depth === 1 ? ['svc-2'] : ['svc-1', 'svc-2'];
      const nodeOf = (name: string): string => (name === 'svc-2' ? runtime.serverNode : runtime.clientNode);
      const loadgenNode = phase.depth === 1 ? runtime.clientNode : runtime.serverNode;
      expect(rows).toEqual(
        [...services.map((s) => `app:${s}@${nodeOf(s)}`), `loadgen:loadgen@${loadgenNode}`].sort(),
      );
    }
    const core = meshCluster.cluster.kubeConfig().makeApiClient(k8s.CoreV1Api);
    expect((await core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=meshtax' })).items).toEqual([]);
  }, 480_000);

  it('proves an ambient chain\'s depths by the ztunnels of their own link: the generators\' node and the entry\'s', async () => {
    const { env } = meshCluster;
    const out = tempDir();
    const result = await runCli(
      ['run', 'scenarios/kubernetes/call-chain.yaml', '--out', out, '--set', 'modes=[baseline, istio-ambient]', '--set', 'workload.chain.depth=2', ...SHORT, '--set', 'load.repetitions=1', '--allow-invalid'],
      undefined,
      env,
    );
    const { run } = readRun(out);
    expect(run.error).toBeUndefined();
    expect(result.code).toBe(0);
    const runtime = run.environment.runtime as { serverNode: string; clientNode: string };
    const core = meshCluster.cluster.kubeConfig().makeApiClient(k8s.CoreV1Api);
    const ztunnels = await core.listNamespacedPod({ namespace: 'istio-system', labelSelector: 'app=ztunnel' });
    const nodeOf = new Map(ztunnels.items.map((p) => [p.metadata?.name, p.spec?.nodeName]));
    const phases = run.phases.filter((p) => p.mode === 'istio-ambient');
    expect(phases.map((p) => p.depth)).toEqual([1, 2]);
    for (const phase of phases) {
      expect(hops(phase)).toEqual(['client-node ztunnel (outbound):connections:ok:true', 'server-node ztunnel (inbound):connections:ok:true']);
      // Depth 1: generators on the client node call svc-2 on the server node; depth 2: from the server node to svc-1 on the client node.
      const [outbound, inbound] = phase.meshPath!.map((hop) => hop.pods.map((p) => nodeOf.get(p.pod)));
      expect([outbound, inbound]).toEqual(phase.depth === 1 ? [[runtime.clientNode], [runtime.serverNode]] : [[runtime.serverNode], [runtime.clientNode]]);
    }
  }, 480_000);
});
