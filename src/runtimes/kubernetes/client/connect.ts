import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  VersionApi,
} from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MeshtaxError } from '../../../core/errors.ts';
import { EXIT, type ExitCode } from '../../../core/exit-codes.ts';

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

export class ClusterConfigError extends MeshtaxError {}

/** A context name the kubeconfig does not have: invalid input, said before anything starts. */
export class UnknownContextError extends ClusterConfigError {
  override readonly exitCode: ExitCode = EXIT.invalidInput;
}

/** There is no kubeconfig to read at all: invalid input, not a failed run. */
export class NoKubeconfigError extends ClusterConfigError {
  override readonly exitCode: ExitCode = EXIT.invalidInput;
}

const NO_KUBECONFIG_HINT = 'create one (kind create cluster writes it) or set KUBECONFIG';

/**
 * Throws NoKubeconfigError when loadFromDefault() would find nothing: KUBECONFIG unset or empty and no
 * ~/.kube/config, or KUBECONFIG naming only files that do not exist. In a pod (a service account token is mounted)
 * the library's in-cluster configuration is used as before. Without this, @kubernetes/client-node falls back to
 * a context "loaded-context" at http://localhost:8080 (dist/config.js, the last line of loadFromDefault), and the
 * user reads about that server instead of the missing file.
 */
function requireKubeconfig(): void {
  const listed = (process.env.KUBECONFIG ?? '').split(path.delimiter).filter((file) => file.length > 0);
  if (listed.length > 0) {
    if (listed.some((file) => existsSync(file))) return;
    throw new NoKubeconfigError(`no kubeconfig found (looked at $KUBECONFIG=${listed.join(path.delimiter)}); ${NO_KUBECONFIG_HINT}`);
  }
  const home = process.env.HOME;
  if (home && existsSync(path.join(home, '.kube', 'config'))) return;
  if (existsSync(SERVICE_ACCOUNT_TOKEN)) return;
  throw new NoKubeconfigError(`no kubeconfig found (looked at $KUBECONFIG and ~/.kube/config); ${NO_KUBECONFIG_HINT}`);
}

/** Where a pod's service account token is mounted; the library's in-cluster configuration reads it. */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Connects to the cluster of a kubeconfig context: the one named, else the current one. Nothing is sent yet; an
 * unknown context or a kubeconfig without clusters is a ClusterConfigError that says which contexts exist.
 */
export function connect(context?: string, kubeconfigPath?: string): Cluster {
  const config = new KubeConfig();
  try {
    if (kubeconfigPath) config.loadFromFile(kubeconfigPath);
    else {
      requireKubeconfig();
      config.loadFromDefault();
    }
  } catch (error) {
    if (error instanceof NoKubeconfigError) throw error;
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
