import Table from 'cli-table3';
import { endpointRows, type EndpointKey, type EndpointRow } from '../analysis/endpoints.ts';
import type { PhaseRecord } from '../results/schema.ts';
import { formatCount, formatDeltaUs, formatRate, formatUs } from '../core/format.ts';
import { MissingReasons, NO_INTERVAL, NOT_SIGNIFICANT, usBound, type ShownDelta } from './uncertainty.ts';

/**
 * The request mix per endpoint, in the terminal, report.md and report.html: each endpoint's pooled percentiles per mode and
 * rate, and its deltas against the baseline's same endpoint with their intervals and marks, as the totals show them.
 */

export const ENDPOINT_HEAD = ['mode', 'rate', 'endpoint', 'requests', 'failed', 'p50', 'p90', 'p99', 'Δp50', 'Δp99'];

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

export const ENDPOINT_NOTE = 'per endpoint: histograms pooled over repetitions; Δ against the same endpoint of baseline at the same rate, with its interval over rounds';

/**
 * The rows of the request mix with each delta written by `format` (given the delta and its footnote mark), and the
 * footnotes those marks point to; undefined when the run has no request mix.
 */
export function formattedEndpoints(phases: readonly PhaseRecord[], format: (delta: ShownDelta, footnote: string) => string): { rows: string[][]; notes: string[] } | undefined {
  const rows = endpointRows(phases);
  if (rows.length === 0) return undefined;
  const missing = new MissingReasons();
  const delta = (row: EndpointRow, key: EndpointKey): string => {
    const d = shown(row, key);
    return d ? format(d, missing.mark(d)) : '—';
  };
  const cellRows = cells(rows, delta);
  return { rows: cellRows, notes: missing.notes() };
}

/** The terminal's per-endpoint table, or undefined when the run has no request mix. */
export function endpointTable(phases: readonly PhaseRecord[]): string | undefined {
  const shownRows = formattedEndpoints(phases, (d, footnote) => [d.value, d.range, d.mark && `${d.mark}${footnote}`].filter(Boolean).join('\n'));
  if (!shownRows) return undefined;
  const table = new Table({
    head: ENDPOINT_HEAD,
    style: { head: [], border: [] },
    colAligns: ['left', 'right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const row of shownRows.rows) table.push(row);
  return [ENDPOINT_NOTE, table.toString(), ...shownRows.notes].join('\n');
}

/** report.md's per-endpoint section, or undefined when the run has no request mix. */
export function endpointSection(phases: readonly PhaseRecord[], text: (value: string) => string): string | undefined {
  const shownRows = formattedEndpoints(phases, (d, footnote) => `${d.value}${d.range ? ` ${d.range}` : ''}${d.mark ? ` (${d.mark}${footnote})` : ''}`);
  if (!shownRows) return undefined;
  const body = shownRows.rows.map((row) => row.map(text));
  const rule = ENDPOINT_HEAD.map((_, i) => (i >= 3 ? '---:' : '---'));
  const lines = ['### Per endpoint', '', ...[ENDPOINT_HEAD, rule, ...body].map((row) => `| ${row.join(' | ')} |`), '', `${text(ENDPOINT_NOTE[0]!.toUpperCase() + ENDPOINT_NOTE.slice(1))}.`];
  if (shownRows.notes.length > 0) lines.push('', ...shownRows.notes.map((note) => `${text(note)}  `));
  return lines.join('\n');
}
