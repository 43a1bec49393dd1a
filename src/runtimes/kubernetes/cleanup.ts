import type { V1Namespace } from '@kubernetes/client-node';
import type { Cluster } from './client/connect.ts';
import { during, isNotFound } from './client/errors.ts';
import { managedSelector, RUN_ID_LABEL } from './labels.ts';
import { waitFor, WaitTimeout } from './wait.ts';
import { MeshtaxError } from '../../core/errors.ts';

export class CleanupError extends MeshtaxError {}

export interface CleanupResult {
  /** Namespaces that were deleted, with the run they belonged to. */
  deleted: { namespace: string; runId: string }[];
}

/**
 * Deletes everything meshtax made, by label (never by guessed names): the namespaces of one run, or of every run.
 * Every object meshtax creates lives in those namespaces, so deleting them deletes it all. Waits until they are
 * gone; one stuck Terminating is reported with the conditions the namespace controller gives.
 */
export async function cleanupRuns(cluster: Cluster, options: { runId?: string; timeoutMs: number; signal?: AbortSignal }): Promise<CleanupResult> {
  const selector = managedSelector(options.runId);
  const list = await during(`listing namespaces labelled ${selector}`, () => cluster.core.listNamespace({ labelSelector: selector }));
  const deleted = list.items.map((ns) => ({ namespace: ns.metadata?.name ?? '', runId: ns.metadata?.labels?.[RUN_ID_LABEL] ?? '' }));
  for (const { namespace } of deleted) {
    try {
      await cluster.core.deleteNamespace({ name: namespace, propagationPolicy: 'Background' });
    } catch (error) {
      if (!isNotFound(error)) await during(`deleting namespace ${namespace}`, () => Promise.reject(error));
    }
  }
  let remaining: V1Namespace[] = [];
  try {
    await waitFor(
      `deletion of ${deleted.length} namespace(s)`,
      options.timeoutMs,
      undefined,
      async () => {
        const left = await during('listing namespaces', () => cluster.core.listNamespace({ labelSelector: selector }));
        remaining = left.items;
        return remaining.length === 0 ? true : `${remaining.length} left: ${remaining.map((ns) => ns.metadata?.name).join(', ')}`;
      },
      1000,
    );
  } catch (error) {
    if (!(error instanceof WaitTimeout)) throw error;
    throw new CleanupError(remaining.map(stuckMessage).join('; '));
  }
  return { deleted };
}

function stuckMessage(ns: V1Namespace): string {
  const name = ns.metadata?.name ?? '?';
  const conditions = (ns.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => `${c.type}: ${c.message ?? c.reason ?? ''}`);
  return `namespace ${name} is stuck ${ns.status?.phase ?? 'Terminating'}${conditions.length > 0 ? ` (${conditions.join('; ')})` : ''}; see kubectl get namespace ${name} -o yaml`;
}
