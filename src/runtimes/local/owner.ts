import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Which process owns a local run's temporary directories, so that `meshtax cleanup --runtime local` can tell a run
 * still going from one whose meshtax was killed. A pid alone is not enough: pids are reused, so the owner's start
 * time (field 22 of /proc/<pid>/stat, clock ticks since boot) is recorded with it and must match.
 */
export interface Owner {
  pid: number;
  /** Start time of the process as /proc gives it; null where there is no /proc. */
  startTime: string | null;
}

export const OWNER_FILE = 'owner.json';

/** Field 22 of /proc/<pid>/stat; the fields after the command name (which may hold spaces) start at field 3. */
export function processStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[22 - 3] ?? null;
}

export function currentOwner(): Owner {
  return { pid: process.pid, startTime: processStartTime(process.pid) };
}

/** Whether the owner is still running: its pid exists and, where /proc tells, started when the record says. */
export function ownerAlive(owner: Owner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.startTime === null) return true;
  return processStartTime(owner.pid) === owner.startTime;
}

/** The owner recorded in a run's directory, or undefined when there is none (or it cannot be read). */
export function readOwner(dir: string): Owner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as Partial<Owner>;
    if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid) || parsed.pid <= 0) return undefined;
    return { pid: parsed.pid, startTime: typeof parsed.startTime === 'string' ? parsed.startTime : null };
  } catch {
    return undefined;
  }
}
