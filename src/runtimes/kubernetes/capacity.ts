import type { V1Container, V1Node, V1Pod } from '@kubernetes/client-node';
import type { KubernetesSettings } from '../../scenario/kubernetes-schema.ts';
import type { Scenario } from '../../scenario/schema.ts';
import type { Cluster } from './client/connect.ts';
import { apiMessage, apiStatus, ClusterError, during } from './client/errors.ts';
import { modeFacts, type KubernetesMode } from './modes.ts';
import { parseQuantity } from './resources/quantity.ts';
import { MeshtaxError } from '../../core/errors.ts';
import { appResources } from './manifests/workload.ts';

/** CPU in cores and memory in bytes that pods request of a node. */
export interface Requests {
  cpu: number;
  memory: number;
}

/**
 * What the meshes' injected proxies request by default, added to each pod of a sidecar mode (an installation may set
 * other values; these are the charts' defaults):
 * - istio-proxy: 100m CPU, 128Mi (istio/istio manifests/charts/istio-control/istio-discovery/values.yaml:399-402,
 *   global.proxy.resources.requests, at 86c9f01fd73);
 * - linkerd-proxy: no request unless configured (linkerd/linkerd2 charts/linkerd-control-plane/values.yaml:195-211,
 *   proxy.resources.cpu.request and memory.request are "", at b24cd4059).
 */
const SIDECAR_REQUESTS: Record<string, Requests> = {
  'istio-proxy': { cpu: 0.1, memory: 128 * 1024 ** 2 },
  'linkerd-proxy': { cpu: 0, memory: 0 },
};

const NONE: Requests = { cpu: 0, memory: 0 };

/**
 * What a waypoint pod requests by default: 100m CPU and 128Mi (istio/istio
 * manifests/charts/istio-control/istio-discovery/values.yaml:532-537, global.waypoint.resources.requests, applied by
 * files/waypoint.yaml:217-219, at eed52ebb66ad). istiod creates it for the mode's Gateway; meshtax does not place it,
 * so the scheduler puts it on whichever node has room.
 */
const WAYPOINT_REQUESTS: Requests = { cpu: 0.1, memory: 128 * 1024 ** 2 };

function add(a: Requests, b: Requests): Requests {
  return { cpu: a.cpu + b.cpu, memory: a.memory + b.memory };
}

function containerRequests(resources: { cpu: string; memory: string }): Requests {
  return { cpu: parseQuantity(resources.cpu), memory: parseQuantity(resources.memory) };
}

function sidecarOf(mode: KubernetesMode): Requests {
  const sidecar = modeFacts(mode).sidecar;
  return sidecar ? (SIDECAR_REQUESTS[sidecar] ?? NONE) : NONE;
}

/** The echo pod of one mode, on the server node. */
export function serverRequests(settings: KubernetesSettings, mode: KubernetesMode, app = settings.resources.app): Requests {
  return add(containerRequests(app), sidecarOf(mode));
}

/**
 * The probe pod of a control-plane outage (faults.controlPlaneOutage.probePod): a copy of the echo pod of the meshed
 * mode whose phase is under the outage, on the server node beside the group's echo pods until the phase ends. Phases
 * run one at a time, so one probe pod at most: the largest of the group's meshed modes.
 */
export function probeRequests(scenario: Scenario, group: readonly KubernetesMode[]): Requests {
  if (!scenario.faults?.controlPlaneOutage?.probePod) return NONE;
  const app = appResources({ settings: scenario.kubernetes, workload: scenario.workload });
  const meshed = group.filter((mode) => modeFacts(mode).mesh !== null).map((mode) => serverRequests(scenario.kubernetes, mode, app));
  return meshed.reduce((a, b) => (b.cpu > a.cpu || (b.cpu === a.cpu && b.memory > a.memory) ? b : a), NONE);
}

/** The generator pods of the busiest phase of a mode, on the client node (one phase runs at a time). */
export function clientRequests(scenario: Scenario, mode: KubernetesMode): Requests {
  const rates = scenario.load.loop === 'open' ? scenario.load.rates : [];
  const pods = Math.max(1, ...rates.map((rate) => Math.ceil(rate / scenario.kubernetes.generator.maxRatePerPod)));
  const pod = add(containerRequests(scenario.kubernetes.resources.loadgen), sidecarOf(mode));
  return { cpu: pod.cpu * pods, memory: pod.memory * pods };
}

/** What a pod asks of its node, as the scheduler counts it: containers and native sidecars together, or its largest init container if more. */
export function podRequests(pod: V1Pod): Requests {
  const of = (container: V1Container): Requests => ({
    cpu: parseQuantity(container.resources?.requests?.cpu ?? '0') || 0,
    memory: parseQuantity(container.resources?.requests?.memory ?? '0') || 0,
  });
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map(of).reduce(add, NONE);
  const running = add((pod.spec?.containers ?? []).map(of).reduce(add, NONE), sidecars);
  const init = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy !== 'Always').map((c) => add(of(c), sidecars));
  const overhead = { cpu: parseQuantity(pod.spec?.overhead?.cpu ?? '0') || 0, memory: parseQuantity(pod.spec?.overhead?.memory ?? '0') || 0 };
  return add({ cpu: Math.max(running.cpu, ...init.map((r) => r.cpu)), memory: Math.max(running.memory, ...init.map((r) => r.memory)) }, overhead);
}

export interface NodeRoom {
  node: string;
  allocatable: Requests;
  /** What pods already on the node request (those not finished). */
  requested: Requests;
}

/** A node's allocatable CPU and memory and what its pods already request. */
export async function nodeRoom(cluster: Cluster, node: V1Node): Promise<NodeRoom> {
  const name = node.metadata?.name ?? '';
  let requested = NONE;
  try {
    const pods = await cluster.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed` });
    requested = pods.items.map(podRequests).reduce(add, NONE);
  } catch (error) {
    // Without the right to list pods cluster-wide, only what the node offers at all can be compared.
    if (apiStatus(error) !== 403) throw new ClusterError(`listing pods on node ${name}: ${apiMessage(error)}`, { cause: error });
  }
  return {
    node: name,
    allocatable: { cpu: parseQuantity(node.status?.allocatable?.cpu ?? '0') || 0, memory: parseQuantity(node.status?.allocatable?.memory ?? '0') || 0 },
    requested,
  };
}

/** Each group of modes deployed together, in the order the modes are measured. */
export function modeGroups<T>(modes: readonly T[], atOnce: number): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < modes.length; i += atOnce) groups.push(modes.slice(i, i + atOnce));
  return groups;
}

export function formatCpu(cores: number): string {
  return `${Math.round(cores * 1000) / 1000} CPU`;
}

export function formatMemory(bytes: number): string {
  return `${Math.round((bytes / 1024 ** 2) * 10) / 10} MiB`;
}

/**
 * Why the scenario's pods do not fit the chosen nodes, or undefined. The server node holds the echo pods of one group
 * of modes (kubernetes.modesAtOnce) at a time, the client node the generator pods of one phase; when both are one
 * node it holds both. A group that does not fit would leave its pods Pending with `Insufficient cpu`.
 */
export function capacityProblem(scenario: Scenario, modes: readonly KubernetesMode[], server: NodeRoom, client: NodeRoom): string | undefined {
  const settings = scenario.kubernetes;
  const clientNeed = modes.map((mode) => clientRequests(scenario, mode)).reduce((a, b) => ({ cpu: Math.max(a.cpu, b.cpu), memory: Math.max(a.memory, b.memory) }), NONE);
  const shared = server.node === client.node;
  const roomOf = (node: NodeRoom, need: Requests): Requests => ({
    cpu: node.allocatable.cpu - node.requested.cpu - need.cpu,
    memory: node.allocatable.memory - node.requested.memory - need.memory,
  });
  const within = (need: Requests, room: Requests): boolean => need.cpu <= room.cpu + 1e-9 && need.memory <= room.memory;
  const waypointModes = modes.filter((mode) => modeFacts(mode).waypoint);
  const fits = (group: readonly KubernetesMode[]): { need: Requests; ok: boolean; waypointsFit: boolean } => {
    const serverNeed = add(group.map((mode) => serverRequests(settings, mode, appResources({ settings, workload: scenario.workload }))).reduce(add, NONE), probeRequests(scenario, group));
    const need = shared ? add(serverNeed, clientNeed) : serverNeed;
    // Every waypoint mode's Gateway is applied when the run starts (runtime.ts prepare()), so istiod runs its waypoint
    // pod throughout, beside whichever group is deployed; it goes where the scheduler finds room: what is left on the
    // server node, or on the client node.
    const waypoints = waypointModes.length;
    const waypointNeed = { cpu: WAYPOINT_REQUESTS.cpu * waypoints, memory: WAYPOINT_REQUESTS.memory * waypoints };
    const waypointsFit =
      waypoints === 0 || within(waypointNeed, roomOf(server, need)) || (!shared && within(waypointNeed, roomOf(client, clientNeed)));
    return { need, ok: within(need, roomOf(server, NONE)), waypointsFit };
  };
  const waypointProblem = (group: readonly KubernetesMode[]): string =>
    `the waypoint pod of ${waypointModes.join(', ')} (Istio's default request, ${formatCpu(WAYPOINT_REQUESTS.cpu)} and ` +
    `${formatMemory(WAYPOINT_REQUESTS.memory)}) fits on neither node once the ${group.length > 1 ? 'modes\' pods are' : 'mode\'s pods are'} placed` +
    (group.some((mode) => modeFacts(mode).waypoint) ? '' : ` (${group.join(', ')}: the waypoint runs throughout the run, as its Gateway is applied at the start)`) +
    '; ' +
    `lower ${scenario.workload.image?.resources ? 'workload.image.resources' : 'kubernetes.resources.app'}${settings.modesAtOnce > 1 ? ' or kubernetes.modesAtOnce' : ''}, or use a larger node`;
  const describe = (node: NodeRoom, need: Requests): string =>
    `request ${formatCpu(need.cpu)} and ${formatMemory(need.memory)} on node ${node.node}, which has ${formatCpu(node.allocatable.cpu)} and ${formatMemory(node.allocatable.memory)} allocatable, ${formatCpu(node.requested.cpu)} and ${formatMemory(node.requested.memory)} of it already requested by other pods`;
  if (!shared) {
    const room = { cpu: client.allocatable.cpu - client.requested.cpu, memory: client.allocatable.memory - client.requested.memory };
    if (clientNeed.cpu > room.cpu + 1e-9 || clientNeed.memory > room.memory) {
      return `the generator pods of one phase do not fit: they ${describe(client, clientNeed)}; lower kubernetes.resources.loadgen, or raise kubernetes.generator.maxRatePerPod, or use a larger client node`;
    }
  }
  for (const mode of modes) {
    const one = fits([mode]);
    if (!one.ok) {
      const probe = probeRequests(scenario, [mode]).cpu > 0 || probeRequests(scenario, [mode]).memory > 0;
      return (
        `mode ${mode} does not fit even alone: its pods${probe ? ' (the echo pod and the control-plane outage\'s probe pod, a copy of it)' : ''} ${describe(server, one.need)}; ` +
        `lower ${scenario.workload.image?.resources ? 'workload.image.resources' : 'kubernetes.resources.app'}${shared ? ' and kubernetes.resources.loadgen' : ''}` +
        `${probe ? ', set faults.controlPlaneOutage.probePod: false' : ''}, or use a larger node`
      );
    }
    if (!one.waypointsFit) return waypointProblem([mode]);
  }
  for (const group of modeGroups(modes, settings.modesAtOnce)) {
    const together = fits(group);
    if (!together.ok) {
      return `modes ${group.join(', ')} do not fit at once (kubernetes.modesAtOnce: ${settings.modesAtOnce}): their pods ${describe(server, together.need)}; lower kubernetes.modesAtOnce (1 deploys one mode at a time)`;
    }
    if (!together.waypointsFit) return waypointProblem(group);
  }
  return undefined;
}

/**
 * What a call chain (workload.chain, N services) puts on each node beyond what capacityProblem counts (one echo pod
 * per mode on the server node, a phase's generator pods on the client node): its services alternate between the
 * nodes, ⌈N/2⌉ on the server node and ⌊N/2⌋ on the client node, and the generator pods of even depths run on the
 * server node. Per group of modes deployed together, the largest; undefined without a chain.
 */
export function chainReserve(scenario: Scenario, modes: readonly KubernetesMode[], shared: boolean): { server: Requests; client: Requests } | undefined {
  const depth = scenario.workload.chain?.depth ?? 1;
  if (depth === 1) return undefined;
  const settings = scenario.kubernetes;
  const echo = modeGroups(modes, settings.modesAtOnce)
    .map((group) => group.map((mode) => serverRequests(settings, mode)).reduce(add, NONE))
    .reduce((a, b) => ({ cpu: Math.max(a.cpu, b.cpu), memory: Math.max(a.memory, b.memory) }), NONE);
  const times = (n: number, r: Requests): Requests => ({ cpu: r.cpu * n, memory: r.memory * n });
  if (shared) return { server: times(depth - 1, echo), client: NONE };
  const generators = modes.map((mode) => clientRequests(scenario, mode)).reduce((a, b) => ({ cpu: Math.max(a.cpu, b.cpu), memory: Math.max(a.memory, b.memory) }), NONE);
  return { server: add(times(Math.ceil(depth / 2) - 1, echo), generators), client: times(Math.floor(depth / 2), echo) };
}

/** capacityProblem() for the nodes a run chose, read from the cluster now; a call chain's other pods count as requested. */
export async function placementCapacityProblem(cluster: Cluster, scenario: Scenario, modes: readonly KubernetesMode[], serverNode: string, clientNode: string): Promise<string | undefined> {
  const list = await during('listing nodes', () => cluster.core.listNode());
  const room = async (name: string): Promise<NodeRoom> => {
    const node = list.items.find((n) => n.metadata?.name === name);
    if (!node) throw new Error(`node ${name} is gone`);
    return nodeRoom(cluster, node);
  };
  const reserve = chainReserve(scenario, modes, clientNode === serverNode);
  const reserved = (node: NodeRoom, extra: Requests | undefined): NodeRoom => (extra ? { ...node, requested: add(node.requested, extra) } : node);
  const server = reserved(await room(serverNode), reserve?.server);
  const client = clientNode === serverNode ? server : reserved(await room(clientNode), reserve?.client);
  const problem = capacityProblem(scenario, modes, server, client);
  return problem && reserve ? `${problem} (counting as already requested what the call chain's other services and generator pods ask of each node)` : problem;
}

/** The scenario's pods cannot be scheduled on the chosen nodes: said before anything is created. */
export class CapacityError extends MeshtaxError {}
