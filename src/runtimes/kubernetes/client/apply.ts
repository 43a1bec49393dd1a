import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../labels.ts';
import type { Cluster } from './connect.ts';
import { during } from './errors.ts';

export function describeObject(object: KubernetesObject): string {
  const ns = object.metadata?.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind ?? 'object'} ${ns}${object.metadata?.name ?? '?'}`;
}

/**
 * Server-side apply of objects in order, as meshtax's field manager; `dryRun` only validates them against the
 * server's schemas and admission (nothing is stored).
 */
export async function applyObjects(cluster: Cluster, objects: readonly KubernetesObject[], options: { dryRun?: boolean } = {}): Promise<void> {
  for (const object of objects) {
    await during(`applying ${describeObject(object)}`, () =>
      cluster.objects.patch(object, undefined, options.dryRun ? 'All' : undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply),
    );
  }
}
