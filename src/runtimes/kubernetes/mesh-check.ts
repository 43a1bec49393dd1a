import type { V1Deployment, V1DaemonSet, V1LabelSelector } from '@kubernetes/client-node';
import type { Cluster } from './client/connect.ts';
import { apiStatus, during } from './client/errors.ts';
import type { KubernetesMode } from './modes.ts';
import { modeFacts } from './modes.ts';
import { MeshtaxError } from '../../core/errors.ts';

/** A mesh found in the cluster: where its control plane runs and its version (from the image tag). */
export interface MeshInstall {
  mesh: 'linkerd' | 'istio' | 'istio-ambient' | 'gateway-api';
  namespace: string;
  version: string;
  /** Pods of the control plane (for resource attribution), by label selector. */
  selector: string;
}

export class MeshMissing extends MeshtaxError {}

function imageVersion(images: (string | undefined)[]): string {
  for (const image of images) {
    const tag = image?.split('@')[0]?.split('/').pop()?.split(':')[1];
    if (tag) return tag;
  }
  return 'unknown';
}

function deploymentVersion(deployment: V1Deployment): string {
  return imageVersion((deployment.spec?.template.spec?.containers ?? []).map((c) => c.image));
}

function daemonSetVersion(daemonSet: V1DaemonSet): string {
  return imageVersion((daemonSet.spec?.template.spec?.containers ?? []).map((c) => c.image));
}

/**
 * The pods of a workload, as a label selector: its own spec.selector, which is what the controller itself uses. The
 * labels on the workload object and on its pods differ in the meshes' charts (Istio's ztunnel DaemonSet carries
 * app.kubernetes.io/name: ztunnel, its pods app: ztunnel), so a selector guessed from the object's labels misses.
 */
function podSelector(selector: V1LabelSelector | undefined, fallback: string): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  const expressions = (selector?.matchExpressions ?? []).map((e) => {
    if (e.operator === 'Exists') return e.key;
    if (e.operator === 'DoesNotExist') return `!${e.key}`;
    return `${e.key} ${e.operator === 'NotIn' ? 'notin' : 'in'} (${(e.values ?? []).join(',')})`;
  });
  const all = [...labels, ...expressions];
  return all.length > 0 ? all.join(',') : fallback;
}

export async function findLinkerd(cluster: Cluster): Promise<MeshInstall | undefined> {
  const list = await during('looking for the Linkerd control plane', () =>
    cluster.apps.listDeploymentForAllNamespaces({ labelSelector: 'linkerd.io/control-plane-component=destination' }),
  );
  const destination = list.items.find((d) => d.metadata?.name === 'linkerd-destination') ?? list.items[0];
  if (!destination) return undefined;
  const namespace = destination.metadata?.namespace ?? 'linkerd';
  // Every control-plane pod of Linkerd's chart (destination, identity, proxy-injector) carries this label.
  return { mesh: 'linkerd', namespace, version: deploymentVersion(destination), selector: 'linkerd.io/control-plane-component' };
}

export async function findIstio(cluster: Cluster, revision?: string): Promise<MeshInstall | undefined> {
  const selector = revision ? `app=istiod,istio.io/rev=${revision}` : 'app=istiod';
  const list = await during('looking for the Istio control plane', () => cluster.apps.listDeploymentForAllNamespaces({ labelSelector: selector }));
  const istiod = list.items[0];
  if (!istiod) return undefined;
  return { mesh: 'istio', namespace: istiod.metadata?.namespace ?? 'istio-system', version: deploymentVersion(istiod), selector: podSelector(istiod.spec?.selector, selector) };
}

/**
 * Istio's ztunnel chart (manifests/charts/ztunnel/templates/daemonset.yaml in istio/istio, as `helm install` and
 * `istioctl install` render it) labels the DaemonSet `app.kubernetes.io/name: ztunnel`; `app: ztunnel` is only on
 * its selector and pod template.
 */
export const ZTUNNEL_DAEMONSET_SELECTOR = 'app.kubernetes.io/name=ztunnel';

/**
 * The label Istio itself knows a ztunnel pod by: istio-cni's IsZtunnelPod tests the pod's `app: ztunnel` (istio/istio
 * cni/pkg/util/podutil.go:100-102, at 86c9f01fd73). An install whose DaemonSet lacks the chart's labels (rendered by
 * other tooling, or relabelled) still selects its pods by it.
 */
const ZTUNNEL_POD_APP = 'ztunnel';

export async function findZtunnel(cluster: Cluster): Promise<MeshInstall | undefined> {
  const list = await during('looking for Istio\'s ztunnel', () => cluster.apps.listDaemonSetForAllNamespaces({ labelSelector: ZTUNNEL_DAEMONSET_SELECTOR }));
  let ztunnel = list.items[0];
  if (!ztunnel) {
    const all = await during('looking for Istio\'s ztunnel by its pods\' label', () => cluster.apps.listDaemonSetForAllNamespaces({}));
    ztunnel = all.items.find((d) => d.spec?.selector.matchLabels?.app === ZTUNNEL_POD_APP);
  }
  if (!ztunnel) return undefined;
  return {
    mesh: 'istio-ambient',
    namespace: ztunnel.metadata?.namespace ?? 'istio-system',
    version: daemonSetVersion(ztunnel),
    selector: podSelector(ztunnel.spec?.selector, 'app=ztunnel'),
  };
}

/** Whether the Gateway API is served and Istio's waypoint GatewayClass exists. */
export async function findWaypointClass(cluster: Cluster): Promise<{ crds: boolean; gatewayClass: boolean }> {
  try {
    await cluster.custom.getClusterCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gatewayclasses', name: 'istio-waypoint' });
    return { crds: true, gatewayClass: true };
  } catch (error) {
    if (apiStatus(error) !== 404) throw error;
  }
  try {
    await cluster.custom.listClusterCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gatewayclasses' });
    return { crds: true, gatewayClass: false };
  } catch (error) {
    if (apiStatus(error) === 404) return { crds: false, gatewayClass: false };
    throw error;
  }
}

/**
 * Checks, before anything is created, that every mesh the modes need is installed; throws MeshMissing saying what
 * is missing and how to install it. Returns what was found, for run.json's environment.
 */
export async function requireMeshes(cluster: Cluster, modes: readonly KubernetesMode[], istioRevision?: string): Promise<MeshInstall[]> {
  const found: MeshInstall[] = [];
  const missing: string[] = [];
  const facts = modes.map(modeFacts);
  if (facts.some((f) => f.mesh === 'linkerd')) {
    const linkerd = await findLinkerd(cluster);
    if (linkerd) found.push(linkerd);
    else
      missing.push(
        'Linkerd control plane not found: no linkerd-destination in namespace linkerd, nor any Deployment labelled linkerd.io/control-plane-component=destination elsewhere (install it: linkerd install --crds | kubectl apply -f - && linkerd install | kubectl apply -f -)',
      );
  }
  if (facts.some((f) => f.mesh === 'istio')) {
    const istio = await findIstio(cluster, istioRevision);
    if (istio) found.push(istio);
    else
      missing.push(
        `Istio control plane not found: no istiod Deployment (label ${istioRevision ? `app=istiod,istio.io/rev=${istioRevision}` : 'app=istiod'}) in any namespace (install it: istioctl install --set profile=ambient)`,
      );
  }
  if (facts.some((f) => f.ambient)) {
    const ztunnel = await findZtunnel(cluster);
    if (ztunnel) found.push(ztunnel);
    else missing.push(`Istio ambient data plane not found: no ztunnel DaemonSet (label ${ZTUNNEL_DAEMONSET_SELECTOR}, or selecting pods app=${ZTUNNEL_POD_APP}) in any namespace (install Istio with --set profile=ambient)`);
  }
  if (facts.some((f) => f.waypoint)) {
    const waypoint = await findWaypointClass(cluster);
    if (!waypoint.crds) {
      missing.push('Gateway API CRDs are not installed: waypoints are Gateways (kubectl apply -f the Gateway API standard-install.yaml of its release)');
    } else if (!waypoint.gatewayClass) {
      missing.push('GatewayClass istio-waypoint not found: istiod creates it when Istio runs with the Gateway API CRDs installed (install the CRDs before Istio, or restart istiod)');
    } else {
      found.push({ mesh: 'gateway-api', namespace: '', version: 'v1', selector: '' });
    }
  }
  if (missing.length > 0) throw new MeshMissing(missing.join('; '));
  return found;
}
