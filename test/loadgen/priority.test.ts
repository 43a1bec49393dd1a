import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ownThreadId, realtimePermitted } from '../../src/loadgen/priority.ts';

/** The scheduling policy of a thread of this process: field 41 of /proc/<pid>/task/<tid>/stat (0 normal, 1 FIFO). */
function policyOf(tid: number): number {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[41 - 3]);
}

const priorityModule = new URL('../../src/loadgen/priority.ts', import.meta.url).href;

/** Runs raiseThreadPriority in a new worker thread; reports its thread id and result, then waits to be released. */
function raiseInWorker(): Promise<{ tid: number; raised: boolean; worker: Worker }> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(priorityModule)}).then(({ raiseThreadPriority, ownThreadId }) => {
      const raised = raiseThreadPriority();
      parentPort.postMessage({ tid: ownThreadId(), raised });
      parentPort.once('message', () => process.exit(0));
    });`;
  const worker = new Worker(code, { eval: true });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message: { tid: number; raised: boolean }) => resolve({ ...message, worker }));
  });
}

describe.runIf(process.platform === 'linux')('the generator thread priority', () => {
  it('knows the calling thread by its kernel id: the main thread is the process', () => {
    expect(ownThreadId()).toBe(process.pid);
  });

  it('moves only the calling worker thread to SCHED_FIFO, and says whether it could', async () => {
    const { tid, raised, worker } = await raiseInWorker();
    try {
      expect(tid).not.toBe(process.pid);
      // Root (or CAP_SYS_NICE / RLIMIT_RTPRIO) with chrt installed: FIFO; otherwise the thread keeps the normal policy
      // and the call says so. Either way the claim matches what the kernel reports.
      expect(policyOf(tid)).toBe(raised ? 1 : 0);
      expect(policyOf(process.pid)).toBe(0);
      if (realtimePermitted()) expect(raised).toBe(true);
    } finally {
      worker.postMessage('done');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  });
});
