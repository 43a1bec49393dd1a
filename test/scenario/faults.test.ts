import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { runtimeFor } from '../../src/runtimes/registry.ts';
import { HEAD, problemsOf, runtimeProblemsOf, yaml } from './helpers.ts';

const OUTAGE = ['faults:', '  allowControlPlaneOutage: true', '  controlPlaneOutage:', '    at: 2s', '    duration: 3s'];

describe('faults.controlPlaneOutage', () => {
  it('needs the scenario\'s consent', () => {
    expect(problemsOf(yaml(...HEAD, 'runtime: kubernetes', 'modes: [istio-sidecar]', 'faults:', '  controlPlaneOutage:', '    at: 2s', '    duration: 3s'))).toEqual([
      {
        source: 'test.yaml',
        line: 8,
        col: 3,
        message: 'faults.allowControlPlaneOutage: controlPlaneOutage takes the mesh\'s control plane down, and the scenario has not consented to that',
        hint: 'set faults.allowControlPlaneOutage: true (only on a cluster that is yours to break), or remove faults.controlPlaneOutage',
      },
    ]);
  });

  it('must end 2 s before the measured window does, and needs the open loop', () => {
    const problems = problemsOf(yaml(...HEAD, 'runtime: kubernetes', 'modes: [istio-sidecar]', 'load:', '  loop: closed', '  duration: 4s', ...OUTAGE));
    expect(problems.map((p) => [p.line, p.message, p.hint])).toEqual([
      // A mapping's problems point at its first key.
      [13, 'faults.controlPlaneOutage: a control-plane outage is read second by second from intended send times, which only the open loop has', 'set load.loop: open'],
      [
        14,
        'faults.controlPlaneOutage.duration: the outage (at 2s for 3s) must end at least 2s before the measured window of 4s does, so traffic after the restore is measured',
        'start it earlier, shorten it, or set load.duration to at least 7s',
      ],
    ]);
  });

  it('accepts an outage that ends exactly 2 s before the window does', () => {
    const loaded = loadScenarioText(yaml(...HEAD, 'runtime: kubernetes', 'modes: [istio-sidecar]', 'load:', '  duration: 7s', ...OUTAGE), 'test.yaml');
    expect(loaded.scenario.faults?.controlPlaneOutage).toMatchObject({ at: 2000, duration: 3000 });
  });

  it('rejects a duration under a second and an unknown key, with the allowed range', () => {
    const problems = problemsOf(yaml(...HEAD, 'faults:', '  allowControlPlaneOutage: true', '  controlPlaneOutage:', '    at: 2s', '    duration: 500ms', '    probe: false'));
    expect(problems.map((p) => p.message)).toEqual([
      'faults.controlPlaneOutage.duration: must be from 1s to 1h; got 500ms',
      "unknown key 'probe' in faults.controlPlaneOutage",
    ]);
  });

  it('is refused on the local runtime, which has no control plane to stop', () => {
    expect(runtimeProblemsOf(yaml(...HEAD, 'modes: [baseline, sidecar]', ...OUTAGE))).toEqual([
      {
        source: 'test.yaml',
        line: 9,
        col: 5,
        message:
          'faults.controlPlaneOutage: the local runtime has no control plane to stop: its proxies get their certificates from files issued before they start, and nothing serves them configuration during a phase',
        hint: 'run the outage on Kubernetes (runtime: kubernetes, with Istio or Linkerd), or remove faults.controlPlaneOutage',
      },
    ]);
  });

  it('needs a mode with a control plane on Kubernetes', () => {
    expect(runtimeProblemsOf(yaml(...HEAD, 'runtime: kubernetes', 'modes: [baseline]', ...OUTAGE)).map((p) => [p.message, p.hint])).toEqual([
      [
        'faults.controlPlaneOutage: none of the modes (baseline) has a control plane to stop',
        'add a meshed mode (linkerd, istio-sidecar, istio-ambient, istio-waypoint), or remove faults.controlPlaneOutage',
      ],
    ]);
  });

  it('resolves with its defaults, and leaves a scenario without faults as it was', () => {
    const loaded = loadScenarioText(yaml(...HEAD, 'runtime: kubernetes', 'modes: [baseline, linkerd]', ...OUTAGE), 'test.yaml');
    expect(loaded.scenario.faults).toEqual({ allowControlPlaneOutage: true, controlPlaneOutage: { at: 2000, duration: 3000, probePod: true, recoveryTimeout: 120_000 } });
    expect(runtimeFor(loaded).name).toBe('kubernetes');
    expect('faults' in loadScenarioText(yaml(...HEAD), 'test.yaml').scenario).toBe(false);
  });
});
