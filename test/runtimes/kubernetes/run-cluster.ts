import * as k8s from '@kubernetes/client-node';
import { startCluster, type ClusterOptions, type TestCluster } from '../../helpers/kube/cluster.ts';
import { okHandler, startServer, type TestServer } from '../../helpers/servers.ts';
import { runPodsLocally, type PodRunner } from './pod-runner.ts';

/** A test cluster ready for `meshtax run`: generator pods run on this host against a loopback echo server. */
export interface RunCluster {
  cluster: TestCluster;
  echo: TestServer;
  pods: PodRunner;
  core: k8s.CoreV1Api;
  /** The environment that points the CLI at the cluster. */
  env: NodeJS.ProcessEnv;
  /** Names of the namespaces labelled managed-by=meshtax. */
  meshtaxNamespaces(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startRunCluster(options: ClusterOptions): Promise<RunCluster> {
  const cluster = await startCluster(options);
  const echo = await startServer(okHandler);
  const pods = runPodsLocally(cluster, echo.url);
  const core = cluster.kubeConfig().makeApiClient(k8s.CoreV1Api);
  return {
    cluster,
    echo,
    pods,
    core,
    env: { KUBECONFIG: cluster.kubeconfigPath },
    async meshtaxNamespaces() {
      const list = await core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=meshtax' });
      return list.items.map((ns) => ns.metadata?.name ?? '');
    },
    async stop() {
      await pods.stop();
      await echo.close();
      await cluster.stop();
    },
  };
}

/**
 * A Linkerd control plane that exists but injects nothing (its destination Deployment only): a namespace asks for
 * injection and no proxy arrives. Returns how to remove it.
 */
export async function createInertLinkerd(cluster: TestCluster): Promise<() => Promise<void>> {
  const core = cluster.kubeConfig().makeApiClient(k8s.CoreV1Api);
  const apps = cluster.kubeConfig().makeApiClient(k8s.AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: 'linkerd' } } });
  const labels = { 'linkerd.io/control-plane-component': 'destination' };
  await apps.createNamespacedDeployment({
    namespace: 'linkerd',
    body: {
      metadata: { name: 'linkerd-destination', labels },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'destination', image: 'cr.l5d.io/linkerd/controller:edge-25.11.1' }] } } },
    },
  });
  return async () => {
    await core.deleteNamespace({ name: 'linkerd' });
  };
}
