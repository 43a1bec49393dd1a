import { comparisonValidityOf, validityText } from '../analysis/validity.ts';
import type { Comparison, PhaseRecord, ResourceRecord, RunDocument } from '../results/schema.ts';
import { InputError } from '../core/errors.ts';
import { AA_MODE, MESH_ROLES } from '../core/modes.ts';
import type { MeshRole } from '../core/modes.ts';

/**
 * What `meshtax estimate` takes from run.json files: per mode, one valid comparison against baseline and, from the
 * phases behind it, each mesh role's proxy count, CPU and memory under load and at idle. Invalid comparisons are
 * never used as a cost: their deltas describe the generator or a failing target, not the mesh.
 */
export type Bounds = { low: number; high: number } | null;

export type RoleFigures = {
  role: MeshRole;
  /** Proxies of this role on the measured request path (count). */
  proxies: number;
  /** Sum over the role's proxies, mean over repetitions, cores / bytes. */
  cpuCores: number;
  memoryBytes: number;
  /** The same before load; null when the run did not measure an idle level for every proxy of the role. */
  idleCpuCores: number | null;
  idleMemoryBytes: number | null;
  /**
   * The part of that idle level the comparison's mesh CPU and memory still contain: a component shared with other
   * workloads (ztunnel, a control plane) is already charged only its increase over idle, so its idle is not in them.
   */
  idleChargedCpuCores: number | null;
  idleChargedMemoryBytes: number | null;
};

export type Measured = {
  mode: string;
  baseline: string;
  file: string;
  runId: string;
  startedAt: string;
  rate: number | null;
  /** Requests per second the mode's phases achieved, mean over repetitions. */
  achievedRps: number;
  repetitions: number;
  confidence: number;
  reliability: Comparison['intervals']['reliability'];
  intervalMethod: string;
  /** All mesh roles together, as the comparison records them (cores, bytes), with their intervals. */
  meshCpuCores: number;
  meshCpuInterval: Bounds;
  meshMemoryBytes: number;
  meshMemoryInterval: Bounds;
  meshCpuPer1kRps: number | null;
  roles: RoleFigures[];
  latencyDeltaUs: { p50: number | null; p99: number | null };
  latencyIntervalUs: { p50: Bounds; p99: Bounds };
};

export type Unused = { mode: string; rate: number | null; file: string; reason: string };

export class EstimateInputError extends InputError {}

export type RunSource = { file: string; run: RunDocument };

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

function roleFigures(phases: readonly PhaseRecord[]): RoleFigures[] {
  return (MESH_ROLES as readonly MeshRole[]).flatMap((role) => {
    const rows = phases.map((phase) => phase.resources.filter((row) => row.role === role));
    const proxies = rows[0]?.length ?? 0;
    if (proxies === 0) return [];
    const sum = (field: 'cpuCores' | 'memoryBytes') => mean(rows.map((list) => list.reduce((t, row) => t + row[field], 0)));
    const idle = (field: 'idleCpuCores' | 'idleMemoryBytes', charged: (row: ResourceRecord) => boolean) =>
      rows.every((list) => list.every((row) => row[field] !== null))
        ? mean(rows.map((list) => list.reduce((t, row) => t + (charged(row) ? row[field]! : 0), 0)))
        : null;
    const all = () => true;
    const unshared = (row: ResourceRecord) => row.shared !== true;
    return [
      {
        role,
        proxies,
        cpuCores: sum('cpuCores'),
        memoryBytes: sum('memoryBytes'),
        idleCpuCores: idle('idleCpuCores', all),
        idleMemoryBytes: idle('idleMemoryBytes', all),
        idleChargedCpuCores: idle('idleCpuCores', unshared),
        idleChargedMemoryBytes: idle('idleMemoryBytes', unshared),
      },
    ];
  });
}

function measured({ file, run }: RunSource, comparison: Comparison): Measured {
  const phases = run.phases.filter((phase) => phase.mode === comparison.mode && phase.rate === comparison.rate);
  return {
    mode: comparison.mode,
    baseline: comparison.baseline,
    file,
    runId: run.runId,
    startedAt: run.startedAt,
    rate: comparison.rate,
    achievedRps: phases.length > 0 ? mean(phases.map((phase) => phase.achievedRps)) : 0,
    repetitions: comparison.repetitions,
    confidence: comparison.intervals.confidence,
    reliability: comparison.intervals.reliability,
    intervalMethod: comparison.intervals.method,
    meshCpuCores: comparison.meshCpuCores,
    meshCpuInterval: comparison.intervals.meshCpuCores,
    meshMemoryBytes: comparison.meshMemoryBytes,
    meshMemoryInterval: comparison.intervals.meshMemoryBytes,
    meshCpuPer1kRps: comparison.meshCpuPer1kRps,
    roles: roleFigures(phases),
    latencyDeltaUs: { p50: comparison.latencyDeltaUs.p50, p99: comparison.latencyDeltaUs.p99 },
    latencyIntervalUs: { p50: comparison.intervals.latencyDeltaUs.p50, p99: comparison.intervals.latencyDeltaUs.p99 },
  };
}

const rateText = (rate: number | null): string => (rate === null ? 'the closed loop' : `${rate} rps`);

/**
 * Ranks measurements of one mode: the highest open-loop rate first (the per-request part rests on the most traffic
 * there, idle weighs least), closed-loop last (it measures saturation, not a rate), then the newest run.
 */
function better(a: Measured, b: Measured): number {
  const rank = (m: Measured) => (m.rate === null ? -1 : m.rate);
  return rank(b) - rank(a) || b.startedAt.localeCompare(a.startedAt);
}

/**
 * Picks one valid comparison per mode from the runs (`modes` and `rate` narrow the choice). Throws
 * EstimateInputError (exit 2) for a run without comparisons, a mode or rate asked for that no run has, or a mode
 * asked for whose every comparison is invalid.
 */
export function selectMeasurements(sources: readonly RunSource[], options: { modes?: readonly string[]; rate?: number }): { measured: Measured[]; unused: Unused[] } {
  for (const { file, run } of sources) {
    if (run.comparisons.length === 0) {
      throw new EstimateInputError(
        `${file} has no comparisons: estimate needs a run that measured baseline and at least one mesh mode (modes: [baseline, sidecar, …])`,
      );
    }
  }
  const all = sources.flatMap((source) => source.run.comparisons.filter((c) => c.mode !== AA_MODE).map((comparison) => ({ source, comparison })));
  const available = [...new Set(all.map(({ comparison }) => comparison.mode))];
  const wanted = options.modes && options.modes.length > 0 ? options.modes : available;
  for (const mode of wanted) {
    if (mode === AA_MODE) {
      throw new EstimateInputError(`${AA_MODE} is the A/A measurement of the noise (baseline against itself), not a mesh mode; it costs nothing to estimate`);
    }
    if (!available.includes(mode)) {
      throw new EstimateInputError(`no run given measured mode ${mode}; the runs have: ${available.join(', ') || 'none'}`);
    }
  }
  const unused: Unused[] = [];
  const chosen: Measured[] = [];
  for (const mode of wanted) {
    let candidates = all.filter(({ comparison }) => comparison.mode === mode);
    if (options.rate !== undefined) {
      const rates = candidates.map(({ comparison }) => rateText(comparison.rate));
      candidates = candidates.filter(({ comparison }) => comparison.rate === options.rate);
      if (candidates.length === 0) throw new EstimateInputError(`mode ${mode} was not measured at ${options.rate} rps; it was at ${[...new Set(rates)].join(', ')}`);
    }
    const usable: Measured[] = [];
    for (const { source, comparison } of candidates) {
      const validity = comparisonValidityOf(comparison, source.run.phases);
      const where = { mode, rate: comparison.rate, file: source.file };
      if (!validity.valid) unused.push({ ...where, reason: `invalid measurement, not mesh tax: ${validityText(validity)}` });
      else if (comparison.proxies === 0) unused.push({ ...where, reason: 'no mesh proxy (sidecar, node proxy or waypoint) was measured in this mode' });
      else usable.push(measured(source, comparison));
    }
    const [best] = usable.sort(better);
    if (best) chosen.push(best);
    else if (options.modes?.includes(mode)) {
      const reasons = unused.filter((u) => u.mode === mode).map((u) => `${rateText(u.rate)} in ${u.file}: ${u.reason}`);
      throw new EstimateInputError(`mode ${mode} has no comparison estimate can use as a cost (${reasons.join('; ')}); measure it again`);
    }
  }
  if (chosen.length === 0) {
    const reasons = unused.map((u) => `${u.mode} at ${rateText(u.rate)} in ${u.file}: ${u.reason}`);
    throw new EstimateInputError(`no comparison in the runs given can be used as a cost (${reasons.join('; ')})`);
  }
  return { measured: chosen, unused };
}
