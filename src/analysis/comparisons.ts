import { round } from '../core/numbers.ts';
import { decodeHistogram, mergeHistograms, summarize } from '../core/histogram.ts';
import { perPercentile, PERCENTILES, type PercentileKey } from '../core/percentiles.ts';
import type { Comparison, PhaseRecord, ResourceRecord } from '../results/schema.ts';
import { applyNoiseFloor, comparisonIntervals, pairRounds } from './intervals.ts';
import { meshPerNode } from './per-node.ts';
import { groupByModeAndRate } from './phase-groups.ts';
import { comparisonValidity } from './validity.ts';
import { AA_MODE, BASELINE_MODE, MESH_ROLES, type Role } from '../core/modes.ts';


const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

function sumRoles(resources: readonly ResourceRecord[], roles: readonly Role[], field: 'cpuCores' | 'memoryBytes'): number {
  return resources.filter((row) => roles.includes(row.role)).reduce((total, row) => total + charged(row, field), 0);
}

/** What the mesh cost in one phase: its proxy roles, each shared component charged only its increase over idle. */
export function meshCost(phase: PhaseRecord, field: 'cpuCores' | 'memoryBytes'): number {
  return sumRoles(phase.resources, MESH_ROLES, field);
}

/**
 * What a row costs the mode: all of it, or for a component shared with other workloads (ztunnel, a control plane)
 * only its increase over its idle level before the load; all of it when no idle level was measured.
 */
export function charged(row: ResourceRecord, field: 'cpuCores' | 'memoryBytes'): number {
  if (!row.shared) return row[field];
  const idle = field === 'cpuCores' ? row.idleCpuCores : row.idleMemoryBytes;
  return idle === null ? row[field] : Math.max(0, row[field] - idle);
}

/**
 * What the mode added to its mesh's control plane (istiod, Linkerd's destination and identity), mean over
 * repetitions: a shared component, so only its increase over idle. Apart from meshCpuCores, which is the data plane
 * on the request path, because a control plane's cost does not grow with the traffic a proxy carries and a fleet
 * estimate must not scale it so. Absent where the phases measured no control plane (the local runtime, baseline).
 */
function controlPlaneCost(phases: readonly PhaseRecord[]): Pick<Comparison, 'controlPlaneCpuCores' | 'controlPlaneMemoryBytes'> {
  if (!phases.some((phase) => phase.resources.some((row) => row.role === 'control-plane'))) return {};
  const cost = (field: 'cpuCores' | 'memoryBytes'): number => mean(phases.map((phase) => sumRoles(phase.resources, ['control-plane'], field)));
  return { controlPlaneCpuCores: round(cost('cpuCores'), 4), controlPlaneMemoryBytes: Math.round(cost('memoryBytes')) };
}

/** Per-node cost where the rows name their nodes; absent where none do (as in run.json from before nodes were kept). */
const nodesOf = (perNode: NonNullable<Comparison['meshPerNode']>): Pick<Comparison, 'meshPerNode'> => (perNode.length > 0 ? { meshPerNode: perNode } : {});

/** Percentiles of the histograms of several phases pooled into one. */
export function pooledPercentiles(phases: readonly PhaseRecord[]): Record<PercentileKey, number | null> {
  const summary = summarize(mergeHistograms(phases.map((phase) => decodeHistogram(phase.histogram))));
  return perPercentile((key) => summary[key]);
}

/**
 * Each mode against baseline at each rate: latency deltas from histograms pooled over repetitions, the mesh's CPU
 * and memory (what the proxy roles use, mean over repetitions), normalised per 1000 rps and per proxy, and beside it
 * the change in what the app and the generator use; with t intervals over rounds (paired with the baseline of the
 * same round) and significance.
 */
export function compareModes(phases: readonly PhaseRecord[], baseline = BASELINE_MODE): Comparison[] {
  const groups = groupByModeAndRate(phases);
  const comparisons: Comparison[] = [];
  for (const { mode, rate, depth, phases: modePhases } of groups) {
    const first = modePhases[0]!;
    if (mode === baseline) continue;
    const basePhases = groups.find((group) => group.mode === baseline && group.rate === rate && group.depth === depth)?.phases;
    if (!basePhases) continue;
    const modeLatency = pooledPercentiles(modePhases);
    const baseLatency = pooledPercentiles(basePhases);
    const latencyDeltaUs = Object.fromEntries(
      (Object.keys(PERCENTILES) as PercentileKey[]).map((p) => {
        const a = modeLatency[p];
        const b = baseLatency[p];
        return [p, a === null || b === null ? null : a - b];
      }),
    ) as Comparison['latencyDeltaUs'];
    const meshCpu = (phase: PhaseRecord): number => meshCost(phase, 'cpuCores');
    const meshMemory = (phase: PhaseRecord): number => meshCost(phase, 'memoryBytes');
    const meshCpuCores = mean(modePhases.map(meshCpu));
    const meshMemoryBytes = mean(modePhases.map(meshMemory));
    const proxies = first.resources.filter((row) => MESH_ROLES.includes(row.role)).length;
    const achieved = mean(modePhases.map((phase) => phase.achievedRps));
    const roleDelta = (role: Role): number =>
      mean(modePhases.map((phase) => sumRoles(phase.resources, [role], 'cpuCores'))) -
      mean(basePhases.map((phase) => sumRoles(phase.resources, [role], 'cpuCores')));
    comparisons.push({
      mode: first.mode,
      baseline,
      rate: first.rate,
      ...(depth === undefined ? {} : { depth }),
      repetitions: Math.min(modePhases.length, basePhases.length),
      latencyDeltaUs,
      meshCpuCores: round(meshCpuCores, 4),
      meshMemoryBytes: Math.round(meshMemoryBytes),
      meshCpuPer1kRps: achieved > 0 ? round(meshCpuCores / (achieved / 1000), 4) : null,
      meshMemoryPerProxyBytes: proxies > 0 ? Math.round(meshMemoryBytes / proxies) : null,
      proxies,
      ...controlPlaneCost(modePhases),
      appCpuDeltaCores: round(roleDelta('app'), 4),
      loadgenCpuDeltaCores: round(roleDelta('loadgen'), 4),
      ...comparisonIntervals(modePhases, basePhases, meshCpu, meshMemory),
      ...nodesOf(meshPerNode(pairRounds(modePhases, basePhases).map((round) => round.mode))),
      noiseFloorUs: null,
      validity: comparisonValidity({ mode, baseline, rate, depth }, [...basePhases, ...modePhases]),
    });
  }
  // With an A/A pair at a rate (and depth), its floor is recorded beside every comparison there (see applyNoiseFloor).
  return comparisons.map((comparison) => {
    const aa = comparisons.find((c) => c.mode === AA_MODE && c.rate === comparison.rate && c.depth === comparison.depth);
    return aa ? applyNoiseFloor(comparison, aa) : comparison;
  });
}
