import { meshCost } from '../analysis/comparisons.ts';
import { validityOf, validityText } from '../analysis/validity.ts';
import type { PhaseRecord, RunDocument } from '../results/schema.ts';

/**
 * phases.csv: RFC 4180 CSV, one row per phase after a header row. Records end in LF, not the RFC's CRLF (every
 * spreadsheet and CSV library reads either, and LF diffs cleanly in git); a field is quoted when it contains a
 * comma, a double quote, CR or LF, with inner quotes doubled. Empty fields are null values (percentiles with too
 * few samples, the closed loop's rate, the depth of a run without a call chain). Units are in the column names: Us
 * microseconds, S seconds, Cores, Bytes. `depth` is the services on the path measured with workload.chain.
 * `valid` is true or false (an invalid phase is not mesh tax), `invalidReasons` says why, empty when valid.
 * meshCpuCores and meshMemoryBytes charge a shared component (ztunnel) only its increase over idle, as the
 * comparisons, report.md and nodes.csv do.
 */

export const PHASE_CSV_COLUMNS = [
  'mode',
  'rate',
  'depth',
  'repetition',
  'loop',
  'connections',
  'startedAt',
  'durationS',
  'achievedRps',
  'ok',
  'non2xx',
  'errors',
  'timeouts',
  'latencyP50Us',
  'latencyP90Us',
  'latencyP95Us',
  'latencyP99Us',
  'latencyP999Us',
  'latencyMaxUs',
  'latencyMeanUs',
  'serviceTimeP50Us',
  'serviceTimeP99Us',
  'generatorCpuCores',
  'slipP99Us',
  'meshCpuCores',
  'meshMemoryBytes',
  'valid',
  'invalidReasons',
] as const;

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Sums of floats rounded to 1e-9 so 0.1 + 0.2 prints as 0.3. */
const tidy = (value: number): number => Math.round(value * 1e9) / 1e9;

// The same figure the comparisons average: summing the rows whole here overstated ambient modes by all of ztunnel.
const meshSum = (phase: PhaseRecord, field: 'cpuCores' | 'memoryBytes'): number => tidy(meshCost(phase, field));

/** One phase as the fields of its row, in PHASE_CSV_COLUMNS order. */
export function phaseRow(phase: PhaseRecord): (string | number | null)[] {
  const latency = phase.latencyUs;
  return [
    phase.mode,
    phase.rate,
    phase.depth ?? null,
    phase.repetition,
    phase.loop,
    phase.connections,
    phase.startedAt,
    phase.durationS,
    phase.achievedRps,
    phase.counts.ok,
    phase.counts.non2xx,
    phase.counts.errors,
    phase.counts.timeouts,
    latency.p50,
    latency.p90,
    latency.p95,
    latency.p99,
    latency.p999,
    latency.max,
    latency.mean,
    phase.serviceTimeUs.p50,
    phase.serviceTimeUs.p99,
    phase.generator.cpuCores,
    phase.generator.slipUs.p99,
    meshSum(phase, 'cpuCores'),
    meshSum(phase, 'memoryBytes'),
    String(validityOf(phase).valid),
    validityText(validityOf(phase)),
  ];
}

export function phasesCsv(run: RunDocument): string {
  const lines = [PHASE_CSV_COLUMNS.join(','), ...run.phases.map((phase) => phaseRow(phase).map(csvField).join(','))];
  return `${lines.join('\n')}\n`;
}
