import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';

/**
 * The generator's timing threads ask the kernel for the real-time policy SCHED_FIFO at its lowest priority. A thread
 * that sleeps until its next send competes for a core with everything else on the machine when it wakes; under the
 * normal policy the kernel may let a busy process (another job on a CI runner, the proxies under test) finish its
 * slice first, and that wait lands in the measured latency as the generator's lateness. Measured on a 2-core VM at
 * load average 14 (a worker thread waiting 200 µs on Atomics.wait, 5 s): wake-up lateness p99 3.4 ms at nice 0,
 * 2.2 ms at nice -10 and 2.9 ms at nice -20, but 80 µs under SCHED_FIFO (p50 35 µs: real-time threads also get no
 * timer slack). A nice value does not help; the policy does. The threads sleep nearly all the time and spin at most a
 * lead of microseconds before a send, so they take little CPU from anyone; the kernel's real-time throttling
 * (sched_rt_runtime_us, 95% by default) bounds them even if one misbehaved.
 *
 * Node has no call for sched_setscheduler, so util-linux's `chrt` sets the policy on the thread's id. It needs
 * CAP_SYS_NICE or an RLIMIT_RTPRIO of at least 1 (root has both); without them, or without chrt, the thread keeps the
 * normal policy and the run goes on.
 */
export const REALTIME_PRIORITY = 1;

/** Moves the calling thread to SCHED_FIFO (Linux, where permitted); returns whether it did. */
export function raiseThreadPriority(): boolean {
  const tid = ownThreadId();
  if (tid === undefined) return false;
  try {
    execFileSync('chrt', ['--fifo', '--pid', String(REALTIME_PRIORITY), String(tid)], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** The kernel's id of the calling thread: /proc/thread-self links to <pid>/task/<tid>. */
export function ownThreadId(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether this process may take the real-time policy: CAP_SYS_NICE (capability 23) is in its effective set (Linux). */
export function realtimePermitted(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const line = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return line !== null && (BigInt(`0x${line[1]!}`) & (1n << 23n)) !== 0n;
  } catch {
    return false;
  }
}
