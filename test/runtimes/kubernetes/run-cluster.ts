import * as k8s from '@kubernetes/client-node';
import { startCluster, type ClusterOptions, type TestCluster } from '../../helpers/kube/cluster.ts';
import { LINKERD_NAMESPACE, LINKERD_WEBHOOK, startLinkerd } from '../../helpers/kube/linkerd.ts';
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
 * A Linkerd control plane that exists but injects nothing: the Linkerd double's control plane (its chart's objects,
 * cited in helpers/kube/linkerd.ts) with its injector webhook configuration deleted, so a namespace asks for
 * injection and no proxy arrives. Returns how to remove it.
 */
export async function createInertLinkerd(cluster: TestCluster): Promise<() => Promise<void>> {
  const linkerd = await startLinkerd(cluster);
  await cluster.kubeConfig().makeApiClient(k8s.AdmissionregistrationV1Api).deleteMutatingWebhookConfiguration({ name: LINKERD_WEBHOOK });
  return async () => {
    await linkerd.stop();
    await cluster.kubeConfig().makeApiClient(k8s.CoreV1Api).deleteNamespace({ name: LINKERD_NAMESPACE });
  };
}
