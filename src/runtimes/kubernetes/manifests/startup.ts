import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { namespaceName, ROLE_LABEL, runLabels } from '../labels.ts';
import { CODE_MOUNT } from '../code-bundle.ts';
import { modeFacts } from '../modes.ts';
import type { RenderContext } from './context.ts';
import { meshPodAnnotations, nodeContainer, podSpecBase } from './pod-parts.ts';
import { echoDeployment, echoService } from './workload.ts';

/**
 * The objects of `meshtax startup` beside a mode's namespace and code: the start-up pods, the headless Service that
 * names them, and the prober pod that asks each new pod for its first answer through the mesh.
 */

/** Pods of the start-up measurement: not the echo Deployment's (its ReplicaSet would adopt pods its selector matches). */
export const STARTUP_APP = 'echo-startup';
/** The headless Service of the start-up pods, and their DNS subdomain. */
export const STARTUP_SERVICE = 'echo-startup';
export const PROBER_NAME = 'startup-prober';
export const PROBER_CONTAINER = 'prober';
export const PROBER_ROLE = 'startup-prober';
/** The prober's control port, read by meshtax through the API server's pod proxy. */
export const PROBER_PORT = 8081;
/** The prober polls and answers a few small requests: a tenth of a core and 128 MiB are plenty. */
const PROBER_RESOURCES = { cpu: '100m', memory: '128Mi' };

const startupSelector = { 'app.kubernetes.io/name': STARTUP_APP };

/** The label selector of one round's start-up pods. */
export function roundSelector(round: number): string {
  return `${ROLE_LABEL}=startup-${round}`;
}

/**
 * One start-up pod: the echo server's pod as its Deployment makes it, under the start-up labels, with `hostname` and
 * `subdomain` so it has a name of its own in the cluster's DNS, `<name>.echo-startup.<namespace>.svc` (a pod whose
 * subdomain names a headless Service of its namespace gets such a record: kubernetes.io/docs/concepts/
 * services-networking/dns-pod-service/, "Pod's hostname and subdomain fields").
 */
export function startupPod(context: RenderContext, round: number, index: number): V1Pod {
  const template = echoDeployment(context).spec!.template;
  const name = `${STARTUP_APP}-${round}-${index}`;
  const labels = { ...runLabels(context.runId, context.mode), ...startupSelector, [ROLE_LABEL]: `startup-${round}` };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: namespaceName(context.runId, context.mode), labels, annotations: template.metadata?.annotations ?? {} },
    spec: { ...template.spec!, hostname: name, subdomain: STARTUP_SERVICE },
  };
}

/** A start-up pod's DNS name: the Host of the prober's requests to it. */
export function startupHost(context: Pick<RenderContext, 'runId' | 'mode'>, pod: string): string {
  return `${pod}.${STARTUP_SERVICE}.${namespaceName(context.runId, context.mode)}.svc`;
}

/**
 * The headless Service that selects the start-up pods. It gives each its DNS name, and it makes the pods endpoints
 * the mesh knows (their identity, their port's protocol) as soon as they have an address: with
 * publishNotReadyAddresses the EndpointSlice controller marks an endpoint ready whether or not its pod is
 * (kubernetes/kubernetes staging/src/k8s.io/endpointslice/utils.go:37-42), so the prober's requests before Ready
 * are routed as requests to a known endpoint, not as traffic to an unknown address.
 */
export function startupService(context: RenderContext): V1Service {
  // The echo Service's port and protocol (appProtocol, so the mesh treats the port as the echo server speaks it).
  const echo = echoService(context);
  return {
    ...echo,
    metadata: { ...echo.metadata, name: STARTUP_SERVICE },
    spec: { ...echo.spec, clusterIP: 'None', publishNotReadyAddresses: true, selector: startupSelector },
  };
}

/**
 * Keeps the prober's control port out of a sidecar's inbound capture, so meshtax reads it through the pod proxy
 * whatever the mesh's mTLS policy; its outbound requests, the ones measured, still take the sidecar. Istio:
 * the traffic.sidecar.istio.io/excludeInboundPorts annotation; Linkerd: config.linkerd.io/skip-inbound-ports.
 */
function controlPortOutsideMesh(context: RenderContext): Record<string, string> {
  const sidecar = modeFacts(context.mode).sidecar;
  if (sidecar === 'istio-proxy') return { 'traffic.sidecar.istio.io/excludeInboundPorts': String(PROBER_PORT) };
  if (sidecar === 'linkerd-proxy') return { 'config.linkerd.io/skip-inbound-ports': String(PROBER_PORT) };
  return {};
}

/**
 * The prober pod of a mode: meshtax's prober (src/pod/prober-server.ts) from the code ConfigMap, on the client
 * node, in the mode's namespace so the mesh takes it as it takes the generator pods (the namespace's opt-in; its
 * proxy starts before it). It has no API credentials: meshtax tells it each new pod's address.
 */
export function proberPod(context: RenderContext): V1Pod {
  const container = nodeContainer(PROBER_CONTAINER, context.settings, [`${CODE_MOUNT}/prober.js`, `--port=${PROBER_PORT}`], PROBER_RESOURCES);
  container.ports = [{ name: 'control', containerPort: PROBER_PORT, protocol: 'TCP' }];
  container.readinessProbe = { httpGet: { path: '/healthz', port: 'control' }, periodSeconds: 1 };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: PROBER_NAME,
      namespace: namespaceName(context.runId, context.mode),
      labels: { ...runLabels(context.runId, context.mode), [ROLE_LABEL]: PROBER_ROLE },
      annotations: { 'kubectl.kubernetes.io/default-container': PROBER_CONTAINER, ...meshPodAnnotations(context), ...controlPortOutsideMesh(context) },
    },
    spec: {
      ...podSpecBase(context, context.clientNode, context.settings.placement.client.selector),
      restartPolicy: 'Never',
      containers: [container],
    },
  };
}
