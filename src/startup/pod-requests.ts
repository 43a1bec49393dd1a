import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { parseQuantity } from '../runtimes/kubernetes/resources/quantity.ts';

/** CPU (cores) and memory (bytes); null where some container sets no value (for limits: unbounded). */
export interface PodAmounts {
  cpuCores: number | null;
  memoryBytes: number | null;
}

type Kind = 'requests' | 'limits';

function amount(container: V1Container, kind: Kind, resource: 'cpu' | 'memory'): number | null {
  const text = container.resources?.[kind]?.[resource];
  // A limit given without a request makes the request equal to it (the API server defaults it so).
  const fallback = kind === 'requests' ? container.resources?.limits?.[resource] : undefined;
  const value = text ?? fallback;
  if (value === undefined) return kind === 'requests' ? 0 : null;
  const parsed = parseQuantity(String(value));
  return Number.isNaN(parsed) ? null : parsed;
}

/**
 * The pod's effective requests or limits, as the scheduler counts them (Kubernetes' pod resource rule with sidecar
 * containers, KEP-753): the larger of (every app container plus every restartable init container, summed) and,
 * for each other init container, its own amount plus the restartable init containers started before it.
 */
export function effectiveAmounts(spec: V1PodSpec, kind: Kind): PodAmounts {
  const one = (resource: 'cpu' | 'memory'): number | null => {
    const values = (containers: readonly V1Container[]) => containers.map((c) => amount(c, kind, resource));
    const sum = (xs: readonly (number | null)[]): number | null => (xs.some((x) => x === null) ? null : xs.reduce<number>((a, b) => a + b!, 0));
    const init = spec.initContainers ?? [];
    const restartable = init.filter((c) => c.restartPolicy === 'Always');
    let total = sum([...values(spec.containers), ...values(restartable)]);
    let sidecarsSoFar: number | null = 0;
    for (const container of init) {
      const own = amount(container, kind, resource);
      if (container.restartPolicy === 'Always') {
        sidecarsSoFar = sidecarsSoFar === null || own === null ? null : sidecarsSoFar + own;
        continue;
      }
      const during = sidecarsSoFar === null || own === null ? null : sidecarsSoFar + own;
      total = total === null || during === null ? null : Math.max(total, during);
    }
    return total;
  };
  return { cpuCores: one('cpu'), memoryBytes: one('memory') };
}

/** Names of the containers and init containers in `admitted` that `template` did not have: what admission injected. */
export function injectedContainers(template: V1PodSpec, admitted: V1PodSpec): string[] {
  const own = new Set([...template.containers, ...(template.initContainers ?? [])].map((c) => c.name));
  return [...(admitted.initContainers ?? []), ...admitted.containers].map((c) => c.name).filter((name) => !own.has(name));
}

/** Pods of a given effective request that fit a node: bounded by CPU, memory and the node's pod limit. */
export function podsThatFit(node: { cpuCores: number; memoryBytes: number; maxPods: number }, pod: PodAmounts): number {
  const by = (capacity: number, need: number | null): number => (need === null || need <= 0 ? Infinity : Math.floor(capacity / need + 1e-9));
  return Math.min(node.maxPods, by(node.cpuCores, pod.cpuCores), by(node.memoryBytes, pod.memoryBytes));
}
