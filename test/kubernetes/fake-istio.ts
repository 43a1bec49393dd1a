import * as k8s from '@kubernetes/client-node';
import type { TestCluster } from '../helpers/kube/cluster.ts';

export interface FakeIstio {
  stop(): Promise<void>;
}

const ISTIO_VERSION = '1.28.0';

/**
 * Plays Istio's control loops on the test cluster (the API server stays real): istiod and a ztunnel DaemonSet exist
 * (the real DaemonSet controller puts a ztunnel pod on every fake node), the istio-waypoint GatewayClass exists;
 * as istio-cni would, pods of ambient namespaces get the redirection annotation; as istiod would, a waypoint Gateway
 * gets a Deployment and then its Programmed condition.
 */
export async function startFakeIstio(cluster: TestCluster): Promise<FakeIstio> {
  const config = cluster.kubeConfig();
  const core = config.makeApiClient(k8s.CoreV1Api);
  const apps = config.makeApiClient(k8s.AppsV1Api);
  const custom = config.makeApiClient(k8s.CustomObjectsApi);
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  await core.createNamespace({ body: { metadata: { name: 'istio-system' } } });
  const istiod = { app: 'istiod' };
  await apps.createNamespacedDeployment({
    namespace: 'istio-system',
    body: {
      metadata: { name: 'istiod', labels: istiod },
      spec: { selector: { matchLabels: istiod }, template: { metadata: { labels: istiod }, spec: { containers: [{ name: 'discovery', image: `docker.io/istio/pilot:${ISTIO_VERSION}` }] } } },
    },
  });
  const ztunnel = { app: 'ztunnel' };
  await apps.createNamespacedDaemonSet({
    namespace: 'istio-system',
    body: {
      metadata: { name: 'ztunnel', labels: ztunnel },
      spec: { selector: { matchLabels: ztunnel }, template: { metadata: { labels: ztunnel }, spec: { containers: [{ name: 'istio-proxy', image: `docker.io/istio/ztunnel:${ISTIO_VERSION}` }] } } },
    },
  });
  await custom.createClusterCustomObject({
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    plural: 'gatewayclasses',
    body: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'istio-waypoint' }, spec: { controllerName: 'istio.io/mesh-controller' } },
  });

  let stopped = false;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        const ambient = await core.listNamespace({ labelSelector: 'istio.io/dataplane-mode=ambient' });
        for (const ns of ambient.items) {
          const namespace = ns.metadata?.name ?? '';
          const pods = await core.listNamespacedPod({ namespace });
          for (const pod of pods.items) {
            if (pod.metadata?.annotations?.['ambient.istio.io/redirection'] || pod.metadata?.deletionTimestamp) continue;
            await core.patchNamespacedPod({ name: pod.metadata?.name ?? '', namespace, body: { metadata: { annotations: { 'ambient.istio.io/redirection': 'enabled' } } } }, merge);
          }
          await programWaypoints(namespace);
        }
      } catch {
        // a pod or namespace went away meanwhile; the next round sees the new state
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  };

  async function programWaypoints(namespace: string): Promise<void> {
    const list = (await custom.listNamespacedCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', namespace, plural: 'gateways' })) as {
      items: { metadata: { name: string }; spec: { gatewayClassName: string }; status?: { conditions?: { type: string; status: string }[] } }[];
    };
    for (const gateway of list.items) {
      if (gateway.spec.gatewayClassName !== 'istio-waypoint' || gateway.status?.conditions?.some((c) => c.type === 'Programmed' && c.status === 'True')) continue;
      // The API server defaults a new Gateway's conditions to Unknown ("Waiting for controller"), as istiod finds it.
      const name = gateway.metadata.name;
      const labels = { 'gateway.networking.k8s.io/gateway-name': name };
      await apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name, labels },
          spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'istio-proxy', image: `docker.io/istio/proxyv2:${ISTIO_VERSION}` }] } } },
        },
      });
      const now = new Date().toISOString();
      await custom.patchNamespacedCustomObjectStatus(
        {
          group: 'gateway.networking.k8s.io',
          version: 'v1',
          namespace,
          plural: 'gateways',
          name,
          body: { status: { conditions: [{ type: 'Programmed', status: 'True', reason: 'Programmed', message: 'fake istiod', lastTransitionTime: now, observedGeneration: 1 }, { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'fake istiod', lastTransitionTime: now, observedGeneration: 1 }] } },
        },
        merge,
      );
    }
  }

  const running = loop();
  return {
    async stop() {
      stopped = true;
      await running;
    },
  };
}
