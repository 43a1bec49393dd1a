import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startChild } from '../../../src/runtimes/local/child.ts';
import { echoDraws, echoModel, type EchoModel } from '../../../src/runtimes/local/echo-model.ts';
import { renderContext, kubeScenario } from '../kubernetes/fixture.ts';
import { echoDeployment } from '../../../src/runtimes/kubernetes/manifests/workload.ts';

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
});
