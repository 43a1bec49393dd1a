import Table from 'cli-table3';
import { endpointRows, type EndpointKey, type EndpointRow } from '../analysis/endpoints.ts';
import type { PhaseRecord } from '../results/schema.ts';
import { formatCount, formatDeltaUs, formatRate, formatUs } from './format.ts';
import { MissingReasons, NO_INTERVAL, NOT_SIGNIFICANT, usBound, type ShownDelta } from './uncertainty.ts';

/**
 * The request mix per endpoint, in the terminal and report.md: each endpoint's pooled percentiles per mode and
 * rate, and its deltas against the baseline's same endpoint with their intervals and marks, as the totals show them.
 */

const HEAD = ['mode', 'rate', 'endpoint', 'requests', 'failed', 'p50', 'p90', 'p99', 'Δp50', 'Δp99'];

/** A per-endpoint delta in the shape the reports' marks and footnotes take. */
function shown(row: EndpointRow, key: EndpointKey): ShownDelta | undefined {
  const delta = row.delta?.[key];
  if (!delta) return undefined;
  const { significant, reason } = delta.judgement;
  return {
    key,
    estimate: delta.us,
    interval: delta.interval,
    significant,
    reason,
    value: formatDeltaUs(delta.us),
    range: delta.interval ? `[${usBound(delta.interval.low, delta.us ?? 0)}, ${usBound(delta.interval.high, delta.us ?? 0)}]` : null,
    mark: significant === false ? NOT_SIGNIFICANT : significant === null ? NO_INTERVAL : '',
  };
}

function cells(rows: readonly EndpointRow[], delta: (row: EndpointRow, key: EndpointKey) => string): string[][] {
  return rows.map((row) => [
    row.mode,
    formatRate(row.rate),
    row.endpoint,
    formatCount(row.requests),
    formatCount(row.failed),
    formatUs(row.latencyUs.p50),
    formatUs(row.latencyUs.p90),
    formatUs(row.latencyUs.p99),
    delta(row, 'p50'),
    delta(row, 'p99'),
  ]);
}

const NOTE = 'per endpoint: histograms pooled over repetitions; Δ against the same endpoint of baseline at the same rate, with its interval over rounds';

/** The terminal's per-endpoint table, or undefined when the run has no request mix. */
export function endpointTable(phases: readonly PhaseRecord[]): string | undefined {
  const rows = endpointRows(phases);
  if (rows.length === 0) return undefined;
  const missing = new MissingReasons();
  const delta = (row: EndpointRow, key: EndpointKey): string => {
    const d = shown(row, key);
    if (!d) return '—';
    return [d.value, d.range, d.mark && `${d.mark}${missing.mark(d)}`].filter(Boolean).join('\n');
  };
  const table = new Table({
    head: HEAD,
    style: { head: [], border: [] },
    colAligns: ['left', 'right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const row of cells(rows, delta)) table.push(row);
  return [NOTE, table.toString(), ...missing.notes()].join('\n');
}

/** report.md's per-endpoint section, or undefined when the run has no request mix. */
export function endpointSection(phases: readonly PhaseRecord[], text: (value: string) => string): string | undefined {
  const rows = endpointRows(phases);
  if (rows.length === 0) return undefined;
  const missing = new MissingReasons();
  const delta = (row: EndpointRow, key: EndpointKey): string => {
    const d = shown(row, key);
    if (!d) return '—';
    return `${d.value}${d.range ? ` ${d.range}` : ''}${d.mark ? ` (${d.mark}${missing.mark(d)})` : ''}`;
  };
  const body = cells(rows, delta).map((row) => row.map(text));
  const rule = HEAD.map((_, i) => (i >= 3 ? '---:' : '---'));
  const lines = ['### Per endpoint', '', ...[HEAD, rule, ...body].map((row) => `| ${row.join(' | ')} |`), '', `${text(NOTE[0]!.toUpperCase() + NOTE.slice(1))}.`];
  const notes = missing.notes();
  if (notes.length > 0) lines.push('', ...notes.map((note) => `${text(note)}  `));
  return lines.join('\n');
}
