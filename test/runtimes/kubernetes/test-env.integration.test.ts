import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster } from '../../helpers/kube/cluster.ts';
import type { TestCluster } from '../../helpers/kube/cluster.ts';
import { waitFor } from '../../helpers/poll.ts';

/**
 * Proves the test Kubernetes environment (test/helpers/kube): a real API server, controller manager and
 * scheduler, fake nodes whose kubelet endpoint the test serves. One cluster for the whole file.
 */
let cluster: TestCluster;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;

beforeAll(async () => {
  cluster = await startCluster({ nodes: ['node-a', 'node-b'] });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

async function namespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  await core.createNamespace({ body: { metadata: { name, labels } } });
  // The ServiceAccount admission plugin refuses pods until the controller manager made `default`.
  await waitFor(`default service account in ${name}`, 20_000, () => core.readNamespacedServiceAccount({ name: 'default', namespace: name }));
}

/** The HTTP code and the Status message of an API error. */
function apiError(error: unknown): { code: number; message: string } {
  expect(error).toBeInstanceOf(k8s.ApiException);
  const api = error as k8s.ApiException<unknown>;
  let status: unknown = api.body;
  if (typeof status === 'string') {
    try {
      status = JSON.parse(status) as unknown;
    } catch {
      return { code: api.code, message: status as string };
    }
  }
  const message = (status as { message?: unknown } | undefined)?.message;
  return { code: api.code, message: typeof message === 'string' ? message : JSON.stringify(status) };
}

describe('kube test cluster', () => {
  it('writes a kubeconfig with the meshtax-test context on loopback', () => {
    expect(kc.getCurrentContext()).toBe('meshtax-test');
    expect(cluster.context).toBe('meshtax-test');
    expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(kc.getCurrentCluster()?.server).toBe(cluster.server);
  });

  it('runs a Deployment: the scheduler places its pod on the selected fake node and it turns Running/Ready', async () => {
    await namespace('deploy');
    await apps.createNamespacedDeployment({
      namespace: 'deploy',
      body: {
        metadata: { name: 'echo' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'echo' } },
          template: {
            metadata: { labels: { app: 'echo' } },
            spec: {
              nodeSelector: { 'kubernetes.io/hostname': 'node-b' },
              initContainers: [{ name: 'init', image: 'busybox:1.37' }],
              containers: [
                { name: 'app', image: 'nginx:1.29' },
                { name: 'sidecar', image: 'busybox:1.37' },
              ],
            },
          },
        },
      },
    });
    const pod = await waitFor('a Running, Ready pod', 30_000, async () => {
      const pods = await core.listNamespacedPod({ namespace: 'deploy', labelSelector: 'app=echo' });
      return pods.items.find((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    });
    expect(pod.spec?.nodeName).toBe('node-b');
    expect(pod.status?.containerStatuses?.map((c) => [c.name, c.ready])).toEqual([
      ['app', true],
      ['sidecar', true],
    ]);
    expect(pod.status?.initContainerStatuses?.[0]?.state?.terminated?.reason).toBe('Completed');
    const deployment = await waitFor('the Deployment to count the pod available', 30_000, async () => {
      const d = await apps.readNamespacedDeployment({ name: 'echo', namespace: 'deploy' });
      return d.status?.availableReplicas === 1 ? d : undefined;
    });
    expect(deployment.status?.readyReplicas).toBe(1);
  });

  it('streams pod logs from the fake kubelet through the API server (follow)', async () => {
    await namespace('logs');
    await core.createNamespacedPod({
      namespace: 'logs',
      body: { metadata: { name: 'talker' }, spec: { nodeName: 'node-a', containers: [{ name: 'main', image: 'busybox:1.37' }] } },
    });
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const seen: { namespace: string; pod: string; container: string; follow: boolean }[] = [];
    cluster.kubelet.onLogs((request, response) => {
      seen.push({ namespace: request.namespace, pod: request.pod, container: request.container, follow: request.follow });
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first line\n');
      void released.then(() => response.end('second line\n'));
    });
    let received = '';
    let firstBeforeEnd = false;
    let finished: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (finished = resolve));
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.toString();
        // The kubelet holds the second line back until the first has arrived here: it only gets here if the
        // API server streams the followed log rather than buffering the response.
        if (received.includes('first line') && !received.includes('second line')) {
          firstBeforeEnd = true;
          release();
        }
        callback();
      },
    });
    sink.on('finish', () => finished());
    try {
      await new k8s.Log(kc).log('logs', 'talker', 'main', sink, { follow: true });
      await ended;
    } finally {
      release();
      cluster.kubelet.reset();
    }
    expect(firstBeforeEnd).toBe(true);
    expect(received).toBe('first line\nsecond line\n');
    expect(seen).toEqual([{ namespace: 'logs', pod: 'talker', container: 'main', follow: true }]);
  });

  it('proxies nodes/NODE/proxy/metrics/resource to the fake kubelet', async () => {
    const asked: string[] = [];
    cluster.kubelet.onMetrics((node, response) => {
      asked.push(node);
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(`node_cpu_usage_seconds_total{node="${node}"} 1.5 1700000000000\n`);
    });
    try {
      const text = await core.connectGetNodeProxyWithPath({ name: 'node-b', path: 'metrics/resource' });
      expect(text).toContain('node_cpu_usage_seconds_total{node="node-b"} 1.5');
      expect(asked).toEqual(['node-b']);
    } finally {
      cluster.kubelet.reset();
    }
    // The default answer is 404, which the API server passes on.
    const error = await core.connectGetNodeProxyWithPath({ name: 'node-a', path: 'metrics/resource' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(apiError(error).code).toBe(404);
  });

  it('deletes a namespace for real: the namespace controller empties it, the fake kubelet lets its pods go', async () => {
    await namespace('doomed');
    await core.createNamespacedPod({
      namespace: 'doomed',
      body: { metadata: { name: 'victim' }, spec: { nodeName: 'node-a', containers: [{ name: 'main', image: 'busybox:1.37' }] } },
    });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'data' }, data: { a: 'b' } } });
    await core.deleteNamespace({ name: 'doomed' });
    const terminating = await core.readNamespace({ name: 'doomed' }).catch(() => undefined);
    if (terminating) expect(terminating.status?.phase).toBe('Terminating');
    await waitFor('namespace doomed to be gone', 45_000, async () => {
      try {
        await core.readNamespace({ name: 'doomed' });
        return undefined;
      } catch (error) {
        return apiError(error).code === 404 ? true : undefined;
      }
    });
    // Creating in a namespace that is gone is a 404 from the NamespaceLifecycle admission plugin.
    const error = await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'again' } } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(apiError(error).code).toBe(404);
  }, 60_000);

  it('enforces Pod Security admission in a namespace labelled enforce=restricted', async () => {
    await namespace('locked', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const error = await core
      .createNamespacedPod({
        namespace: 'locked',
        body: {
          metadata: { name: 'root' },
          spec: { containers: [{ name: 'main', image: 'busybox:1.37', securityContext: { privileged: true } }] },
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const { code, message } = apiError(error);
    expect(code).toBe(403);
    expect(message).toContain('violates PodSecurity "restricted:latest"');
  });

  it('validates Gateway API objects: a waypoint Gateway dry-runs, an unknown field is refused (Strict)', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const gateway = (spec: Record<string, unknown>): Parameters<k8s.CustomObjectsApi['createNamespacedCustomObject']>[0] => ({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: 'default',
      plural: 'gateways',
      dryRun: 'All',
      fieldValidation: 'Strict',
      body: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'waypoint', labels: { 'istio.io/waypoint-for': 'service' } },
        spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }], ...spec },
      },
    });
    const accepted = (await custom.createNamespacedCustomObject(gateway({}))) as { metadata?: { name?: string } };
    expect(accepted.metadata?.name).toBe('waypoint');
    const error = await custom.createNamespacedCustomObject(gateway({ waypointMode: 'ambient' })).then(
      () => undefined,
      (e: unknown) => e,
    );
    const { code, message } = apiError(error);
    expect(code).toBe(400);
    expect(message).toContain('unknown field "spec.waypointMode"');
    // Dry run: nothing was stored.
    const list = (await custom.listNamespacedCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', namespace: 'default', plural: 'gateways' })) as {
      items: unknown[];
    };
    expect(list.items).toEqual([]);
  });
});
