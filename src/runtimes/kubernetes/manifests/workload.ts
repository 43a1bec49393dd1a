import type { V1ConfigMap, V1Container, V1Deployment, V1PodSpec, V1Probe, V1Service } from '@kubernetes/client-node';
import type { Readiness, WorkloadImage } from '../../../scenario/workload-schema.ts';
import { echoModel } from '../../local/echo-model.ts';
import { APP_NAME, APP_PORT, CHAIN_INDEX_LABEL, CODE_CONFIGMAP, namespaceName, ROLE_LABEL, runLabels } from '../labels.ts';
import { CODE_MOUNT } from '../code-bundle.ts';
import type { ChainService } from './chain.ts';
import type { RenderContext } from './context.ts';
import { meshPodAnnotations, nodeContainer, podSpecBase } from './pod-parts.ts';
import { workloadContainerSecurity, workloadPodSecurity } from './security.ts';

/** The bundled in-cluster code, mounted read-only by every meshtax pod of the mode. */
export function codeConfigMap(context: RenderContext): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CODE_CONFIGMAP, namespace: namespaceName(context.runId, context.mode), labels: runLabels(context.runId, context.mode) },
    data: { ...context.code },
  };
}

/** The pods of the echo Deployment, or of one service of a call chain. */
const appSelector = (service?: ChainService): Record<string, string> => ({ 'app.kubernetes.io/name': service?.name ?? APP_NAME });

/** Requests and limits of the app container: workload.image.resources, else kubernetes.resources.app. */
export function appResources(context: Pick<RenderContext, 'settings' | 'workload'>): { cpu: string; memory: string } {
  return context.workload.image?.resources ?? context.settings.resources.app;
}

function readinessProbe(check: Readiness): V1Probe {
  return check === 'tcp' ? { tcpSocket: { port: 'http' }, periodSeconds: 2 } : { httpGet: { path: check.httpGet, port: 'http' }, periodSeconds: 2 };
}

/**
 * meshtax's echo server, running the bundled echo.js with the scenario's echo model; a service of a call chain
 * forwards every request to the next service first (`--forward`, `--fan-out`: echo-forward.ts).
 */
function echoContainer(context: RenderContext, service?: ChainService): V1Container {
  const args = [`${CODE_MOUNT}/echo.js`, '--pod', '--host=0.0.0.0', `--port=${APP_PORT}`, `--model=${JSON.stringify(echoModel(context.workload))}`, `--protocol=${context.protocol ?? 'http1'}`];
  if (service?.forward) args.push(`--forward=${service.forward}`, `--fan-out=${context.workload.chain?.fanOut ?? 1}`);
  const container = nodeContainer(APP_NAME, context.settings, args, context.settings.resources.app);
  container.ports = [{ name: 'http', containerPort: APP_PORT, protocol: 'TCP' }];
  container.readinessProbe = readinessProbe('tcp');
  return container;
}

/** The team's own container (workload.image), under the name and port name the echo server's place has. */
function imageContainer(image: WorkloadImage, context: RenderContext): V1Container {
  const resources = appResources(context);
  const security = workloadContainerSecurity(context.settings.podSecurity);
  const env = Object.entries(image.env).map(([name, value]) => ({ name, value }));
  return {
    name: APP_NAME,
    image: image.name,
    ...(image.command ? { command: image.command } : {}),
    ...(image.args ? { args: image.args } : {}),
    ...(env.length > 0 ? { env } : {}),
    ports: [{ name: 'http', containerPort: image.port, protocol: 'TCP' }],
    readinessProbe: readinessProbe(image.ready),
    resources: { requests: { ...resources }, limits: { ...resources } },
    ...(security ? { securityContext: security } : {}),
  };
}

/**
 * The server under test: meshtax's echo server, answering as the scenario's workload section models it, or the
 * team's own image (workload.image) in its place. Either way it is the Deployment, Service and container `echo` with
 * role label `app`, so placement, the proof that the mode is in effect and resource attribution apply unchanged.
 * A service of a call chain (`service`) is the echo server's Deployment under the service's name, on its side of
 * the chain (manifests/chain.ts), its pods labelled with its position.
 */
export function echoDeployment(context: RenderContext, service?: ChainService): V1Deployment {
  const labels = { ...runLabels(context.runId, context.mode), ...appSelector(service), [ROLE_LABEL]: 'app', ...(service ? { [CHAIN_INDEX_LABEL]: String(service.index) } : {}) };
  const image = context.workload.image;
  const side = service && !service.serverSide ? 'client' : 'server';
  const base = podSpecBase(context, side === 'server' ? context.serverNode : context.clientNode, context.settings.placement[side].selector);
  const spec: V1PodSpec = image
    ? {
        ...base,
        // The team's image needs none of meshtax's code, and runs as its own user, not meshtax's uid 1000.
        volumes: [],
        securityContext: workloadPodSecurity(context.settings.podSecurity, image.runAsUser),
        ...pullSecrets([...context.settings.imagePullSecrets, ...image.imagePullSecrets]),
        containers: [imageContainer(image, context)],
      }
    : { ...base, containers: [echoContainer(context, service)] };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: service?.name ?? APP_NAME, namespace: namespaceName(context.runId, context.mode), labels },
    spec: {
      replicas: context.replicas ?? 1,
      selector: { matchLabels: appSelector(service) },
      template: {
        metadata: { labels, annotations: { 'kubectl.kubernetes.io/default-container': APP_NAME, ...meshPodAnnotations(context) } },
        spec,
      },
    },
  };
}

function pullSecrets(names: readonly string[]): Pick<V1PodSpec, 'imagePullSecrets'> {
  const unique = [...new Set(names)];
  return unique.length > 0 ? { imagePullSecrets: unique.map((name) => ({ name })) } : {};
}

export function echoService(context: RenderContext, service?: ChainService): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service?.name ?? APP_NAME, namespace: namespaceName(context.runId, context.mode), labels: runLabels(context.runId, context.mode) },
    spec: {
      selector: appSelector(service),
      // appProtocol tells the meshes what the port speaks (http, http2 or grpc), so sidecars and waypoints treat it
      // at L7 with the right protocol instead of sniffing it or falling back to opaque TCP.
      ports: [{ name: 'http', port: APP_PORT, targetPort: 'http', protocol: 'TCP', appProtocol: appProtocol(context.protocol) }],
    },
  };
}

/** The Service port's appProtocol for what the generator speaks. */
export function appProtocol(protocol: RenderContext['protocol']): 'http' | 'http2' | 'grpc' {
  return protocol === 'http2' || protocol === 'grpc' ? protocol : 'http';
}

export function targetUrl(): string {
  return `http://${APP_NAME}:${APP_PORT}/`;
}
