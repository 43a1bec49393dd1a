import { describe, expect, it } from 'vitest';
import { plannedModes, planPhases } from '../../src/scenario/plan.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';

const scenario = (load: string, modes = '[baseline, sidecar, node-proxy]') =>
  loadScenarioText(`apiVersion: meshtax.dev/v1alpha1\nkind: Scenario\nmetadata: { name: p }\nmodes: ${modes}\nload: ${load}\n`, 'p.yaml').scenario;

describe('the plan', () => {
  it('interleaves repetitions across modes, rates ascending within each, each repetition starting one mode later', () => {
    const phases = planPhases(scenario('{ rates: [100, 200], repetitions: 3 }', '[baseline, sidecar]'));
    expect(phases.map((p) => `${p.repetition}:${p.rate}:${p.mode}`)).toEqual([
      '1:100:baseline', '1:100:sidecar', '1:200:baseline', '1:200:sidecar',
      '2:100:sidecar', '2:100:baseline', '2:200:sidecar', '2:200:baseline',
      '3:100:baseline', '3:100:sidecar', '3:200:baseline', '3:200:sidecar',
    ]);
  });

  it('rotated: over as many repetitions as modes, every mode runs in every place once', () => {
    const phases = planPhases(scenario('{ rates: [100], repetitions: 3 }'));
    const places = phases.map((p, i) => `${p.mode}@${i % 3}`).sort();
    expect(places).toEqual(['baseline@0', 'baseline@1', 'baseline@2', 'node-proxy@0', 'node-proxy@1', 'node-proxy@2', 'sidecar@0', 'sidecar@1', 'sidecar@2']);
  });

  it('interleaved: the same order in every repetition', () => {
    const phases = planPhases(scenario('{ rates: [100], repetitions: 2, order: interleaved }', '[baseline, sidecar]'));
    expect(phases.map((p) => p.mode)).toEqual(['baseline', 'sidecar', 'baseline', 'sidecar']);
  });

  it('shuffles the modes of each repetition with the seed, the same way every time', () => {
    const load = '{ rates: [100], repetitions: 4, order: shuffled, seed: 11 }';
    const orders = planPhases(scenario(load)).map((p) => p.mode);
    expect(planPhases(scenario(load)).map((p) => p.mode)).toEqual(orders);
    const perRepetition = [0, 1, 2, 3].map((r) => orders.slice(r * 3, r * 3 + 3));
    for (const order of perRepetition) expect([...order].sort()).toEqual(['baseline', 'node-proxy', 'sidecar']);
    // Not every repetition in the same order.
    expect(new Set(perRepetition.map((order) => order.join())).size).toBeGreaterThan(1);
  });

  it('adds the A/A baseline right after baseline for a noise floor', () => {
    expect(plannedModes(scenario('{ noiseFloor: true }'))).toEqual(['baseline', 'baseline-aa', 'sidecar', 'node-proxy']);
    expect(planPhases(scenario('{ rates: [100], noiseFloor: true }')).map((p) => p.mode)).toEqual(['baseline', 'baseline-aa', 'sidecar', 'node-proxy']);
  });
});
