import { readdirSync, readFileSync } from 'node:fs';

/**
 * The processes a test started, and only those. Tests never list processes by name host-wide: another meshtax run
 * on the machine (a developer's own, a second `npm test`) would be counted or, worse, signalled.
 *
 * Two scopes:
 * - `session`: the CLI is started in a session of its own (startCli spawns it detached, which calls setsid), and
 *   every process it starts stays in that session — meshtax's children and HAProxy (`-db`, no daemon mode) never
 *   call setsid — even after it is orphaned and re-parented to init. So a process that outlived its run is still
 *   found by the session id, which is the CLI's pid (and the kernel does not reuse a pid while a session uses it).
 * - `descendantsOf`: processes a test started in its own process (an in-process runtime), found by walking
 *   parent pids down from that process; they cannot be orphaned while it lives.
 */
export type ProcessScope = { session: number } | { descendantsOf: number };

interface ProcStat {
  pid: number;
  ppid: number;
  session: number;
}

/** pid, ppid and session from /proc/<pid>/stat ("pid (comm) state ppid pgrp session …"; comm may hold spaces). */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  const pid = Number.parseInt(text, 10);
  const fields = text.slice(close + 2).split(' ');
  if (close < 0 || !Number.isInteger(pid) || fields.length < 4) return undefined;
  return { pid, ppid: Number(fields[1]), session: Number(fields[3]) };
}

function stats(): ProcStat[] {
  const found: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = parseStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (stat) found.push(stat);
    } catch {
      // exited between readdir and read
    }
  }
  return found;
}

/** The children of one process, from its threads' /proc/<pid>/task/<tid>/children lists; none once it exited. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter((word) => word !== '').map(Number);
      } catch {
        return []; // the thread ended between readdir and read
      }
    });
  } catch {
    return [];
  }
}

/**
 * The pids in `scope` (not counting the scope's own root process). A process tree is walked down from its root
 * through each process's own children lists, reading nothing of other processes. A session cannot be found that
 * way once its processes are orphaned (re-parented to init), so that scope reads each process's stat for its
 * session id — reading only, never signalling — and keeps those of its own session.
 */
export function scopePids(scope: ProcessScope): number[] {
  if ('session' in scope) return stats().filter((p) => p.session === scope.session && p.pid !== scope.session).map((p) => p.pid);
  const found: number[] = [];
  const queue = childrenOf(scope.descendantsOf);
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...childrenOf(pid));
  }
  return found;
}

/** The command line of a process, arguments joined by spaces ('' once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** What a local meshtax run starts: echo servers, built-in proxies, HAProxy. */
const RUN_PROCESS = /runtimes\/local\/(echo-server|proxy\/builtin-proxy)\.(js|ts)|(^|\/)haproxy /;

/** `pid args` of the run processes (echo servers, proxies) in `scope`. */
export function runProcesses(scope: ProcessScope): string[] {
  return scopePids(scope)
    .map((pid) => `${pid} ${commandLine(pid)}`)
    .filter((line) => RUN_PROCESS.test(line.slice(line.indexOf(' ') + 1)));
}
