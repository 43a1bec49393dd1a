import type { KubernetesObject } from '@kubernetes/client-node';
import { namespaceName, runLabels, WAYPOINT_NAME } from '../labels.ts';
import type { RenderContext } from './context.ts';

export interface Gateway extends KubernetesObject {
  spec: {
    gatewayClassName: string;
    listeners: { name: string; port: number; protocol: string }[];
  };
}

/** Istio's waypoint for the mode's namespace: a Gateway API Gateway of class istio-waypoint, for service traffic. */
export function waypointGateway(context: RenderContext): Gateway {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: {
      name: WAYPOINT_NAME,
      namespace: namespaceName(context.runId, context.mode),
      labels: { ...runLabels(context.runId, context.mode), 'istio.io/waypoint-for': 'service' },
    },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  };
}
