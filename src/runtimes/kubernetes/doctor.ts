import { plannedModes } from '../../scenario/plan.ts';
import { placementCapacityProblem } from './capacity.ts';
import { cleanupHint } from './cleanup-hint.ts';
import type { Cluster } from './client/connect.ts';
import { apiMessage, apiStatus } from './client/errors.ts';
import { kubernetesVersion } from './environment.ts';
import { managedSelector } from './labels.ts';
import { isKubernetesMode, modeFacts } from './modes.ts';
import { consentHint, consentProblem, FAULTS_CONSENT_LABEL, FAULTS_CONSENT_VALUE } from './faults/control-plane.ts';
import { findIstio, findLinkerd, findWaypointClass, findZtunnel } from './mesh-check.ts';
import { choosePlacement, schedulable, type Placement } from './placement.ts';
import { kubernetesSchema, type KubernetesSettings } from '../../scenario/kubernetes-schema.ts';
import type { Scenario } from '../../scenario/schema.ts';
import { kubeletSource, metricsApiSource } from './resources/sources.ts';
import type { Check } from '../check.ts';

/** Everything `run` does in a cluster, as access reviews: verb, API group, resource (subresource after a slash). */
const NEEDED: [verb: string, group: string, resource: string][] = [
  ['create', '', 'namespaces'],
  ['delete', '', 'namespaces'],
  ['list', '', 'namespaces'],
  ['patch', '', 'namespaces'],
  ['create', '', 'configmaps'],
  ['patch', '', 'configmaps'],
  ['create', '', 'services'],
  ['patch', '', 'services'],
  ['create', 'apps', 'deployments'],
  ['patch', 'apps', 'deployments'],
  ['get', 'apps', 'deployments'],
  ['list', 'apps', 'deployments'],
  ['list', 'apps', 'replicasets'],
  ['list', 'apps', 'daemonsets'],
  ['create', '', 'pods'],
  ['get', '', 'pods'],
  ['list', '', 'pods'],
  ['delete', '', 'pods'],
  ['get', '', 'pods/log'],
  // The mesh proxies' own counters (proof that a phase's requests took the mesh path), read through the pod proxy.
  ['get', '', 'pods/proxy'],
  ['list', '', 'nodes'],
  ['get', '', 'nodes/proxy'],
  ['create', 'gateway.networking.k8s.io', 'gateways'],
  ['patch', 'gateway.networking.k8s.io', 'gateways'],
  ['get', 'gateway.networking.k8s.io', 'gateways'],
  ['get', 'gateway.networking.k8s.io', 'gatewayclasses'],
];

const DEFAULT_SETTINGS = kubernetesSchema.parse(undefined);

/** What `run` needs from a cluster (with a scenario: that scenario's nodes and requests), and what it would find there. */
export async function kubernetesChecks(cluster: Cluster, scenario?: Scenario): Promise<Check[]> {
  const checks: Check[] = [{ name: 'context', status: 'info', detail: `${cluster.context} (${cluster.server})` }];
  try {
    checks.push({ name: 'api server', status: 'ok', detail: await kubernetesVersion(cluster) });
  } catch (error) {
    checks.push({
      name: 'api server',
      status: 'fail',
      detail: error instanceof Error ? error.message : String(error),
      hint: 'check the context (kubectl config get-contexts) and that the cluster runs',
    });
    return checks;
  }
  checks.push(await permissionsCheck(cluster));
  const nodes = await nodesCheck(cluster, (scenario?.kubernetes ?? DEFAULT_SETTINGS).placement);
  checks.push(...nodes.checks);
  if (scenario && nodes.placement) checks.push(await capacityCheck(cluster, scenario, nodes.placement));
  checks.push(...(await meshChecks(cluster)));
  if (scenario?.faults?.controlPlaneOutage) checks.push(...(await faultChecks(cluster, scenario)));
  if (nodes.placement) checks.push(...(await metricsChecks(cluster, [...new Set([nodes.placement.serverNode, nodes.placement.clientNode])])));
  checks.push(await leftoverCheck(cluster));
  return checks;
}

async function permissionsCheck(cluster: Cluster): Promise<Check> {
  const denied: string[] = [];
  for (const [verb, group, resource] of NEEDED) {
    const [name, subresource] = resource.split('/');
    try {
      const review = await cluster.authz.createSelfSubjectAccessReview({
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb, group, resource: name!, ...(subresource ? { subresource } : {}) } } },
      });
      if (!review.status?.allowed) denied.push(`${verb} ${group ? `${group}/` : ''}${resource}`);
    } catch (error) {
      return { name: 'permissions', status: 'fail', detail: `access reviews failed: ${apiMessage(error)}` };
    }
  }
  if (denied.length === 0) return { name: 'permissions', status: 'ok', detail: `all ${NEEDED.length} actions run needs are allowed` };
  // Without the proxy subresources a run still measures, with less: say what is lost instead of failing.
  const onlyProxy = denied.every((d) => d.endsWith('nodes/proxy') || d.endsWith('pods/proxy'));
  const lost = [
    ...(denied.some((d) => d.endsWith('nodes/proxy')) ? ['without nodes/proxy, CPU comes from metrics.k8s.io averages instead of kubelet counters'] : []),
    ...(denied.some((d) => d.endsWith('pods/proxy')) ? ['without pods/proxy, the mesh proxies\' request counters cannot be read, so no phase proves its requests took the mesh path'] : []),
  ];
  return {
    name: 'permissions',
    status: onlyProxy ? 'warn' : 'fail',
    detail: `denied: ${denied.join(', ')}`,
    hint: onlyProxy ? lost.join('; ') : 'ask for a role that allows these, or use a context with more rights',
  };
}

async function nodesCheck(cluster: Cluster, settings: KubernetesSettings['placement']): Promise<{ checks: Check[]; placement?: Placement }> {
  let check: Check;
  try {
    const list = await cluster.core.listNode();
    const ready = list.items.filter(schedulable).map((n) => n.metadata?.name ?? '');
    if (ready.length === 0) return { checks: [{ name: 'nodes', status: 'fail', detail: `${list.items.length} node(s), none schedulable` }] };
    check =
      ready.length === 1
        ? { name: 'nodes', status: 'warn', detail: `one schedulable node: ${ready[0]}`, hint: 'client and server will share it; latency then misses the network hop' }
        : { name: 'nodes', status: 'ok', detail: `${ready.length} schedulable: ${ready.join(', ')}` };
  } catch (error) {
    return { checks: [{ name: 'nodes', status: 'fail', detail: apiMessage(error) }] };
  }
  try {
    const placement = await choosePlacement(cluster, settings);
    return { checks: [check, { name: 'placement', status: 'info', detail: `server on ${placement.serverNode}, client on ${placement.clientNode}` }], placement };
  } catch (error) {
    return { checks: [check, { name: 'placement', status: 'fail', detail: error instanceof Error ? error.message : String(error) }] };
  }
}

/** Whether the scenario's pods fit the nodes run would choose, as the scheduler will judge them. */
async function capacityCheck(cluster: Cluster, scenario: Scenario, placement: Placement): Promise<Check> {
  const modes = plannedModes(scenario).filter(isKubernetesMode);
  try {
    const problem = await placementCapacityProblem(cluster, scenario, modes, placement.serverNode, placement.clientNode);
    if (problem) return { name: 'capacity', status: 'fail', detail: problem };
    const atOnce = Math.min(scenario.kubernetes.modesAtOnce, modes.length);
    return { name: 'capacity', status: 'ok', detail: `${atOnce} of ${modes.length} modes at a time and one phase's generator pods fit ${placement.serverNode}${placement.clientNode === placement.serverNode ? '' : ` and ${placement.clientNode}`}` };
  } catch (error) {
    return { name: 'capacity', status: 'warn', detail: `could not compare requests with the nodes: ${apiMessage(error)}` };
  }
}

/**
 * faults.controlPlaneOutage: whether each control plane the scenario's modes use is meshtax's to take down, as its
 * owner says with a label on its namespace.
 */
async function faultChecks(cluster: Cluster, scenario: Scenario): Promise<Check[]> {
  const meshes = new Set(plannedModes(scenario).filter(isKubernetesMode).map((mode) => modeFacts(mode).mesh));
  const checks: Check[] = [];
  const finders = { linkerd: () => findLinkerd(cluster), istio: () => findIstio(cluster, scenario.kubernetes.istio.revision) };
  for (const mesh of ['linkerd', 'istio'] as const) {
    if (!meshes.has(mesh)) continue;
    const name = `${mesh} control-plane faults`;
    try {
      const install = await finders[mesh]();
      if (!install) continue;
      const problem = await consentProblem(cluster, install.namespace);
      checks.push(
        problem
          ? { name, status: 'fail', detail: `${problem}: faults.controlPlaneOutage would be refused`, hint: consentHint(install.namespace) }
          : { name, status: 'ok', detail: `namespace ${install.namespace} allows meshtax to scale its control plane to zero and back (${FAULTS_CONSENT_LABEL}=${FAULTS_CONSENT_VALUE})` },
      );
    } catch (error) {
      checks.push({ name, status: 'warn', detail: error instanceof Error ? error.message : String(error) });
    }
  }
  return checks;
}

async function meshChecks(cluster: Cluster): Promise<Check[]> {
  const checks: Check[] = [];
  const found = async (name: string, modes: string, find: () => Promise<{ namespace: string; version: string } | undefined>): Promise<void> => {
    try {
      const install = await find();
      checks.push(
        install
          ? { name, status: 'ok', detail: `${install.version} in namespace ${install.namespace}` }
          : { name, status: 'info', detail: `not installed: modes ${modes} are unavailable` },
      );
    } catch (error) {
      checks.push({ name, status: 'warn', detail: error instanceof Error ? error.message : String(error) });
    }
  };
  await found('linkerd', 'linkerd', () => findLinkerd(cluster));
  await found('istio', 'istio-sidecar, istio-ambient, istio-waypoint', () => findIstio(cluster));
  await found('istio ambient', 'istio-ambient, istio-waypoint', () => findZtunnel(cluster));
  try {
    const waypoint = await findWaypointClass(cluster);
    checks.push(
      waypoint.gatewayClass
        ? { name: 'gateway api', status: 'ok', detail: 'Gateway API CRDs and GatewayClass istio-waypoint present' }
        : {
            name: 'gateway api',
            status: 'info',
            detail: waypoint.crds ? 'CRDs installed, but no GatewayClass istio-waypoint: mode istio-waypoint is unavailable' : 'Gateway API CRDs not installed: mode istio-waypoint is unavailable',
          },
    );
  } catch (error) {
    checks.push({ name: 'gateway api', status: 'warn', detail: apiMessage(error) });
  }
  return checks;
}

/**
 * The API server's path to the kubelets of the nodes run would use, and the metrics sources. Generator results come
 * back as pod logs, which the API server fetches from the client node's kubelet: a kubelet it cannot reach fails
 * every phase, so that is a failure here, not a metrics warning. So is a cluster where neither metrics source
 * answers: the run would have no CPU or memory figures, which is half of what it measures.
 */
async function metricsChecks(cluster: Cluster, nodes: readonly string[]): Promise<Check[]> {
  const checks: Check[] = [];
  for (const node of nodes) checks.push(await kubeletPathCheck(cluster, node));
  let kubelet = false;
  try {
    const samples = await kubeletSource(cluster).sample(nodes, []);
    kubelet = true;
    checks.push({ name: 'kubelet metrics', status: 'ok', detail: `/metrics/resource of ${nodes.join(', ')} answers (${samples.size} containers)` });
  } catch (error) {
    checks.push({ name: 'kubelet metrics', status: 'warn', detail: error instanceof Error ? error.message : String(error), hint: 'CPU then comes from metrics.k8s.io, if installed' });
  }
  try {
    await metricsApiSource(cluster).sample([], ['kube-system']);
    checks.push({ name: 'metrics.k8s.io', status: 'ok', detail: 'answers' });
  } catch (error) {
    checks.push(
      kubelet
        ? { name: 'metrics.k8s.io', status: 'info', detail: `not available: ${apiMessage(error)} (only needed when the kubelet metrics are not)` }
        : {
            name: 'metrics.k8s.io',
            status: 'fail',
            detail: `not available either: ${apiMessage(error)}; a run would have no CPU or memory figures`,
            hint: 'grant get on nodes/proxy so the kubelet counters can be read, or install metrics-server',
          },
    );
  }
  return checks;
}

/**
 * Whether the API server reaches a node's kubelet: its /healthz through the node proxy. Any answer from the kubelet
 * (even 404) proves the path; the API server answers 503 "error trying to reach service" (or another 5xx) when its
 * connection fails. A 403 proves nothing: the API server refused the caller (no get on nodes/proxy) before trying
 * the path, so the path is not checked, which is said rather than passed (the permissions check names the verb).
 */
export async function kubeletPathCheck(cluster: Cluster, node: string): Promise<Check> {
  const name = `kubelet ${node}`;
  try {
    await cluster.core.connectGetNodeProxyWithPath({ name: node, path: 'healthz' });
  } catch (error) {
    const status = apiStatus(error);
    if (status === 403) return { name, status: 'info', detail: `not checked (no get nodes/proxy): ${apiMessage(error)}` };
    if (status === undefined || status >= 500) {
      return {
        name,
        status: 'fail',
        detail: `the API server cannot reach the kubelet of ${node}: ${apiMessage(error)}`,
        hint: 'generator results come back as pod logs over this same path (API server to kubelet), so every phase would fail; check the kubelet port (10250) between control plane and node, and the node\'s InternalIP',
      };
    }
  }
  return { name, status: 'ok', detail: 'reachable through the API server (pod logs, node proxy)' };
}

async function leftoverCheck(cluster: Cluster): Promise<Check> {
  try {
    const list = await cluster.core.listNamespace({ labelSelector: managedSelector() });
    if (list.items.length === 0) return { name: 'leftovers', status: 'ok', detail: 'no namespaces from earlier runs' };
    const names = list.items.map((n) => n.metadata?.name ?? '');
    return { name: 'leftovers', status: 'warn', detail: `${names.length} namespace(s) from earlier runs: ${names.join(', ')}`, hint: cleanupHint(list.items) };
  } catch (error) {
    return { name: 'leftovers', status: 'warn', detail: apiMessage(error) };
  }
}
