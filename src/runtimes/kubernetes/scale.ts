import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Cluster } from './client/connect.ts';
import { during } from './client/errors.ts';
import { APP_NAME } from './labels.ts';

/** Sets the replicas of a mode's echo Deployment (0 frees its node for another mode; 1 brings it back). */
export async function scaleEcho(cluster: Cluster, namespace: string, replicas: number): Promise<void> {
  await during(`scaling Deployment ${namespace}/${APP_NAME} to ${replicas}`, () =>
    cluster.apps.patchNamespacedDeployment({ name: APP_NAME, namespace, body: { spec: { replicas } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
  );
}
