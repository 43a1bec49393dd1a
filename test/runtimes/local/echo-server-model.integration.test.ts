import http2 from 'node:http2';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startChild } from '../../../src/runtimes/local/child.ts';
import { echoDraws, echoModel, type EchoModel } from '../../../src/runtimes/local/echo-model.ts';
import { renderContext, kubeScenario } from '../kubernetes/fixture.ts';
import { echoDeployment } from '../../../src/runtimes/kubernetes/manifests/workload.ts';
import { builtinRoot, ECHO_METHOD, frame, unaryMethod, unframe } from '../../../src/protocols/grpc.ts';

/**
 * The echo server answers as its model draws, request by request, in the model's seeded order: the local runtime's
 * script, and the bundle the Kubernetes echo pod runs (dist/pod/echo.js, built by npm run build) with the
 * arguments its Deployment gives it.
 */

const ROOT = path.resolve(import.meta.dirname, '../../..');
const MODEL: EchoModel = {
  payloadBytes: { distribution: 'lognormal', median: 300, p99: 5000 },
  delayMs: { distribution: 'uniform', min: 0, max: 2 },
  cpuMs: { distribution: 'fixed', value: 0.05 },
  errorRate: 0.2,
  seed: 11,
};

async function answers(script: string, args: string[], count: number): Promise<{ status: number; bytes: number }[]> {
  const server = await startChild('echo server', process.execPath, [script, ...args]);
  try {
    const url = `http://127.0.0.1:${String(server.announcement.port)}/`;
    const seen: { status: number; bytes: number }[] = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch(url);
      seen.push({ status: response.status, bytes: (await response.arrayBuffer()).byteLength });
    }
    return seen;
  } finally {
    await server.stop();
  }
}

/** One request after another over h2c: plain HTTP/2 GETs, or gRPC Echo calls asking for no size of their own. */
async function h2Answers(protocol: 'http2' | 'grpc', model: EchoModel, count: number): Promise<{ status: number; bytes: number }[]> {
  const server = await startChild('echo server', process.execPath, [path.join(ROOT, 'src/runtimes/local/echo-server.ts'), '--protocol', protocol, '--model', JSON.stringify(model)]);
  const session = http2.connect(`http://127.0.0.1:${String(server.announcement.port)}`);
  const echo = unaryMethod(builtinRoot(), ECHO_METHOD);
  const call = (): Promise<{ status: number; bytes: number }> =>
    new Promise((resolve, reject) => {
      const grpc = protocol === 'grpc';
      const stream = session.request(grpc ? { ':method': 'POST', ':path': `/${ECHO_METHOD}`, 'content-type': 'application/grpc', te: 'trailers' } : { ':path': '/' });
      let status = 0;
      const chunks: Buffer[] = [];
      stream.on('response', (headers) => {
        status = grpc ? Number(headers['grpc-status'] ?? 0) : Number(headers[':status']);
      });
      stream.on('trailers', (trailers) => {
        status = Number(trailers['grpc-status']);
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const body = Buffer.concat(chunks);
        const message = grpc ? unframe(body) : body;
        const bytes = grpc ? (message ? (echo.resolvedResponseType!.decode(message) as unknown as { payload: Uint8Array }).payload.length : 0) : body.length;
        resolve({ status, bytes });
      });
      stream.on('error', reject);
      stream.end(grpc ? frame(echo.resolvedRequestType!.encode({}).finish()) : undefined);
    });
  try {
    const seen: { status: number; bytes: number }[] = [];
    for (let i = 0; i < count; i++) seen.push(await call());
    return seen;
  } finally {
    session.close();
    await server.stop();
  }
}

const expected = (model: EchoModel, count: number) => Array.from({ length: count }, echoDraws(model)).map((draw) => ({ status: draw.status, bytes: draw.bodyBytes }));

describe('echo server with a model', () => {
  it('answers one request after another with the sizes and statuses the seeded draws give, in order', async () => {
    const seen = await answers(path.join(ROOT, 'src/runtimes/local/echo-server.ts'), ['--model', JSON.stringify(MODEL)], 200);
    expect(seen).toEqual(expected(MODEL, 200));
    // The draws really vary: several sizes, and both statuses.
    expect(new Set(seen.map((s) => s.bytes)).size).toBeGreaterThan(50);
    expect(new Set(seen.map((s) => s.status))).toEqual(new Set([200, 500]));
  });

  it('is the same in the Kubernetes echo pod: the bundle, run with the arguments of the rendered Deployment', async () => {
    const scenario = kubeScenario(['baseline'], 'workload: {payloadBytes: {distribution: uniform, min: 10, max: 4KiB}, errorRate: 0.3, seed: 5}');
    const container = echoDeployment(renderContext('baseline', scenario)).spec!.template.spec!.containers[0]!;
    const model = container.args!.find((arg) => arg.startsWith('--model='))!;
    expect(JSON.parse(model.slice('--model='.length))).toEqual(echoModel(scenario.workload));
    const seen = await answers(path.join(ROOT, 'dist/pod/echo.js'), ['--host=127.0.0.1', '--port=0', model], 100);
    expect(seen).toEqual(expected(echoModel(scenario.workload), 100));
  });

  it('answers over HTTP/2 with the same draws: sizes and statuses in the seeded order', async () => {
    expect(await h2Answers('http2', MODEL, 200)).toEqual(expected(MODEL, 200));
  });

  it('answers gRPC calls with the same draws: a drawn error is grpc-status 13 INTERNAL (an HTTP 500 in gRPC\'s mapping) with no reply', async () => {
    const seen = await h2Answers('grpc', MODEL, 200);
    expect(seen).toEqual(expected(MODEL, 200).map(({ status, bytes }) => (status === 200 ? { status: 0, bytes } : { status: 13, bytes: 0 })));
    expect(new Set(seen.map((s) => s.status))).toEqual(new Set([0, 13]));
  });
});
