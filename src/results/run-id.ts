import { randomBytes } from 'node:crypto';

/**
 * A run id: UTC time to the second plus 4 hex digits, e.g. 20261122-034501-a1b2. Short enough that
 * `meshtax-<runId>-<mode>` stays a valid Kubernetes namespace name, sortable by time.
 */
export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** What newRunId() makes (the suffix is hex; any lowercase alphanumerics are accepted for ids typed by hand). */
export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[a-z0-9]{4}$/;
