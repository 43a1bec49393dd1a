import type { V1Affinity, V1Container, V1LocalObjectReference, V1PodSpec, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { CODE_CONFIGMAP } from '../labels.ts';
import { CODE_MOUNT } from '../code-bundle.ts';
import { modeFacts } from '../modes.ts';
import type { RenderContext } from './context.ts';
import { onNode } from './placement.ts';
import { containerSecurity, podSecurity } from './security.ts';

/** What the echo and generator pods share: the code volume, security, no service-account token, placement. */
export function podSpecBase(context: RenderContext, node: string | undefined, selector: Record<string, string> | undefined): Omit<V1PodSpec, 'containers'> {
  const volumes: V1Volume[] = [{ name: 'code', configMap: { name: CODE_CONFIGMAP } }];
  const pullSecrets: V1LocalObjectReference[] = context.settings.imagePullSecrets.map((name) => ({ name }));
  const affinity: V1Affinity | undefined = node ? onNode(node) : undefined;
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: podSecurity(),
    volumes,
    terminationGracePeriodSeconds: 5,
    ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets } : {}),
    ...(affinity ? { affinity } : {}),
    ...(selector && !node ? { nodeSelector: selector } : {}),
  };
}

export function codeMount(): V1VolumeMount {
  return { name: 'code', mountPath: CODE_MOUNT, readOnly: true };
}

/** The image settings of meshtax's own containers (kubernetes.image and kubernetes.imagePullPolicy). */
export interface NodeImage {
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never' | undefined;
}

/** A container with requests equal to limits (Guaranteed QoS for meshtax's own containers) and restricted security. */
export function nodeContainer(name: string, image: NodeImage, args: string[], resources: { cpu: string; memory: string }): V1Container {
  return {
    name,
    image: image.image,
    ...(image.imagePullPolicy ? { imagePullPolicy: image.imagePullPolicy } : {}),
    command: ['node'],
    args,
    resources: { requests: { ...resources }, limits: { ...resources } },
    securityContext: containerSecurity(),
    volumeMounts: [codeMount()],
  };
}

/** Pod annotations that make a mesh's proxy start before the app (the generator must not send before it can). */
export function meshPodAnnotations(context: RenderContext): Record<string, string> {
  const facts = modeFacts(context.mode);
  if (facts.sidecar === 'istio-proxy') return { 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": true}' };
  if (facts.sidecar === 'linkerd-proxy') return { 'config.linkerd.io/proxy-await': 'enabled' };
  return {};
}
