import type { Warning } from '../../../core/warning.ts';
import type { MeshHopRecord } from '../../../results/schema.ts';
import type { HopSpec } from './hops.ts';

/** A counter as read from one pod: its value, or why it could not be read. */
export type Reading = { value: number } | { error: string };

export interface PodCounter {
  pod: string;
  namespace: string;
  /** Before the phase; undefined for a pod that started with it (its counter began at 0). */
  before: Reading | undefined;
  after: Reading;
}

/**
 * What one hop saw of a phase, from its pods' counters before and after: the increase, summed over its pods. A
 * counter that went down was reset, which a proxy's counter does only when the proxy restarts (or, for Linkerd,
 * drops a series idle for longer than its retain-idle time); its increase then counts from 0, and a warning says so.
 * `requests` is what the generators got answers to in the measured window: a request-counting hop on the path saw at
 * least that (plus the warmup's); fewer means some requests went around it.
 */
export function judgeHop(hop: HopSpec, counter: string, pods: readonly PodCounter[], requests: number): { record: MeshHopRecord; warnings: Warning[] } {
  const warnings: Warning[] = [];
  const rows: MeshHopRecord['pods'] = [];
  const errors: string[] = [];
  let seen = 0;
  let readable = 0;
  for (const { pod, namespace, before, after } of pods) {
    const error = 'error' in after ? after.error : before && 'error' in before ? before.error : undefined;
    if (error !== undefined) {
      errors.push(pod ? `${pod}: ${error}` : error);
      if (pod) rows.push({ pod, before: before && 'value' in before ? before.value : null, after: 'value' in after ? after.value : null, error });
      continue;
    }
    const now = (after as { value: number }).value;
    const base = before ? (before as { value: number }).value : 0;
    readable++;
    const restarted = now < base;
    if (restarted) {
      warnings.push({
        code: 'mesh-path-restart',
        message: `the ${hop.name} in pod ${pod} restarted during the phase: ${counter} went down from ${base} to ${now}; what it saw is counted from 0`,
        hint: `kubectl describe pod -n ${namespace} ${pod} shows the restarts of ${hop.container}`,
      });
    }
    seen += restarted ? now : now - base;
    rows.push({ pod, before: before ? base : null, after: now, ...(restarted ? { restarted: true } : {}) });
  }
  const record = (status: MeshHopRecord['status'], value: number | null): MeshHopRecord => ({ hop: hop.name, counter, unit: hop.unit, pods: rows, seen: value, status });
  if (readable === 0) {
    warnings.push({
      code: 'mesh-path-unreadable',
      message: `the ${hop.name}'s counter could not be read (${errors.join('; ')}), so this phase has no proof its requests passed it`,
      hint: `reading ${counter} needs get on pods/proxy and the port reachable from the API server; ${hop.unreadable}`,
    });
    return { record: record('unreadable', null), warnings };
  }
  if (seen === 0) return { record: record('none', 0), warnings };
  if (hop.unit === 'requests' && seen < requests) {
    warnings.push({
      code: 'mesh-path-partial',
      message: `the ${hop.name} counted ${seen} requests while the measured window alone got ${requests} answers: some requests went around it`,
      hint: hop.hint,
    });
    return { record: record('short', seen), warnings };
  }
  return { record: record('ok', seen), warnings };
}
