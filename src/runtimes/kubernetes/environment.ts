import type { V1Node } from '@kubernetes/client-node';
import type { Cluster } from './client/connect.ts';
import { during } from './client/errors.ts';

export interface NodeFacts {
  name: string;
  instanceType: string | null;
  kubelet: string | null;
  os: string | null;
  kernel: string | null;
  containerRuntime: string | null;
}

export function nodeFacts(node: V1Node): NodeFacts {
  const info = node.status?.nodeInfo;
  const labels = node.metadata?.labels ?? {};
  return {
    name: node.metadata?.name ?? '',
    instanceType: labels['node.kubernetes.io/instance-type'] ?? labels['beta.kubernetes.io/instance-type'] ?? null,
    kubelet: info?.kubeletVersion ?? null,
    os: info?.osImage ?? null,
    kernel: info?.kernelVersion ?? null,
    containerRuntime: info?.containerRuntimeVersion ?? null,
  };
}

const CNIS: [RegExp, string][] = [
  [/cilium/, 'cilium'],
  [/calico/, 'calico'],
  [/kindnet/, 'kindnet'],
  [/flannel/, 'flannel'],
  [/weave/, 'weave'],
  [/antrea/, 'antrea'],
  [/kube-router/, 'kube-router'],
  [/aws-node/, 'aws-vpc-cni'],
  [/azure-cni|azure-ip-masq/, 'azure-cni'],
  [/canal/, 'canal'],
  [/ovnkube|ovn-/, 'ovn-kubernetes'],
];

/** The CNI, guessed from the DaemonSets in kube-system (and the calico and cilium namespaces); null when unknown. */
export async function detectCni(cluster: Cluster): Promise<string | null> {
  try {
    const list = await cluster.apps.listDaemonSetForAllNamespaces({});
    for (const ds of list.items) {
      const name = ds.metadata?.name ?? '';
      for (const [pattern, cni] of CNIS) if (pattern.test(name)) return cni;
    }
  } catch {
    return null;
  }
  return null;
}

export async function kubernetesVersion(cluster: Cluster): Promise<string> {
  const info = await during(`reaching the API server at ${cluster.server} (context ${cluster.context})`, () => cluster.version.getCode());
  return info.gitVersion;
}
