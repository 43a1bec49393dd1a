import { describe, expect, it } from 'vitest';
import { drawer, echoDraws, echoModel, MODEL_LIMITS, type EchoModel } from '../../../src/runtimes/local/echo-model.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import { loadScenarioText } from '../../../src/scenario/load.ts';

const model = (overrides: Partial<EchoModel>): EchoModel => ({ payloadBytes: 1024, delayMs: 0, cpuMs: 0, errorRate: 0, seed: 1, ...overrides });

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

describe('the echo server\'s model', () => {
  it('comes from the scenario with its defaults: no CPU cost, no errors, seed 1', () => {
    const { workload } = loadScenarioText('apiVersion: meshtax.dev/v1alpha1\nkind: Scenario\nmetadata: {name: m}\nworkload: {responseDelay: 2ms}\n', 'm.yaml').scenario;
    expect(echoModel(workload)).toEqual({ payloadBytes: 1024, delayMs: 2, cpuMs: 0, errorRate: 0, seed: 1 });
  });

  it('draws a fixed value always, and caps it at the field\'s limit', () => {
    const fixed = drawer({ distribution: 'fixed', value: 5 }, 100, mulberry32(1));
    expect([fixed(), fixed(), fixed()]).toEqual([5, 5, 5]);
    expect(drawer(500, 100, mulberry32(1))()).toBe(100);
  });

  it('draws a uniform distribution inside its bounds, evenly (20 000 seeded draws)', () => {
    const draw = drawer({ distribution: 'uniform', min: 100, max: 200 }, MODEL_LIMITS.payloadBytes, mulberry32(42));
    const values = Array.from({ length: 20_000 }, draw);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...values)).toBeLessThan(200);
    const below150 = values.filter((v) => v < 150).length / values.length;
    expect(below150).toBeCloseTo(0.5, 1);
  });

  it('draws a log-normal whose median and 99th percentile are the ones asked for (100 000 seeded draws)', () => {
    const draw = drawer({ distribution: 'lognormal', median: 2, p99: 40 }, MODEL_LIMITS.delayMs, mulberry32(7));
    const sorted = Array.from({ length: 100_000 }, draw).sort((a, b) => a - b);
    expect(quantile(sorted, 0.5) / 2).toBeCloseTo(1, 1);
    expect(quantile(sorted, 0.99) / 40).toBeCloseTo(1, 1);
    expect(sorted[0]).toBeGreaterThan(0);
  });

  it('repeats its draws for a seed, differs for another, and keeps each quantity\'s own stream', () => {
    const heavy = model({ payloadBytes: { distribution: 'uniform', min: 0, max: 1e6 }, cpuMs: { distribution: 'lognormal', median: 1, p99: 10 }, errorRate: 0.1, seed: 9 });
    const take = (m: EchoModel) => Array.from({ length: 50 }, echoDraws(m));
    expect(take(heavy)).toEqual(take(heavy));
    expect(take({ ...heavy, seed: 10 })).not.toEqual(take(heavy));
    // Adding errors or CPU cost does not change the sizes drawn: a chatty and a heavy variant share them.
    const sizes = (m: EchoModel) => take(m).map((draw) => draw.bodyBytes);
    expect(sizes({ ...heavy, errorRate: 0, cpuMs: 0 })).toEqual(sizes(heavy));
  });

  it('answers 500 for the fraction of requests its error rate says (10 000 seeded draws), and never at rate 0', () => {
    const draws = Array.from({ length: 10_000 }, echoDraws(model({ errorRate: 0.05, seed: 3 })));
    expect(draws.filter((draw) => draw.status === 500).length / draws.length).toBeCloseTo(0.05, 2);
    expect(Array.from({ length: 1000 }, echoDraws(model({}))).every((draw) => draw.status === 200)).toBe(true);
  });

  it('gives whole bytes, and delays and CPU costs in milliseconds as drawn', () => {
    const [first] = Array.from({ length: 1 }, echoDraws(model({ payloadBytes: { distribution: 'uniform', min: 10, max: 11 }, delayMs: 1.5, cpuMs: 0.25 })));
    expect(Number.isInteger(first!.bodyBytes)).toBe(true);
    expect(first).toMatchObject({ delayMs: 1.5, cpuMs: 0.25, status: 200 });
  });
});
