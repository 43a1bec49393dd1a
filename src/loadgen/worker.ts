import { parentPort, workerData } from 'node:worker_threads';
import { OpenLoop } from './open-loop.ts';
import { raiseThreadPriority } from './priority.ts';
import { parseTarget } from './target.ts';
import type { FromWorker, ToWorker, WorkerInput } from './types.ts';
import { USER_AGENT } from '../tool.ts';

/** One generator thread: connects, waits for the common start time, runs its share, reports its histograms. */
const port = parentPort;
if (!port) throw new Error('loadgen worker must run in a worker thread');
const input = workerData as WorkerInput;
const post = (message: FromWorker): void => port.postMessage(message);

const target = parseTarget(input.spec.url);
const loop =
  input.spec.loop === 'open'
    ? new OpenLoop(input.spec, input.index, target, USER_AGENT)
    : // Loaded only here: autocannon takes about a second of CPU to load, which an open loop's phase need not pay.
      new (await import('./closed-loop.ts')).ClosedLoop(input.spec, input.index, input.spec.url, USER_AGENT);

// Open loop: this thread reads the responses (their arrival time is the latency) and writes queued requests on the
// connections they free; read late, a response delays the requests waiting behind it. It runs under the real-time
// policy where permitted, like the pacer (priority.ts), but only from the start of the run: a thread inherits the
// policy of the thread that creates it, and setting up (the pacer thread's start and module loading, connecting)
// takes CPU that under SCHED_FIFO no other process on the machine can preempt. Five runs of
// test/loadgen/open-loop-counts.integration.test.ts side by side on 2 cores (three phases each, their servers in the
// test processes), twice: raised at this thread's start, 8 of 30 phases fell behind their rate, one answered 35 of 300
// requests, and in a CI run beside other suites two phases never finished within 60 s; raised here, 2 of 30 phases
// fell behind (under the normal policy throughout, 0 of 15).
let realtime = false;

let progressTimer: NodeJS.Timeout | undefined;

port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') {
    loop.stop();
    return;
  }
  realtime = input.spec.loop === 'open' && raiseThreadPriority();
  progressTimer = setInterval(() => {
    post({ type: 'progress', completed: loop.recorder.completed, errors: loop.recorder.failed });
  }, 250);
  loop
    .run(message.t0Us)
    .then(() => {
      clearInterval(progressTimer);
      post({ type: 'report', report: { ...loop.recorder.report(), realtime } });
      loop.close();
      port.close();
    })
    .catch((error: unknown) => fail(error));
});

function fail(error: unknown): void {
  clearInterval(progressTimer);
  loop.close();
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  port?.close();
}

loop.connect().then(() => post({ type: 'ready' }), fail);
