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

/**
 * One rule for run ids everywhere (CLI flags, directory names, network names, rule comments): what newRunId()
 * makes, date, time and 4 hex digits. The hex digits are the tag netns names carry.
 */
export const RUN_ID_SOURCE = '\\d{8}-\\d{6}-[0-9a-f]{4}';
export const RUN_ID_PATTERN = new RegExp(`^${RUN_ID_SOURCE}$`);

/** How a run id is described to someone who typed a wrong one. */
export const RUN_ID_EXAMPLE = "a run id like 20261201-120000-ab12 (run.json's runId: date, time, 4 hex digits)";
