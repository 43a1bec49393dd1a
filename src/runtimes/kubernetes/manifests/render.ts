import type { KubernetesObject } from '@kubernetes/client-node';
import { modeFacts } from '../modes.ts';
import type { RenderContext } from './context.ts';
import { modeNamespace } from './namespace.ts';
import { waypointGateway } from './waypoint.ts';
import { chainServices } from './chain.ts';
import { codeConfigMap, echoDeployment, echoService } from './workload.ts';

/** Every object `run` applies for a mode before its first phase, in apply order (generator pods come per phase). */
export function renderMode(context: RenderContext): KubernetesObject[] {
  const objects: KubernetesObject[] = [
    modeNamespace(context.runId, context.mode, context.settings.istio.revision, context.settings.podSecurity),
    codeConfigMap(context),
  ];
  const chain = context.workload.chain;
  // A call chain: every service's Deployment and Service, the last first, so each service's next one is there first.
  if (chain) for (const service of chainServices(chain.depth).reverse()) objects.push(echoDeployment(context, service), echoService(context, service));
  else objects.push(echoDeployment(context), echoService(context));
  if (modeFacts(context.mode).waypoint) objects.push(waypointGateway(context));
  return objects;
}
