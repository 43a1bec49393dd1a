import type { V1Namespace } from '@kubernetes/client-node';
import { RUN_ID_LABEL } from './labels.ts';

/** The command that removes what earlier runs left: one run's, or every run's. */
export function cleanupHint(namespaces: readonly V1Namespace[]): string {
  const runs = [...new Set(namespaces.map((ns) => ns.metadata?.labels?.[RUN_ID_LABEL]).filter((id): id is string => Boolean(id)))];
  return runs.length === 1 ? `meshtax cleanup --run-id ${runs[0]}` : 'meshtax cleanup --all';
}
