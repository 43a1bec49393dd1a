import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  VersionApi,
} from '@kubernetes/client-node';

/** The API clients of one cluster, from the kubeconfig (KUBECONFIG or ~/.kube/config) and a context. */
export interface Cluster {
  config: KubeConfig;
  context: string;
  server: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  authz: AuthorizationV1Api;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
  version: VersionApi;
}

export class ClusterConfigError extends Error {}

/** A context name the kubeconfig does not have: invalid input, said before anything starts. */
export class UnknownContextError extends ClusterConfigError {}

/**
 * Connects to the cluster of a kubeconfig context: the one named, else the current one. Nothing is sent yet; an
 * unknown context or a kubeconfig without clusters is a ClusterConfigError that says which contexts exist.
 */
export function connect(context?: string, kubeconfigPath?: string): Cluster {
  const config = new KubeConfig();
  try {
    if (kubeconfigPath) config.loadFromFile(kubeconfigPath);
    else config.loadFromDefault();
  } catch (error) {
    throw new ClusterConfigError(`cannot read the kubeconfig: ${error instanceof Error ? error.message : String(error)}`);
  }
  const names = config.getContexts().map((c) => c.name);
  if (context !== undefined) {
    if (!names.includes(context)) {
      throw new UnknownContextError(
        `kubeconfig context '${context}' does not exist; the kubeconfig has ${names.length > 0 ? names.join(', ') : 'no contexts'}`,
      );
    }
    config.setCurrentContext(context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw new ClusterConfigError(
      'no Kubernetes cluster is configured: set KUBECONFIG or ~/.kube/config, or pass --context (kind: kind create cluster)',
    );
  }
  return {
    config,
    context: config.getCurrentContext(),
    server: cluster.server,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    authz: config.makeApiClient(AuthorizationV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(config),
    version: config.makeApiClient(VersionApi),
  };
}
