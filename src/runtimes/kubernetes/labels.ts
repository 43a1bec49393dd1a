/**
 * Names and labels of everything meshtax creates in a cluster. Every object carries the managed-by and run-id
 * labels, and clean-up deletes by those labels, never by guessed names.
 */
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGER = 'meshtax';
export const RUN_ID_LABEL = 'meshtax.dev/run-id';
export const MODE_LABEL = 'meshtax.dev/mode';
export const ROLE_LABEL = 'meshtax.dev/role';
/** Identifies the generator pods of one phase. */
export const PHASE_LABEL = 'meshtax.dev/phase';
/** A call chain's echo pods: the service's 1-based position in the chain (svc-1 is "1"). */
export const CHAIN_INDEX_LABEL = 'meshtax.dev/chain-index';
export const FIELD_MANAGER = 'meshtax';
/** Role of the pod started during a control-plane outage: a probe, not part of the measured workload. */
export const PROBE_ROLE = 'outage-probe';

export const APP_NAME = 'echo';
export const APP_PORT = 8080;
export const WAYPOINT_NAME = 'waypoint';
export const CODE_CONFIGMAP = 'meshtax-code';

/** The namespace of one mode of one run: `meshtax-<runId>-<mode>` (at most 63 characters: run ids are 20). */
export function namespaceName(runId: string, mode: string): string {
  return `meshtax-${runId}-${mode}`;
}

export function runLabels(runId: string, mode: string): Record<string, string> {
  return { [MANAGED_BY]: MANAGER, [RUN_ID_LABEL]: runId, [MODE_LABEL]: mode };
}

/** Label selector of everything meshtax made: of one run, or of every run. */
export function managedSelector(runId?: string): string {
  return runId === undefined ? `${MANAGED_BY}=${MANAGER}` : `${MANAGED_BY}=${MANAGER},${RUN_ID_LABEL}=${runId}`;
}
