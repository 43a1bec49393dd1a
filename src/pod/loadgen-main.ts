/**
 * The load generator of the Kubernetes runtime, run in a generator pod from the bundled code in the meshtax-code
 * ConfigMap: meshtax's own engine, reporting over its log (generator/protocol.ts). After the result it stays, idle,
 * until its pod is deleted (at most LINGER_MS): a native sidecar (an init container that restarts) is stopped once
 * the pod's last regular container ends, and meshtax reads the mesh proxy's request counter after the phase to prove
 * the requests passed it.
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { PhaseRunner } from '../loadgen/phase.ts';
import { encodeMessage, encodeResult, INPUT_ENV, type GeneratorInput, type GeneratorMessage } from '../runtimes/kubernetes/generator/protocol.ts';

const write = (message: GeneratorMessage): void => void process.stdout.write(encodeMessage(message));

/** How long a generator stays after its result when nobody deletes its pod (meshtax deletes it at the next phase). */
const LINGER_MS = 10 * 60_000;

/** Resolves once the target answers any HTTP response; the mesh may still be setting up its redirection. */
async function waitForTarget(url: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      await new Promise<void>((resolve, reject) => {
        const request = http.get(url, { timeout: 2000 }, (response) => {
          response.resume();
          response.on('end', resolve);
        });
        request.on('timeout', () => request.destroy(new Error('no answer within 2 s')));
        request.on('error', reject);
      });
      return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
      await sleep(500);
    }
  }
  throw new Error(`the target ${url} did not answer within ${Math.round(waitMs / 1000)} s (last: ${last})`);
}

async function main(): Promise<void> {
  const raw = process.env[INPUT_ENV];
  if (!raw) throw new Error(`${INPUT_ENV} is not set`);
  const input = JSON.parse(raw) as GeneratorInput;
  await waitForTarget(input.spec.url, input.targetWaitMs);
  write({ type: 'ready', atMs: Date.now() });
  if (input.startAtMs > 0) {
    const wait = input.startAtMs - Date.now();
    const clocks = 'the start time comes from the clock of the machine running meshtax: check it against the cluster\'s (NTP)';
    if (wait < -1000) {
      throw new Error(`this generator pod became ready ${Math.round(-wait / 1000)} s after the agreed start; raise kubernetes.generator.startDelay, or ${clocks}`);
    }
    if (input.startDelayMs !== undefined && wait > input.startDelayMs + 2000) {
      throw new Error(`the agreed start is ${Math.round(wait / 1000)} s away, more than the ${Math.round(input.startDelayMs / 1000)} s start delay: ${clocks}`);
    }
    if (wait > 0) await sleep(wait);
  }
  const runner = new PhaseRunner();
  let lastProgress = 0;
  runner.on('progress', (event) => {
    // The log is the channel: four lines a second are plenty for a progress bar.
    const now = Date.now();
    if (now - lastProgress < 250) return;
    lastProgress = now;
    write({ type: 'progress', event });
  });
  runner.on('windowStart', () => write({ type: 'window', edge: 'start', atMs: Date.now() }));
  runner.on('windowEnd', () => write({ type: 'window', edge: 'end', atMs: Date.now() }));
  const measurement = await runner.run(input.spec);
  // Deleting the pod sends SIGTERM: leave at once, successfully. Installed before the result is written, so a
  // reader that deletes the pod as soon as it has the result's last line never meets the default action (exit 143).
  process.once('SIGTERM', () => process.exit(0));
  for (const line of encodeResult(measurement)) process.stdout.write(line);
  await sleep(LINGER_MS);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    write({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
