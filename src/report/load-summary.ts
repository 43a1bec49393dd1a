import type { PhaseSpec } from '../loadgen/types.ts';
import type { PhaseRecord } from '../results/schema.ts';
import { formatCount, formatRate, formatUs } from '../core/format.ts';
import { validityOf, validityText } from '../analysis/validity.ts';

type Percentiles = PhaseRecord['latencyUs'];

const percentiles = (values: Percentiles): string =>
  `p50 ${formatUs(values.p50)}  p90 ${formatUs(values.p90)}  p99 ${formatUs(values.p99)}  p99.9 ${formatUs(values.p999)}  max ${formatUs(values.max)}`;

const seconds = (ms: number): string => `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;

/** `invalid measurement: …` when load's one phase is invalid (run's `invalid [mode @ rate, rep]` has nothing to name). */
export function loadInvalidLines(record: PhaseRecord): string[] {
  const validity = validityOf(record);
  return validity.valid ? [] : [`invalid measurement: ${validityText(validity)}`];
}

/**
 * What `meshtax load` prints: one block for one ad-hoc measurement (no mode or repetition: there is neither),
 * the settings it ran with, then latency, service time, the generator's own lateness and the failures.
 */
export function loadSummary(spec: PhaseSpec, record: PhaseRecord): string {
  const failed = record.counts.errors + record.counts.timeouts + record.counts.non2xx;
  const rate =
    spec.loop === 'closed'
      ? `closed loop (each connection sends when its previous response arrives): ${formatRate(record.achievedRps)} rps sustained`
      : `${formatRate(spec.rate)} rps requested (${spec.arrival}), ${formatRate(record.achievedRps)} rps achieved`;
  const latencyFrom = spec.loop === 'closed' ? 'from the send' : 'from the intended send time';
  const rows: [string, string][] = [
    ['target', spec.url],
    ['rate', rate],
    ['connections', `${spec.connections} (${spec.workers} worker thread${spec.workers === 1 ? '' : 's'})`],
    ['duration', `${seconds(spec.durationMs)} measured after ${seconds(spec.warmupMs)} of warm-up; timeout ${seconds(spec.timeoutMs)}`],
    ['latency', `${percentiles(record.latencyUs)}  (${latencyFrom})`],
    ['service time', `${percentiles(record.serviceTimeUs)}  (from the write to the connection)`],
    [
      'slip',
      `p50 ${formatUs(record.generator.slipUs.p50)}  p99 ${formatUs(record.generator.slipUs.p99)}  max ${formatUs(record.generator.slipUs.max)}  (the generator's own lateness; it used ${record.generator.cpuCores.toFixed(2)} cores)`,
    ],
    [
      'requests',
      `${formatCount(record.counts.ok)} ok, ${formatCount(failed)} failed` +
        (failed > 0 ? ` (${formatCount(record.counts.non2xx)} non-2xx, ${formatCount(record.counts.errors)} connection errors, ${formatCount(record.counts.timeouts)} timeouts)` : ''),
    ],
  ];
  if (spec.protocol && spec.protocol !== 'http1') rows.splice(1, 0, ['protocol', spec.protocol === 'grpc' ? `gRPC unary calls over HTTP/2 (${record.endpoints?.[0]?.name ?? ''})` : 'HTTP/2', ]);
  if ((record.endpoints?.length ?? 0) > 1) {
    for (const endpoint of record.endpoints!) {
      const { ok, non2xx, errors, timeouts } = endpoint.counts;
      rows.push([`  ${endpoint.name}`, `${percentiles(endpoint.latencyUs)}  (${formatCount(ok)} ok, ${formatCount(non2xx + errors + timeouts)} failed)`]);
    }
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
