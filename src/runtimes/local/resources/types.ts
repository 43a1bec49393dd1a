import type { Role } from '../../../core/modes.ts';
/** What a process is for, which decides whether its cost counts as the app's, the mesh's or the generator's. */

/** One process ("container") of a local "pod" whose CPU and memory are measured. */
export interface ResourceTarget {
  pod: string;
  container: string;
  role: Role;
  /** The logical node the pod is on (node-a, node-b), for per-node cost. */
  node?: string;
  /** Process id; `process.pid` for the load generator itself. */
  pid: number;
  /**
   * Count every descendant too (children found by parent pid, e.g. HAProxy's master/worker), CPU and memory
   * summed over the process tree. Default false: the process alone (all of its threads).
   */
  includeDescendants?: boolean;
}

/** Which memory figure `memoryBytes` holds. */
export type MemoryKind = 'pss' | 'rss';

/** CPU and memory of one target over one measured window. */
export interface ResourceUsage {
  pod: string;
  container: string;
  role: Role;
  node?: string;
  /** Process id of the target (the root of its tree when descendants are included). */
  pid: number;
  /**
   * CPU in cores (CPU seconds per wall-clock second) over the window: user+system clock ticks of all threads,
   * differenced between window start and end, divided by the monotonic wall time. Rounded to 4 decimals.
   * Resolution is one clock tick (10 ms at CLK_TCK 100) per process at each end: ±0.02 cores over 1 s,
   * ±0.001 over 20 s. Not idle-subtracted: see `idleCpuCores`.
   */
  cpuCores: number;
  /** Memory in bytes: mean over the samples of the window, PSS when every sample had it, RSS otherwise. */
  memoryBytes: number;
  /** Memory in bytes: the largest sample of the window (same kind as `memoryBytes`). */
  memoryBytesMax: number;
  /** Whether `memoryBytes`, `memoryBytesMax` and `idleMemoryBytes` are proportional set size or resident set size. */
  memoryKind: MemoryKind;
  /** CPU in cores measured before load (see `cpuCores`); null when no idle interval was measured. */
  idleCpuCores: number | null;
  /** Memory in bytes, mean over the idle interval (same kind as `memoryBytes`); null when none was measured. */
  idleMemoryBytes: number | null;
  /** Number of memory samples taken of this target in the window (count, including the start and end samples). */
  samples: number;
  /** Samples missed in the window because the sampling timer ran more than twice its interval late (count). */
  gaps: number;
  /** Length of the window in milliseconds (monotonic clock). */
  windowMs: number;
  /** Largest number of processes seen in the target's tree in one sample (count; 1 without descendants). */
  processes: number;
  /** The target process exited (or its pid was reused) before the window ended: figures cover only part of it. */
  exited: boolean;
  source: 'procfs';
}
