import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { nowUs } from './clock.ts';
import { stampStream } from '../protocols/h2-frames.ts';
import { runPacer } from './pacer.ts';
import { raiseThreadPriority } from './priority.ts';
import { workerSchedule } from './schedule.ts';
import { SharedSlots } from './slots.ts';
import type { PhaseSpec } from './types.ts';
import { runWritingPacer, writeRequest } from './writing-pacer.ts';

/** What an I/O thread gives its pacer thread. */
export interface PacerInput {
  spec: PhaseSpec;
  worker: number;
  /** The shared slots (slots.ts) of `connections` connections and a queue of `queueCapacity` requests. */
  slots: SharedArrayBuffer;
  connections: number;
  queueCapacity: number;
  /**
   * 'write': the pacer writes `request` on the connections' fds itself (plaintext targets, writing-pacer.ts);
   * 'hand-off': it wakes the I/O thread before each send, which writes (TLS: encryption lives there, pacer.ts).
   */
  mode: 'write' | 'hand-off';
  request: Uint8Array;
  /** HTTP/2: where the request's frames carry their stream identifier, stamped per request (protocols/h2-frames.ts). */
  streamOffsets: number[];
  /** Messages go out on this port; the start message comes in on it. */
  port: MessagePort;
}

export interface PacerStart {
  t0Us: number;
  endUs: number;
}

/** Messages from the pacer to its I/O thread. */
export type FromPacer =
  /** Hand-off mode: wake up and send what is due; `plannedUs` is when the pacer meant to fire. */
  | { type: 'hand-off'; plannedUs: number }
  /**
   * Write mode: the socket took only `offset` bytes of the request on `connection` (of `generation`): write the rest
   * (HTTP/2: of the request on `stream`).
   */
  | { type: 'rest'; connection: number; generation: number; offset: number; stream: number }
  /** Write mode: every scheduled request was written or given up. */
  | { type: 'finished' };

if (!parentPort) throw new Error('the pacer must run in a worker thread');
const input = workerData as PacerInput;
const slots = new SharedSlots(input.connections, input.queueCapacity, input.slots);
const port = input.port;
const post = (message: FromPacer): void => port.postMessage(message);

// The pacer's lateness is the instrument's error: it wakes first when the machine is busy (where permitted).
raiseThreadPriority();

port.once('message', (start: PacerStart) => {
  const schedule = workerSchedule(input.spec, input.worker);
  if (input.mode === 'hand-off') {
    runPacer(schedule, start.t0Us, start.endUs, {
      now: nowUs,
      sleep: (us) => slots.sleep(us, slots.wakes()),
      fire: (plannedUs) => post({ type: 'hand-off', plannedUs }),
      stopped: () => slots.stopped(),
      leadUs: () => slots.leadUs,
    });
  } else {
    const request = input.request;
    const offsets = input.streamOffsets;
    const window = {
      t0Us: start.t0Us,
      measureStartUs: start.t0Us + input.spec.warmupMs * 1000,
      endUs: start.endUs,
      timeoutUs: input.spec.timeoutMs * 1000,
    };
    runWritingPacer(schedule, window, {
      now: nowUs,
      wakes: () => slots.wakes(),
      sleep: (us, seen) => slots.sleep(us, seen),
      claim: () => slots.claim(),
      unclaim: (connection) => slots.unclaim(connection),
      queue: slots,
      write: (connection, intendedUs, handledUs) => {
        const generation = slots.generation(connection);
        const stream = offsets.length > 0 ? slots.nextStream(connection) : 0;
        if (stream > 0) stampStream(request, offsets, stream);
        slots.begin(connection, intendedUs, handledUs, nowUs());
        const written = writeRequest(slots.fd(connection), request);
        if (written < request.length) post({ type: 'rest', connection, generation, offset: written, stream });
        slots.end(connection);
      },
      count: (counter) => slots.add(counter),
      stopped: () => slots.stopped(),
    });
    if (!slots.stopped()) post({ type: 'finished' });
  }
  port.close();
});
