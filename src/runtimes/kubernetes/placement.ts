import type { V1Node } from '@kubernetes/client-node';
import type { KubernetesSettings } from '../../scenario/kubernetes-schema.ts';
import type { Cluster } from './client/connect.ts';
import { during } from './client/errors.ts';
import { MeshtaxError } from '../../core/errors.ts';
import { type Warning } from '../../core/warning.ts';

export interface Placement {
  serverNode: string;
  clientNode: string;
  warnings: Warning[];
}

export class PlacementError extends MeshtaxError {}

/** Ready, not cordoned, and without taints that keep ordinary pods away. */
export function schedulable(node: V1Node): boolean {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const blocked = (node.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  return ready && !node.spec?.unschedulable && !blocked;
}

function matches(node: V1Node, selector: Record<string, string>): boolean {
  const labels = node.metadata?.labels ?? {};
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/**
 * Chooses one node for the servers and one for the clients, used by every mode, so that modes differ only in the mesh: pinned by name,
 * picked by label selector, or else the first schedulable nodes by name. Client and server differ when the cluster
 * allows; a single schedulable node gives a warning, as latency then misses the network hop.
 */
export async function choosePlacement(cluster: Cluster, settings: KubernetesSettings['placement']): Promise<Placement> {
  const list = await during('listing nodes', () => cluster.core.listNode());
  const nodes = list.items.filter(schedulable).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const all = new Map(list.items.map((n) => [n.metadata?.name ?? '', n]));
  if (nodes.length === 0) throw new PlacementError(`no schedulable node: ${list.items.length} node(s), none Ready without NoSchedule taints`);
  const pick = (role: 'server' | 'client', avoid?: string): string => {
    const target = settings[role];
    if (target.node) {
      const node = all.get(target.node);
      if (!node) throw new PlacementError(`kubernetes.placement.${role}.node: node '${target.node}' does not exist; nodes: ${[...all.keys()].join(', ')}`);
      if (!schedulable(node)) throw new PlacementError(`kubernetes.placement.${role}.node: node '${target.node}' is not schedulable (not Ready, cordoned or tainted NoSchedule)`);
      return target.node;
    }
    const candidates = target.selector ? nodes.filter((n) => matches(n, target.selector ?? {})) : nodes;
    if (candidates.length === 0) {
      throw new PlacementError(`kubernetes.placement.${role}.selector: no schedulable node carries ${Object.entries(target.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    }
    const other = candidates.find((n) => n.metadata?.name !== avoid);
    return (other ?? candidates[0]!).metadata?.name ?? '';
  };
  const serverNode = pick('server');
  const clientNode = pick('client', serverNode);
  const warnings: Warning[] = [];
  if (clientNode === serverNode) {
    warnings.push({
      code: 'single-node',
      message: `client and server share node ${serverNode}${nodes.length === 1 ? ' (the cluster has a single schedulable node)' : ''}`,
      hint: 'latency then misses the network hop between nodes, and generator and server compete for CPU; use a cluster with two worker nodes (kind: two worker nodes in its config)',
    });
  }
  return { serverNode, clientNode, warnings };
}
