import type { PhaseRecord, ResourceRecord } from '../results/schema.ts';

/**
 * The roles whose rows include a component shared with the rest of the cluster (ztunnel, istiod, Linkerd's control
 * plane). The per-role tables and charts show such rows whole, while the comparisons charge only their increase over
 * idle: without a mark a reader adds the whole of ztunnel to the mesh's bill.
 */
export function sharedRoles(phases: readonly PhaseRecord[]): Set<ResourceRecord['role']> {
  return new Set(phases.flatMap((phase) => phase.resources.filter((row) => row.shared === true).map((row) => row.role)));
}

/** The sentence under a per-role table or chart that has shared rows. */
export const SHARED_ROLES_NOTE =
  'A shared role includes a component that serves other workloads of the cluster too: it is shown whole here, ' +
  'while the mesh tax charges each mode only its increase over the idle level (see the warnings).';
