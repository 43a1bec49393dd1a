import * as k8s from '@kubernetes/client-node';
import { startCluster, type ClusterOptions, type TestCluster } from '../../helpers/kube/cluster.ts';
import { startIstio, type TestIstio } from '../../helpers/kube/istio.ts';
import { MeshTraffic, serveProxyAdmin } from '../../helpers/kube/proxy-admin.ts';
import { startServer, type TestServer } from '../../helpers/servers.ts';
import { runPodsLocally, type PodRunner } from './pod-runner.ts';

/**
 * A test cluster with Istio's real control plane (test/helpers/kube/istio.ts), generator pods run on this host
 * against an echo server that counts what each generator pod sent, and the proxies' metrics stand-ins
 * (test/helpers/kube/proxy-admin.ts) on the pods' addresses.
 */
export interface MeshCluster {
  cluster: TestCluster;
  traffic: MeshTraffic;
  istio: TestIstio;
  pods: PodRunner;
  /** Every pod of a meshtax namespace, as last seen (they are gone once a run cleans up). */
  seen: Map<string, k8s.V1Pod>;
  /** The environment that points the CLI at the cluster. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startMeshCluster(options: ClusterOptions): Promise<MeshCluster> {
  const cluster = await startCluster(options);
  const traffic = new MeshTraffic();
  let echo: TestServer | undefined;
  let pods: PodRunner | undefined;
  let istio: TestIstio | undefined;
  let watch: AbortController | undefined;
  const stop = async (): Promise<void> => {
    watch?.abort();
    await istio?.stop();
    await pods?.stop();
    await echo?.close();
    await cluster.stop();
  };
  try {
    echo = await startServer(traffic.handler);
    pods = runPodsLocally(cluster, echo.url);
    serveProxyAdmin(cluster, traffic);
    istio = await startIstio(cluster);
    const seen = new Map<string, k8s.V1Pod>();
    watch = await new k8s.Watch(cluster.kubeConfig()).watch('/api/v1/pods', { labelSelector: 'app.kubernetes.io/managed-by=meshtax' }, (_type: string, pod: k8s.V1Pod) => {
      seen.set(`${pod.metadata?.namespace}/${pod.metadata?.name}`, pod);
    }, () => undefined);
    return { cluster, traffic, istio, pods, seen, env: { KUBECONFIG: cluster.kubeconfigPath }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
