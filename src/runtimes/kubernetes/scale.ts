import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Cluster } from './client/connect.ts';
import { during } from './client/errors.ts';
import { APP_NAME } from './labels.ts';

/**
 * Sets the replicas of a mode's echo Deployment, or of every service of a call chain (`names`): 0 frees the nodes for
 * another mode; 1 brings it back.
 */
export async function scaleEcho(cluster: Cluster, namespace: string, replicas: number, names: readonly string[] = [APP_NAME]): Promise<void> {
  for (const name of names) {
    await during(`scaling Deployment ${namespace}/${name} to ${replicas}`, () =>
      cluster.apps.patchNamespacedDeployment({ name, namespace, body: { spec: { replicas } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
    );
  }
}
