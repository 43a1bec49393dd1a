import type { KubernetesObject } from '@kubernetes/client-node';
import { modeFacts } from '../modes.ts';
import type { RenderContext } from './context.ts';
import { modeNamespace } from './namespace.ts';
import { waypointGateway } from './waypoint.ts';
import { codeConfigMap, echoDeployment, echoService } from './workload.ts';

/** Every object `run` applies for a mode before its first phase, in apply order (generator pods come per phase). */
export function renderMode(context: RenderContext): KubernetesObject[] {
  const objects: KubernetesObject[] = [
    modeNamespace(context.runId, context.mode, context.settings.istio.revision, context.settings.podSecurity),
    codeConfigMap(context),
    echoDeployment(context),
    echoService(context),
  ];
  if (modeFacts(context.mode).waypoint) objects.push(waypointGateway(context));
  return objects;
}
