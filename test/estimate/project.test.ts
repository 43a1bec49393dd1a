import { describe, expect, it } from 'vitest';
import { loadFleetText } from '../../src/estimate/fleet-load.ts';
import { selectMeasurements } from '../../src/estimate/measured.ts';
import { estimate, HOURS_PER_MONTH } from '../../src/estimate/project.ts';
import { estimateResultSchema, type EstimatedMode, type ModeEstimate } from '../../src/estimate/result-schema.ts';
import { FLEET_YAML, MIB, NODE_PROXY, SIDECAR, syntheticRun, WAYPOINT, type ModeSpec } from './fixture.ts';

/**
 * The fleet of FLEET_YAML worked out by hand: 60 services × 3 pods = 180 pods, 60 × 100 rps = 6 000 rps,
 * 20 nodes of 16 cores and 64 GiB (65 536 MiB), 4 waypoints, 450 a node-month, 0.04 a core-hour, 0.005 a GiB-hour,
 * 40 engineer hours a month at 100.
 */
const fleet = loadFleetText(FLEET_YAML, 'fleet.yaml');
const run = syntheticRun([SIDECAR, NODE_PROXY, WAYPOINT]);
const { measured, unused } = selectMeasurements([{ file: 'run.json', run }], {});
const result = estimate(fleet, 'fleet.yaml', measured, unused);

function estimated(mode: string): EstimatedMode {
  const found: ModeEstimate | undefined = result.modes.find((m) => m.mode === mode);
  if (found?.status !== 'estimated') throw new Error(`${mode} was not estimated`);
  return found;
}

it('is a result its own schema accepts', () => {
  expect(estimateResultSchema.parse(result)).toEqual(result);
  expect(result.fleet).toMatchObject({ services: 60, pods: 180, rps: 6000, nodes: 20, waypoints: 4, hoursPerMonth: 730 });
});

describe('sidecar: 0.2 cores per sidecar at idle, +0.1 cores per 1000 rps above idle on the path', () => {
  const sidecar = estimated('sidecar');

  it('scales the idle part with pods: 180 pods × 0.2 cores = 36 cores, 180 × 50 MiB = 9 000 MiB', () => {
    expect(sidecar.fixed).toEqual([
      expect.objectContaining({ role: 'sidecar', scaledBy: 'pods', measuredProxies: 2, fleetProxies: 180, idleCpuPerProxyCores: 0.2, cpuCores: 36, memoryBytes: 9000 * MIB }),
    ]);
  });

  it('scales the part above idle with traffic: (0.5 − 0.4) cores per 1000 rps × 6 = 0.6 cores; (120 − 100) MiB × 6 = 120 MiB', () => {
    expect(sidecar.traffic.fleetRps).toBe(6000);
    expect(sidecar.traffic.cpuPer1kRps.value).toBeCloseTo(0.1, 9);
    expect(sidecar.traffic.cpuCores.value).toBeCloseTo(0.6, 9);
    expect(sidecar.traffic.memoryBytes.value).toBe(120 * MIB);
  });

  it('carries the CPU interval 0.46–0.54 through: (0.46 − 0.4) × 6 = 0.36 and (0.54 − 0.4) × 6 = 0.84 on top of 36', () => {
    expect(sidecar.traffic.cpuCores.low).toBeCloseTo(0.36, 9);
    expect(sidecar.traffic.cpuCores.high).toBeCloseTo(0.84, 9);
    expect(sidecar.cpuCores.value).toBeCloseTo(36.6, 9);
    expect(sidecar.cpuCores.low).toBeCloseTo(36.36, 9);
    expect(sidecar.cpuCores.high).toBeCloseTo(36.84, 9);
  });

  it('carries the memory interval 110–130 MiB through: 9 000 + 10 × 6 = 9 060 MiB to 9 000 + 30 × 6 = 9 180 MiB', () => {
    expect(sidecar.memoryBytes).toEqual({ value: 9120 * MIB, low: 9060 * MIB, high: 9180 * MIB });
  });

  it('counts nodes by the scarcer resource: CPU 36.6 / 16 = 2.2875 (memory 9 120 / 65 536 = 0.139), 3 whole nodes', () => {
    expect(sidecar.nodes.value).toBeCloseTo(2.2875, 4);
    expect(sidecar.nodes.low).toBeCloseTo(36.36 / 16, 4);
    expect(sidecar.nodes.high).toBeCloseTo(36.84 / 16, 4);
    expect(sidecar.wholeNodes).toBe(3);
  });

  it('prices it: 2.2875 nodes × 450 = 1 029.38 a month; (36.6 × 0.04 + 8.90625 GiB × 0.005) × 730 = 1 101.23', () => {
    expect(sidecar.money.byNodeMonth?.value).toBeCloseTo(1029.375, 1);
    expect(sidecar.money.byNodeMonth?.low).toBeCloseTo(2.2725 * 450, 1);
    expect(sidecar.money.byNodeMonth?.high).toBeCloseTo(2.3025 * 450, 1);
    expect(HOURS_PER_MONTH).toBe(730);
    expect(sidecar.money.byResourceHours?.value).toBeCloseTo((36.6 * 0.04 + (9120 / 1024) * 0.005) * 730, 1);
    expect(sidecar.money.byResourceHours?.value).toBeCloseTo(1101.23, 2);
  });

  it('says it in engineer hours at 100 an hour: 1 029.38 / 100 = 10.3', () => {
    expect(sidecar.engineerHours?.value).toBeCloseTo(10.3, 1);
    expect(result.networkTax).toEqual({ engineerHoursPerMonth: 40, hourlyCost: 100, monthlyCost: 4000 });
  });
});

describe('node proxies scale with nodes, waypoints with the fleet\'s waypoints', () => {
  it('node-proxy: 20 nodes × 0.01 cores + (0.12 − 0.02) × 6 = 0.8 cores; 20 × 10 MiB + 4 MiB × 6 = 224 MiB', () => {
    const node = estimated('node-proxy');
    expect(node.fixed).toEqual([expect.objectContaining({ role: 'node-proxy', scaledBy: 'nodes', fleetProxies: 20, cpuCores: 0.2, memoryBytes: 200 * MIB })]);
    expect(node.cpuCores.value).toBeCloseTo(0.8, 9);
    expect(node.cpuCores.low).toBeCloseTo(0.2 + (0.1 - 0.02) * 6, 9);
    expect(node.cpuCores.high).toBeCloseTo(0.2 + (0.14 - 0.02) * 6, 9);
    // The run has no memory interval: memory, nodes and money have no bounds, and a note says why.
    expect(node.memoryBytes).toEqual({ value: 224 * MIB, low: null, high: null });
    expect(node.nodes).toEqual({ value: 0.05, low: null, high: null });
    expect(node.money.byNodeMonth).toEqual({ value: 22.5, low: null, high: null });
    expect(node.notes.join(' ')).toMatch(/no interval for the mesh memory/);
  });

  it('waypoint: 20 × 0.01 + 4 × 0.02 = 0.28 cores fixed, (0.22 − 0.04) × 6 = 1.08 with traffic; 200 + 120 + 14 × 6 = 404 MiB', () => {
    const waypoint = estimated('node-proxy-waypoint');
    expect(waypoint.fixed.map((part) => [part.role, part.scaledBy, part.fleetProxies, part.cpuCores])).toEqual([
      ['node-proxy', 'nodes', 20, 0.2],
      ['waypoint', 'waypoints', 4, 0.08],
    ]);
    expect(waypoint.cpuCores.value).toBeCloseTo(1.36, 9);
    expect(waypoint.cpuCores.low).toBeCloseTo(0.28 + (0.2 - 0.04) * 6, 9);
    expect(waypoint.cpuCores.high).toBeCloseTo(0.28 + (0.24 - 0.04) * 6, 9);
    expect(waypoint.memoryBytes).toEqual({ value: 404 * MIB, low: 380 * MIB, high: 428 * MIB });
    expect(waypoint.money.byNodeMonth?.value).toBeCloseTo((1.36 / 16) * 450, 2);
  });
});

describe('what run.json lacks is said, not invented', () => {
  it('does not estimate a mode whose proxies have no idle level, and says which figure is missing', () => {
    const noIdle = syntheticRun([{ ...SIDECAR, proxies: SIDECAR.proxies.map((p) => ({ ...p, idleCpu: null })) }]);
    const picked = selectMeasurements([{ file: 'old.json', run: noIdle }], {});
    const [mode] = estimate(fleet, 'fleet.yaml', picked.measured, picked.unused).modes;
    expect(mode?.status).toBe('not-estimated');
    expect(mode?.status === 'not-estimated' && mode.reasons.join(' ')).toMatch(/no idle CPU for the sidecar proxies/);
  });

  it('takes a per-request part below idle as zero, with a note, and never a negative bound', () => {
    const quiet = syntheticRun([{ ...SIDECAR, cpuInterval: { low: 0.3, high: 0.45 }, proxies: SIDECAR.proxies.map((p) => ({ ...p, cpu: 0.19 })) }]);
    const picked = selectMeasurements([{ file: 'quiet.json', run: quiet }], {});
    const [mode] = estimate(fleet, 'fleet.yaml', picked.measured, picked.unused).modes;
    if (mode?.status !== 'estimated') throw new Error('not estimated');
    expect(mode.cpuCores.value).toBeCloseTo(36, 9);
    expect(mode.cpuCores.low).toBeCloseTo(36, 9);
    expect(mode.cpuCores.high).toBeCloseTo(36 + (0.45 - 0.4) * 6, 9);
    expect(mode.notes.join(' ')).toMatch(/below its idle level/);
  });

  it('prices per resource only when the fleet gives no node price', () => {
    const perResource = loadFleetText(FLEET_YAML.replace('nodeMonth: 450, ', ''), 'fleet.yaml');
    const sidecar = estimate(perResource, 'fleet.yaml', measured, unused).modes.find((m) => m.mode === 'sidecar');
    if (sidecar?.status !== 'estimated') throw new Error('not estimated');
    expect(sidecar.money.byNodeMonth).toBeNull();
    expect(sidecar.engineerHours?.value).toBeCloseTo(11.0, 1);
  });
});

describe('a node proxy shared with other workloads (ztunnel on a real cluster)', () => {
  // The comparison charged each shared ztunnel only its increase over idle, 0.56 − 0.5 = 0.06 cores: the estimate must
  // not subtract that idle level a second time (which would leave no per-request part at all).
  const shared: ModeSpec = {
    mode: 'istio-ambient',
    proxies: [
      { role: 'node-proxy', cpu: 0.56, idleCpu: 0.5, memory: 412 * MIB, idleMemory: 400 * MIB, shared: true },
      { role: 'node-proxy', cpu: 0.56, idleCpu: 0.5, memory: 412 * MIB, idleMemory: 400 * MIB, shared: true },
    ],
    cpuInterval: { low: 0.1, high: 0.14 },
    memoryInterval: null,
  };
  const sharedRun = syntheticRun([shared]);
  const chosen = selectMeasurements([{ file: 'run.json', run: sharedRun }], {});
  const ambient = estimate(fleet, 'fleet.yaml', chosen.measured, chosen.unused).modes.find((m) => m.mode === 'istio-ambient');

  it('scales the increase over idle with traffic: 0.12 cores per 1000 rps measured at 1000 rps × 6 = 0.72 cores', () => {
    if (ambient?.status !== 'estimated') throw new Error('istio-ambient was not estimated');
    expect(ambient.traffic.cpuPer1kRps.value).toBeCloseTo(0.12, 9);
    expect(ambient.traffic.cpuCores.value).toBeCloseTo(0.72, 9);
  });
});
