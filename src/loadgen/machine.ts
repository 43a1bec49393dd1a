import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * The state of the machine the generator ran on during a measured window. A busy or overcommitted machine delays
 * every thread, the generator's and the server's alike, and that delay lands in the tail; the result keeps it so a
 * reader can tell a slow mesh from a busy host. In a container (a Kubernetes generator pod) /proc/stat and the
 * load average are the node's, not the container's, which is what is wanted here.
 */
export interface MachineState {
  /** Logical CPUs of the machine. */
  cores: number;
  /** 1-minute load average (runnable plus uninterruptible tasks) at the start and end of the window; null where the platform has none. */
  loadAverage1m: { start: number | null; end: number | null };
  /** Share of all CPU time in the window spent on work (user, nice, system, irq, softirq), 0–1; null where /proc/stat is unreadable. */
  cpuBusyFraction: number | null;
  /** Share of all CPU time in the window stolen by the hypervisor for other guests, 0–1; null where /proc/stat is unreadable. */
  stealFraction: number | null;
}

/** Cumulative CPU time of all CPUs (the `cpu` line of /proc/stat), in clock ticks. */
export interface CpuTimes {
  busy: number;
  idle: number;
  steal: number;
}

/**
 * The aggregate `cpu` line of /proc/stat (proc(5)): user nice system idle iowait irq softirq steal guest guest_nice.
 * guest and guest_nice are already included in user and nice, so they are not added again. Kernels before 2.6.11
 * have no steal column: it counts as 0 there.
 */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((candidate) => /^cpu\s/.test(candidate));
  if (!line) return undefined;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 4 || !fields.every((value) => Number.isSafeInteger(value) && value >= 0)) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
}

/** Busy and steal fractions of the time between two readings; null when either is missing or no time passed. */
export function cpuFractions(
  start: CpuTimes | undefined,
  end: CpuTimes | undefined,
): { cpuBusyFraction: number | null; stealFraction: number | null } {
  if (!start || !end) return { cpuBusyFraction: null, stealFraction: null };
  const busy = end.busy - start.busy;
  const steal = end.steal - start.steal;
  const total = busy + (end.idle - start.idle) + steal;
  if (total <= 0 || busy < 0 || steal < 0) return { cpuBusyFraction: null, stealFraction: null };
  return { cpuBusyFraction: round3(busy / total), stealFraction: round3(steal / total) };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Reads /proc/stat; undefined where it does not exist or cannot be read (not Linux, a sandbox). */
export function readCpuTimes(path = '/proc/stat'): CpuTimes | undefined {
  try {
    return parseProcStat(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** What the sampler reads; tests pass fixtures. */
export interface MachineProbe {
  cpuTimes(): CpuTimes | undefined;
  /** The 1-minute load average, null where the platform has none. */
  loadAverage1m(): number | null;
  cores(): number;
}

export const hostProbe: MachineProbe = {
  cpuTimes: () => readCpuTimes(),
  // Windows reports [0, 0, 0]: it has no load average.
  loadAverage1m: () => (process.platform === 'win32' ? null : round3(os.loadavg()[0]!)),
  cores: () => os.cpus().length || os.availableParallelism(),
};

/** Starts a window now; `end()` closes it and gives the machine's state over it. */
export function sampleMachine(probe: MachineProbe = hostProbe): { end(): MachineState } {
  const loadStart = probe.loadAverage1m();
  const cpuStart = probe.cpuTimes();
  return {
    end: () => ({
      cores: probe.cores(),
      loadAverage1m: { start: loadStart, end: probe.loadAverage1m() },
      ...cpuFractions(cpuStart, probe.cpuTimes()),
    }),
  };
}

/** Machine state of a phase whose window never opened (it failed or was stopped before the measured window). */
export function unknownMachine(probe: MachineProbe = hostProbe): MachineState {
  return { cores: probe.cores(), loadAverage1m: { start: null, end: null }, cpuBusyFraction: null, stealFraction: null };
}
