import type { V1Namespace } from '@kubernetes/client-node';
import type { Cluster } from './client/connect.ts';
import { during, isNotFound } from './client/errors.ts';
import { managedSelector, RUN_ID_LABEL } from './labels.ts';
import { waitFor, WaitTimeout } from './wait.ts';
import { OUTAGE_REPLICAS_ANNOTATION, OUTAGE_RUN_ANNOTATION, restoreDeployment } from './faults/control-plane.ts';
import { MeshtaxError } from '../../core/errors.ts';

export class CleanupError extends MeshtaxError {}

export interface CleanupResult {
  /** Namespaces that were deleted, with the run they belonged to. */
  deleted: { namespace: string; runId: string }[];
  /** Control-plane Deployments a run scaled to zero and never restored (it was killed mid-outage), given their replicas back. */
  restored?: { namespace: string; name: string; replicas: number; runId: string }[];
}

/**
 * Restores the control-plane Deployments an outage left at zero: those carrying meshtax's note of their replicas
 * (of one run, or of every run). A run restores them itself, also on Ctrl-C; this is for a run that was killed.
 */
async function restoreControlPlanes(cluster: Cluster, runId: string | undefined): Promise<NonNullable<CleanupResult['restored']>> {
  const list = await during('listing Deployments', () => cluster.apps.listDeploymentForAllNamespaces());
  const restored: NonNullable<CleanupResult['restored']> = [];
  for (const deployment of list.items) {
    const annotations = deployment.metadata?.annotations ?? {};
    const owner = annotations[OUTAGE_RUN_ANNOTATION];
    const replicas = Number(annotations[OUTAGE_REPLICAS_ANNOTATION]);
    if (owner === undefined || !Number.isInteger(replicas) || (runId !== undefined && owner !== runId)) continue;
    const namespace = deployment.metadata?.namespace ?? '';
    const name = deployment.metadata?.name ?? '';
    await restoreDeployment(cluster, namespace, name, replicas);
    restored.push({ namespace, name, replicas, runId: owner });
  }
  return restored;
}

/**
 * Restores any control plane a run left scaled to zero, then deletes everything meshtax made, by label (never by guessed names): the namespaces of one run, or of every run.
 * Every object meshtax creates lives in those namespaces, so deleting them deletes it all. Waits until they are
 * gone; one stuck Terminating is reported with the conditions the namespace controller gives.
 */
export async function cleanupRuns(cluster: Cluster, options: { runId?: string; timeoutMs: number; signal?: AbortSignal }): Promise<CleanupResult> {
  // A control plane that could not be checked or restored does not stop the namespaces' deletion; it is said after.
  let restoreError: string | undefined;
  const restored = await restoreControlPlanes(cluster, options.runId).catch((error: unknown) => {
    restoreError = error instanceof Error ? error.message : String(error);
    return [];
  });
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
  if (restoreError !== undefined) throw new CleanupError(`control planes left at zero by a run could not be restored: ${restoreError}`);
  return { deleted, ...(restored.length > 0 ? { restored } : {}) };
}

function stuckMessage(ns: V1Namespace): string {
  const name = ns.metadata?.name ?? '?';
  const conditions = (ns.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => `${c.type}: ${c.message ?? c.reason ?? ''}`);
  return `namespace ${name} is stuck ${ns.status?.phase ?? 'Terminating'}${conditions.length > 0 ? ` (${conditions.join('; ')})` : ''}; see kubectl get namespace ${name} -o yaml`;
}
