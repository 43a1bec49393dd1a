import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuantity } from '../../../src/runtimes/kubernetes/resources/quantity.ts';
import { startupSchema } from '../../../src/startup/schema.ts';
import { runCli, tempDir } from '../../helpers/cli.ts';
import { startCluster, type TestCluster } from '../../helpers/kube/cluster.ts';
import { startIstio, type TestIstio } from '../../helpers/kube/istio.ts';

/**
 * `meshtax startup` against the real API server of the test environment, with istiod itself as the sidecar
 * injector (rendered from Istio's own charts, test/helpers/kube/istio.ts): pods turn Ready by the simulated
 * kubelet, and what the mesh adds to a pod is whatever istiod's admission put there. The simulated kubelet runs no
 * containers, so no prober answers: the first answers must be reported as not measured, with the reason, never as
 * figures (real-node.integration.test.ts measures them with real containers).
 */
let cluster: TestCluster;
let istio: TestIstio;

beforeAll(async () => {
  cluster = await startCluster({ nodes: ['node-a', 'node-b'], nodeCapacity: { cpu: '8', memory: '16Gi' } });
  istio = await startIstio(cluster);
}, 240_000);

afterAll(async () => {
  await istio?.stop();
  await cluster?.stop();
});

/** The proxy's requests as Istio's injector is configured by its chart: values.global.proxy.resources.requests. */
function chartProxyRequests(): { cpu: number; memory: number } {
  const injector = istio.objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'istio-sidecar-injector') as k8s.V1ConfigMap | undefined;
  const values = JSON.parse(injector?.data?.['values'] ?? '{}') as { global?: { proxy?: { resources?: { requests?: { cpu?: string; memory?: string } } } } };
  const requests = values.global?.proxy?.resources?.requests;
  if (!requests?.cpu || !requests.memory) throw new Error('the istio-discovery chart rendered no proxy requests');
  return { cpu: parseQuantity(requests.cpu), memory: parseQuantity(requests.memory) };
}

/** Every object of `kind` (pods or services) meshtax creates while `during` runs, as the API server admitted it. */
async function created<T extends k8s.KubernetesObject>(kind: 'pods' | 'services', during: () => Promise<void>): Promise<T[]> {
  const seen: T[] = [];
  const watch = await new k8s.Watch(cluster.kubeConfig()).watch(
    `/api/v1/${kind}`,
    { labelSelector: 'app.kubernetes.io/managed-by=meshtax' },
    (type: string, object: T) => {
      if (type === 'ADDED') seen.push(object);
    },
    () => undefined,
  );
  try {
    await during();
  } finally {
    watch.abort();
  }
  return seen;
}

describe('meshtax startup on Kubernetes', () => {
  it('times creation to Ready per mode and reads what istiod added to each pod', async () => {
    const out = tempDir();
    let result!: Awaited<ReturnType<typeof runCli>>;
    let services: k8s.V1Service[] = [];
    const pods = await created<k8s.V1Pod>('pods', async () => {
      services = await created<k8s.V1Service>('services', async () => {
        result = await runCli(
          ['startup', 'scenarios/kubernetes/istio-sidecar.yaml', '--out', out, '--pods', '6', '--rounds', '2', '--set', 'modes=[baseline,istio-sidecar,istio-ambient]', '--json'],
          undefined,
          { KUBECONFIG: cluster.kubeconfigPath },
        );
      });
    });
    expect(result.code, result.stderr).toBe(0);
    // Figures for the reader of the test log: startup.md's table.
    console.log(readFileSync(path.join(out, (await import('node:fs')).readdirSync(out)[0]!, 'startup.md'), 'utf8'));
    const printed = startupSchema.parse(JSON.parse(result.stdout));
    const [runDir] = (await import('node:fs')).readdirSync(out);
    expect(startupSchema.parse(JSON.parse(readFileSync(path.join(out, runDir!, 'startup.json'), 'utf8')))).toEqual(printed);
    expect(printed).toMatchObject({ runtime: 'kubernetes', measures: 'creation-to-ready', pods: 6, rounds: 2 });
    expect(printed.modes.map((m) => [m.mode, m.samples, m.failed, m.perRoundP50Ms.length])).toEqual([
      ['baseline', 12, 0, 2],
      ['istio-sidecar', 12, 0, 2],
      ['istio-ambient', 12, 0, 2],
    ]);
    for (const mode of printed.modes) {
      expect(mode.startupMs!.p50).toBeGreaterThan(0);
      expect(mode.startupMs!.p99).toBeGreaterThanOrEqual(mode.startupMs!.p50);
      expect(mode.p50IntervalMs).not.toBeNull();
    }
    expect(printed.modes[0]!.deltaP50Ms).toBeNull();
    expect(printed.modes[1]!.deltaP50Ms!.interval).not.toBeNull();

    // What the mesh added, read from the admitted pods: nothing for baseline and ambient, istiod's proxy for sidecar.
    const [baseline, sidecar, ambient] = printed.modes;
    expect(baseline!.added).toEqual({ injectedContainers: [], requests: { cpuCores: 0, memoryBytes: 0 }, limits: { cpuCores: 0, memoryBytes: 0 } });
    expect(ambient!.added!.injectedContainers).toEqual([]);
    expect(sidecar!.added!.injectedContainers).toContain('istio-proxy');
    const proxy = chartProxyRequests();
    expect(sidecar!.added!.requests.cpuCores).toBeCloseTo(proxy.cpu, 6);
    expect(sidecar!.added!.requests.memoryBytes).toBe(proxy.memory);

    // Density on the 8-core, 16 GiB nodes (the echo container requests 1 core and 256 MiB by default).
    expect(printed.node).toMatchObject({ name: expect.stringMatching(/^node-[ab]$/), cpuCores: 8, memoryBytes: 16 * 1024 ** 3 });
    expect(baseline!.podsPerNode).toBe(8);
    expect(sidecar!.podsPerNode).toBe(Math.floor(8 / (1 + proxy.cpu)));

    // The prober: one pod per mode on a node, meshed as the mode's pods are (istiod injected the sidecar mode's),
    // running the bundled prober without API credentials; the start-up pods named under a headless Service that
    // publishes them before they are Ready.
    const probers = pods.filter((p) => p.metadata?.name === 'startup-prober');
    expect(probers.map((p) => p.metadata!.labels!['meshtax.dev/mode']).sort()).toEqual(['baseline', 'istio-ambient', 'istio-sidecar']);
    for (const prober of probers) {
      expect(prober.spec!.automountServiceAccountToken).toBe(false);
      const container = prober.spec!.containers.find((c) => c.name === 'prober')!;
      expect(container.args).toEqual(['/meshtax/prober.js', '--port=8081']);
      const injected = [...(prober.spec!.initContainers ?? []), ...prober.spec!.containers].some((c) => c.name === 'istio-proxy');
      expect(injected).toBe(prober.metadata!.labels!['meshtax.dev/mode'] === 'istio-sidecar');
    }
    const startupPods = pods.filter((p) => p.metadata?.labels?.['app.kubernetes.io/name'] === 'echo-startup');
    expect(startupPods).toHaveLength(3 * 6 * 2);
    for (const pod of startupPods) expect(pod.spec).toMatchObject({ hostname: pod.metadata!.name, subdomain: 'echo-startup' });
    const headless = services.filter((s) => s.metadata?.name === 'echo-startup');
    expect(headless).toHaveLength(3);
    for (const service of headless) {
      expect(service.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, selector: { 'app.kubernetes.io/name': 'echo-startup' } });
    }
    // No container runs here, so no prober answered: the first answers are missing, with the reason, in every format.
    for (const mode of printed.modes) {
      expect(mode.firstAnswer).toEqual({ measured: false, reason: expect.stringMatching(/^the prober pod is Ready but answered no request through the API server's pod proxy/) });
    }
    expect(result.stderr).toContain('first answer through the mesh not measured');
    const junit = readFileSync(path.join(out, runDir!, 'junit.xml'), 'utf8');
    expect(junit).toContain('skipped="3"');
    expect(readFileSync(path.join(out, runDir!, 'startup.md'), 'utf8')).toContain('first answer not measured for istio-sidecar');

    // Nothing left behind.
    const core = cluster.kubeConfig().makeApiClient(k8s.CoreV1Api);
    const left = await core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=meshtax' });
    expect(left.items.filter((ns) => !ns.metadata?.deletionTimestamp)).toEqual([]);
  }, 300_000);
});
