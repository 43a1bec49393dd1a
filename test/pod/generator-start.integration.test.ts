import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLine, INPUT_ENV, ResultAssembler, type GeneratorInput } from '../../src/runtimes/kubernetes/generator/protocol.ts';
import { okHandler, startServer, type TestServer } from '../helpers/servers.ts';

/** The bundled in-cluster generator (dist/pod/loadgen.js, as the ConfigMap ships it), run on this host. */
const LOADGEN = path.resolve(import.meta.dirname, '../../dist/pod/loadgen.js');
let server: TestServer;

beforeAll(async () => {
  server = await startServer(okHandler);
});
afterAll(async () => server?.close());

/** Runs the generator as its own process (the test's server must keep answering meanwhile). */
function generate(input: GeneratorInput): Promise<{ status: number | null; messages: ReturnType<typeof decodeLine>[] }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LOADGEN], { env: { ...process.env, [INPUT_ENV]: JSON.stringify(input) }, timeout: 30_000 }, (error, stdout) => {
      const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ status, messages: stdout.split('\n').map(decodeLine).filter((m) => m !== undefined) });
    });
  });
}

const spec = (url: string) => ({ url, loop: 'open' as const, arrival: 'uniform' as const, rate: 200, connections: 2, workers: 1, durationMs: 500, warmupMs: 200, timeoutMs: 2000, seed: 1 });

describe('the in-cluster generator', () => {
  it('reports ready, both window edges and a result that parses, then stays until its pod is deleted (SIGTERM: exit 0)', async () => {
    // It stays so a native sidecar, which stops once the pod's last regular container ends, can still be read.
    const child = spawn(process.execPath, [LOADGEN], { env: { ...process.env, [INPUT_ENV]: JSON.stringify({ spec: spec(server.url), startAtMs: 0, targetWaitMs: 5000 }) }, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const messages: ReturnType<typeof decodeLine>[] = [];
    const assembler = new ResultAssembler();
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no result within 30 s')), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const message of lines.map(decodeLine)) {
          if (!message) continue;
          messages.push(message);
          if (message.type === 'result-chunk') assembler.add(message);
          if (assembler.complete()) {
            clearTimeout(timer);
            resolve();
          }
        }
      });
      void exited.then((code) => reject(new Error(`exited (${code}) before its result`)));
    });
    const types = messages.map((m) => m?.type);
    expect(types[0]).toBe('ready');
    expect(types.filter((t) => t === 'window')).toHaveLength(2);
    expect(types.at(-1)).toBe('result-chunk');
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a start that lies further ahead than the start delay: the clocks disagree', async () => {
    const { status, messages } = await generate({ spec: spec(server.url), startAtMs: Date.now() + 60_000, startDelayMs: 5000, targetWaitMs: 5000 });
    expect(status).toBe(1);
    const failed = messages.at(-1) as { type: string; message: string };
    expect(failed.type).toBe('failed');
    const away = /^the agreed start is (\d+) s away, more than the 5 s start delay: the start time comes from the clock of the machine running meshtax/.exec(failed.message);
    expect(away, failed.message).not.toBeNull();
    // 60 s ahead when the test asked, less by however long the generator took to start (no stopwatch on that).
    expect(Number(away![1])).toBeGreaterThan(5);
    expect(Number(away![1])).toBeLessThanOrEqual(60);
  });

  it('refuses to start late, so shards never measure different windows', async () => {
    const { messages } = await generate({ spec: spec(server.url), startAtMs: Date.now() - 10_000, startDelayMs: 5000, targetWaitMs: 5000 });
    expect(messages.at(-1)).toEqual({ type: 'failed', message: expect.stringMatching(/^this generator pod became ready 1\d s after the agreed start; raise kubernetes\.generator\.startDelay/) });
  });

  it('gives up on a target that never answers, saying which', async () => {
    const { status, messages } = await generate({ spec: spec('http://127.0.0.1:9/'), startAtMs: 0, targetWaitMs: 1500 });
    expect(status).toBe(1);
    expect(messages.at(-1)).toEqual({ type: 'failed', message: expect.stringMatching(/^the target http:\/\/127\.0\.0\.1:9\/ did not answer within 2 s \(last: connect ECONNREFUSED 127\.0\.0\.1:9\)$/) });
  });
});
