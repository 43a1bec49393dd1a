import type { V1ConfigMap, V1Deployment, V1Service } from '@kubernetes/client-node';
import { APP_NAME, APP_PORT, CODE_CONFIGMAP, namespaceName, ROLE_LABEL, runLabels } from '../labels.ts';
import { CODE_MOUNT } from '../code-bundle.ts';
import type { RenderContext } from './context.ts';
import { meshPodAnnotations, nodeContainer, podSpecBase } from './pod-parts.ts';

/** The bundled in-cluster code, mounted read-only by every meshtax pod of the mode. */
export function codeConfigMap(context: RenderContext): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CODE_CONFIGMAP, namespace: namespaceName(context.runId, context.mode), labels: runLabels(context.runId, context.mode) },
    data: { ...context.code },
  };
}

const appSelector = { 'app.kubernetes.io/name': APP_NAME };

/** The echo server: meshtax's own, answering with workload.payloadBytes after workload.responseDelay. */
export function echoDeployment(context: RenderContext): V1Deployment {
  const labels = { ...runLabels(context.runId, context.mode), ...appSelector, [ROLE_LABEL]: 'app' };
  const container = nodeContainer(
    APP_NAME,
    context.settings.image,
    [
      `${CODE_MOUNT}/echo.js`,
      '--pod',
      '--host=0.0.0.0',
      `--port=${APP_PORT}`,
      `--payload-bytes=${context.payloadBytes}`,
      `--delay-ms=${context.responseDelayMs}`,
      `--protocol=${context.protocol ?? 'http1'}`,
    ],
    context.settings.resources.app,
  );
  container.ports = [{ name: 'http', containerPort: APP_PORT, protocol: 'TCP' }];
  container.readinessProbe = { tcpSocket: { port: 'http' }, periodSeconds: 2 };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: APP_NAME, namespace: namespaceName(context.runId, context.mode), labels },
    spec: {
      replicas: context.replicas ?? 1,
      selector: { matchLabels: appSelector },
      template: {
        metadata: { labels, annotations: { 'kubectl.kubernetes.io/default-container': APP_NAME, ...meshPodAnnotations(context) } },
        spec: {
          ...podSpecBase(context, context.serverNode, context.settings.placement.server.selector),
          containers: [container],
        },
      },
    },
  };
}

export function echoService(context: RenderContext): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: APP_NAME, namespace: namespaceName(context.runId, context.mode), labels: runLabels(context.runId, context.mode) },
    spec: {
      selector: appSelector,
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
