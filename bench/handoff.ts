/**
 * npm run bench:handoff — how fast and how cheaply can a pacer thread wake the I/O thread? The choice behind the
 * open loop's hand-off (src/loadgen/pacer.ts). A pacer thread sleeps on Atomics.wait until SPIN µs before each
 * deadline (every INTERVAL µs), spins the rest, then wakes the main thread one of three ways:
 *   port       MessagePort.postMessage (what the open loop uses);
 *   waitAsync  a SharedArrayBuffer counter, Atomics.notify, and Atomics.waitAsync on the main thread;
 *   none       no hand-off: the pacer's own lateness, the floor a hand-off adds to.
 * Prints, per way, the main thread's lateness against each deadline (µs) and the process's CPU (cores).
 * HANDOFF_SECONDS (default 5), HANDOFF_INTERVAL_US (default 1000, 200 for 5000 rps), HANDOFF_SPIN_US (default 60).
 */
import { MessageChannel, Worker, isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { nowUs } from '../src/loadgen/clock.ts';

type Way = 'port' | 'waitAsync' | 'none';
/** Atomics.waitAsync is ES2024; the project compiles against ES2023's lib. */
type WaitAsync = (array: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync.bind(Atomics);
interface Input {
  way: Way;
  words: SharedArrayBuffer;
  port: MessagePort;
  t0: number;
  count: number;
  intervalUs: number;
  spinUs: number;
}

if (isMainThread) {
  const seconds = Number(process.env.HANDOFF_SECONDS ?? 5);
  const intervalUs = Number(process.env.HANDOFF_INTERVAL_US ?? 1000);
  const spinUs = Number(process.env.HANDOFF_SPIN_US ?? 60);
  console.log(`bench:handoff — a deadline every ${intervalUs} µs for ${seconds} s, pacer spins the last ${spinUs} µs, node ${process.version}`);
  for (const way of ['port', 'waitAsync', 'none'] as const) console.log(await measure(way, seconds, intervalUs, spinUs));
} else {
  pace(workerData as Input);
}

async function measure(way: Way, seconds: number, intervalUs: number, spinUs: number): Promise<string> {
  const words = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const t0 = nowUs() + 100_000;
  const count = Math.floor((seconds * 1e6) / intervalUs);
  const input: Input = { way, words: words.buffer as SharedArrayBuffer, port: port2, t0, count, intervalUs, spinUs };
  const worker = new Worker(new URL(import.meta.url), { workerData: input, transferList: [port2] });
  const cpuStart = process.cpuUsage();
  const wallStart = nowUs();
  const lateness: number[] = [];
  let seen = 0;
  const due = (upTo: number): void => {
    const now = nowUs();
    for (; seen < upTo; seen++) lateness.push(now - (t0 + seen * intervalUs));
  };
  await new Promise<void>((resolve) => {
    if (way === 'port') {
      port1.on('message', (upTo: number) => {
        due(upTo);
        if (seen >= count) resolve();
      });
    } else if (way === 'waitAsync') {
      const wait = (): void => {
        const upTo = Atomics.load(words, 0);
        if (upTo > seen) due(upTo);
        if (seen >= count) return resolve();
        const result = waitAsync(words, 0, upTo);
        if (result.async) void result.value.then(wait);
        else wait();
      };
      wait();
    } else {
      worker.on('message', (own: number[]) => {
        lateness.push(...own);
        resolve();
      });
    }
  });
  const cpu = process.cpuUsage(cpuStart);
  const cores = (cpu.user + cpu.system) / (nowUs() - wallStart);
  port1.close();
  await worker.terminate();
  lateness.sort((a, b) => a - b);
  const at = (p: number): string => lateness[Math.min(lateness.length - 1, Math.floor(p * lateness.length))]!.toFixed(0);
  return `  ${way.padEnd(9)} lateness p50 ${at(0.5)} µs, p90 ${at(0.9)} µs, p99 ${at(0.99)} µs, max ${at(1)} µs; process CPU ${cores.toFixed(3)} cores`;
}

function pace(input: Input): void {
  const words = new Int32Array(input.words);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const own: number[] = [];
  for (let k = 0; k < input.count; k++) {
    const deadline = input.t0 + k * input.intervalUs;
    const sleepUs = deadline - input.spinUs - nowUs();
    if (sleepUs > 0) Atomics.wait(sleeper, 0, 0, sleepUs / 1000);
    let now = nowUs();
    while (now < deadline) now = nowUs();
    if (input.way === 'port') input.port.postMessage(k + 1);
    else if (input.way === 'waitAsync') {
      Atomics.store(words, 0, k + 1);
      Atomics.notify(words, 0);
    } else own.push(now - deadline);
  }
  if (input.way === 'none') parentPort?.postMessage(own);
}
