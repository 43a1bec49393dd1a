import type { Cluster } from '../client/connect.ts';
import { apiMessage, ClusterError } from '../client/errors.ts';
import { containerKey, parseResourceMetrics, type ContainerSample } from './kubelet-metrics.ts';
import { parseQuantity } from './quantity.ts';

/** Container samples keyed by containerKey(); CPU as a cumulative counter (kubelet) or a rate (metrics API). */
export type Samples = Map<string, ContainerSample & { cpuCoresGauge?: number }>;

export interface MetricsSource {
  readonly name: 'kubelet' | 'metrics.k8s.io';
  sample(nodes: readonly string[], namespaces: readonly string[]): Promise<Samples>;
}

/** Per-container cumulative counters from each node's kubelet, through the API server's node proxy. */
export function kubeletSource(cluster: Cluster): MetricsSource {
  return {
    name: 'kubelet',
    async sample(nodes) {
      const all: Samples = new Map();
      await Promise.all(
        nodes.map(async (node) => {
          let text: string;
          try {
            text = await cluster.core.connectGetNodeProxyWithPath({ name: node, path: 'metrics/resource' });
          } catch (error) {
            throw new ClusterError(`kubelet metrics of node ${node} through the node proxy: ${apiMessage(error)}`, { cause: error });
          }
          for (const [key, sample] of parseResourceMetrics(text, Date.now())) all.set(key, sample);
        }),
      );
      return all;
    },
  };
}

interface PodMetricsList {
  items?: { metadata?: { name?: string; namespace?: string }; timestamp?: string; containers?: { name: string; usage?: { cpu?: string; memory?: string } }[] }[];
}

/** The fallback: metrics-server's PodMetrics (CPU already averaged over its own window, memory as working set). */
export function metricsApiSource(cluster: Cluster): MetricsSource {
  return {
    name: 'metrics.k8s.io',
    async sample(_nodes, namespaces) {
      const all: Samples = new Map();
      for (const namespace of namespaces) {
        const list = (await cluster.custom.listNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', namespace, plural: 'pods' })) as PodMetricsList;
        for (const item of list.items ?? []) {
          const pod = item.metadata?.name ?? '';
          for (const container of item.containers ?? []) {
            const cores = parseQuantity(container.usage?.cpu ?? '');
            const memory = parseQuantity(container.usage?.memory ?? '');
            all.set(containerKey(namespace, pod, container.name), {
              namespace,
              pod,
              container: container.name,
              ...(Number.isFinite(cores) ? { cpuCoresGauge: cores } : {}),
              ...(Number.isFinite(memory) ? { workingSetBytes: memory } : {}),
            });
          }
        }
      }
      return all;
    },
  };
}

/** Which metrics source answers: the kubelet's counters first, metrics.k8s.io otherwise; why neither, if neither. */
export async function chooseSource(cluster: Cluster, node: string, namespace: string): Promise<{ source?: MetricsSource; problems: string[] }> {
  const problems: string[] = [];
  for (const source of [kubeletSource(cluster), metricsApiSource(cluster)]) {
    try {
      await source.sample([node], [namespace]);
      return { source, problems };
    } catch (error) {
      problems.push(`${source.name}: ${apiMessage(error)}`);
    }
  }
  return { problems };
}
