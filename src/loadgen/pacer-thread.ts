import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { nowUs } from './clock.ts';
import { PACER_LEAD_US, PACER_STOP, PACER_WAKE, runPacer } from './pacer.ts';
import { workerSchedule } from './schedule.ts';
import type { PhaseSpec } from './types.ts';

/** What an I/O thread gives its pacer thread (see pacer.ts). */
export interface PacerInput {
  spec: PhaseSpec;
  worker: number;
  /** Int32Array words PACER_STOP, PACER_LEAD_US, PACER_WAKE. */
  words: SharedArrayBuffer;
  /** Hand-offs go out on this port as the planned fire time (µs); the start message comes in on it. */
  port: MessagePort;
}

export interface PacerStart {
  t0Us: number;
  endUs: number;
}

if (!parentPort) throw new Error('the pacer must run in a worker thread');
const input = workerData as PacerInput;
const words = new Int32Array(input.words);
const port = input.port;

port.once('message', (start: PacerStart) => {
  runPacer(workerSchedule(input.spec, input.worker), start.t0Us, start.endUs, {
    now: nowUs,
    // A futex wait: the thread sleeps (no CPU) and wakes on the timeout or on the I/O thread's notify at stop.
    sleep: (us) => void Atomics.wait(words, PACER_WAKE, 0, us / 1000),
    fire: (plannedUs) => port.postMessage(plannedUs),
    stopped: () => Atomics.load(words, PACER_STOP) !== 0,
    leadUs: () => Atomics.load(words, PACER_LEAD_US),
  });
  port.close();
});
