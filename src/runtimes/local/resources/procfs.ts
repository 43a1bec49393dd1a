import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Readers of Linux /proc. Every reader takes the proc root (default `/proc`) so tests can point it at a fixture
 * tree, reads synchronously (a /proc file is generated in microseconds, and the sampler must read all targets at
 * one instant), and returns `undefined` for a process that has exited or cannot be read, never throws for that.
 */

/** The parts of /proc/<pid>/stat the sampler needs. Times are in clock ticks (see clockTicksPerSecond). */
export interface ProcStat {
  pid: number;
  /** Command name (field 2), without the parentheses; may contain spaces and ')'. */
  comm: string;
  /** State letter (field 3): R, S, D, Z (zombie), X (dead), … */
  state: string;
  /** Parent pid (field 4). */
  ppid: number;
  /** User-mode CPU of all threads, live and exited, in clock ticks (field 14). */
  utime: number;
  /** Kernel-mode CPU of all threads in clock ticks (field 15). */
  stime: number;
  /** User-mode CPU of waited-for (reaped) children, in clock ticks (field 16). */
  cutime: number;
  /** Kernel-mode CPU of waited-for children, in clock ticks (field 17). */
  cstime: number;
  /** Start time after boot in clock ticks (field 22): with the pid, identifies a process across pid reuse. */
  startTime: number;
}

/** Memory of one process in bytes. */
export interface MemoryReading {
  /** Resident set size in bytes (VmRSS of /proc/<pid>/status); 0 when the kernel gives none (zombie). */
  rssBytes: number;
  /** Proportional set size in bytes (Pss of /proc/<pid>/smaps_rollup); null when not readable. */
  pssBytes: number | null;
}

const DEFAULT_ROOT = '/proc';
/** Errors that mean "the process is gone or not ours to read", not a bug. */
const UNREADABLE = new Set(['ENOENT', 'ESRCH', 'EACCES', 'EPERM', 'ENOTDIR']);

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && UNREADABLE.has((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

/** Parses one stat line. The comm field may hold spaces and ')', so fields are counted from the LAST ')'. */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return undefined;
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const field = (n: number): number => Number(rest[n - 3]);
  const stat: ProcStat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '',
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
    startTime: field(22),
  };
  const numbers = [stat.pid, stat.ppid, stat.utime, stat.stime, stat.cutime, stat.cstime, stat.startTime];
  return numbers.every(Number.isSafeInteger) && stat.state !== '' ? stat : undefined;
}

/** /proc/<pid>/stat parsed; undefined when the process is gone. */
export function readStat(pid: number, root = DEFAULT_ROOT): ProcStat | undefined {
  const text = readText(join(root, String(pid), 'stat'));
  return text === undefined ? undefined : parseStat(text);
}

/**
 * CPU of a process in clock ticks: utime + stime, which cover all its threads (also threads that have exited).
 * CPU of reaped children (cutime + cstime) is left out on purpose: it lands in one lump when a child is waited
 * for, possibly in another window than the one it was spent in. Count children as live descendants instead.
 */
export function readCpuTicks(pid: number, root = DEFAULT_ROOT): number | undefined {
  const stat = readStat(pid, root);
  return stat === undefined ? undefined : stat.utime + stat.stime;
}

function kilobytes(text: string | undefined, key: string): number | undefined {
  const match = text === undefined ? null : new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
}

/**
 * RSS from /proc/<pid>/status, PSS from /proc/<pid>/smaps_rollup (Linux 4.14+, readable for processes we may
 * ptrace). PSS shares each shared page among the processes mapping it, so summing it over a tree or over several
 * proxies does not count shared libraries twice. Undefined when the process is gone.
 */
export function readMemory(pid: number, root = DEFAULT_ROOT): MemoryReading | undefined {
  const status = readText(join(root, String(pid), 'status'));
  if (status === undefined) return undefined;
  const pss = kilobytes(readText(join(root, String(pid), 'smaps_rollup')), 'Pss');
  return { rssBytes: kilobytes(status, 'VmRSS') ?? 0, pssBytes: pss ?? null };
}

/**
 * Parent pid → child pids of every process, from one scan of /proc/[0-9]+/stat. Chosen over
 * /proc/<pid>/task/<tid>/children, which needs CONFIG_PROC_CHILDREN and which the kernel documents as reliable only
 * when the children are stopped or frozen. Processes that vanish during the scan are skipped.
 */
export function readChildrenMap(root = DEFAULT_ROOT): Map<number, number[]> {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return children;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry), root);
    if (stat === undefined) continue;
    const siblings = children.get(stat.ppid);
    if (siblings === undefined) children.set(stat.ppid, [stat.pid]);
    else siblings.push(stat.pid);
  }
  return children;
}

/** `pid` followed by all its descendants, breadth first, from a children map. */
export function descendantsOf(pid: number, children: ReadonlyMap<number, readonly number[]>): number[] {
  const tree = [pid];
  const seen = new Set(tree);
  for (let i = 0; i < tree.length; i++) {
    for (const child of children.get(tree[i] ?? -1) ?? []) {
      if (!seen.has(child)) {
        seen.add(child);
        tree.push(child);
      }
    }
  }
  return tree;
}

/** The pid and all its descendants (by parent pid, see readChildrenMap); [] when the process is gone. */
export function readProcessTree(pid: number, root = DEFAULT_ROOT): number[] {
  if (readStat(pid, root) === undefined) return [];
  return descendantsOf(pid, readChildrenMap(root));
}

let cachedTicks: number | undefined;

/** Clock ticks per second (USER_HZ) from `getconf CLK_TCK`, read once; 100 when getconf fails. */
export function clockTicksPerSecond(): number {
  if (cachedTicks === undefined) {
    let value = Number.NaN;
    try {
      const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      value = Number(out.trim());
    } catch {
      // No getconf: fall through to the Linux default.
    }
    cachedTicks = Number.isSafeInteger(value) && value > 0 ? value : 100;
  }
  return cachedTicks;
}
