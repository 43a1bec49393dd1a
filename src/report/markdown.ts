import { endpointSection } from './endpoints.ts';
import type { Comparison, PhaseRecord, ResourceRecord, RunDocument, ThresholdResult, Validity } from '../results/schema.ts';
import { CHAIN_HEAD, CHAIN_NOTE, chainRows } from './chains.ts';
import { NODE_HEAD, NODE_NOTE, nodeRows } from './per-node.ts';
import { OUTAGE_HEAD, OUTAGE_NOTE, outagePhases, outageRows, SECOND_HEAD, secondRows } from './outage.ts';
import { formatBytes, formatCores, formatCount, formatDeltaUs, formatRate, formatUs, modeLabel, scenarioName } from '../core/format.ts';
import { proxyLine } from './terminal.ts';
import { controlPlaneLines } from './control-plane.ts';
import { SHARED_ROLES_NOTE, sharedRoles } from './shared-roles.ts';
import { comparisonValidityOf, splitComparisons, validityOf, validityText } from '../analysis/validity.ts';
import { deltaLine, legend, LOW_RELIABILITY, MissingReasons, NO_INTERVAL, NOT_SIGNIFICANT, reliabilityMark, shownDelta, type DeltaKey } from './uncertainty.ts';

/**
 * report.md: GitHub-flavoured Markdown sized for a pull-request comment (GitHub caps comments at 65 536 characters;
 * the report stays under MAX_MARKDOWN_CHARS by shortening the phase table first). Deterministic: the only date it
 * prints is the run's own (finishedAt, else startedAt).
 */
export const MAX_MARKDOWN_CHARS = 60_000;
/** Rows of the phase table tried in turn until the report fits MAX_MARKDOWN_CHARS. */
export const PHASE_ROW_LIMITS = [100, 30, 0] as const;

const DELTA_COLUMNS: readonly ['p50' | 'p90' | 'p99' | 'p999', string][] = [
  ['p50', 'Δp50'],
  ['p90', 'Δp90'],
  ['p99', 'Δp99'],
  ['p999', 'Δp99.9'],
];
/** Text from run.json made safe inside Markdown (and inside a table cell): no raw HTML, no cell breaks, one line. */
export function mdText(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\r?\n|\r/g, ' ')}\``;
}

function rateLabel(rate: number | null): string {
  return rate === null ? 'max rate (closed loop)' : `${formatRate(rate)} rps`;
}

/** "+78 µs [72, 86]" for a significant delta; otherwise the words that say what it is worth. */
function headlinePart(comparison: Comparison, key: 'p50' | 'p99'): string {
  const delta = shownDelta(comparison, key);
  const label = key === 'p50' ? 'p50' : 'p99';
  if (delta.estimate === null) return `no ${label} (${mdText(delta.reason)})`;
  const range = delta.range ? ` ${delta.range}` : '';
  if (delta.significant === true) {
    return delta.estimate >= 0 ? `adds ${delta.value}${range} at ${label}` : `takes ${formatDeltaUs(-delta.estimate).slice(1)}${range} off ${label}`;
  }
  if (delta.significant === false) return `no significant change at ${label} (${delta.value}${range}, ${NOT_SIGNIFICANT})`;
  return `${delta.value} at ${label} (${NO_INTERVAL}: ${mdText(delta.reason)})`;
}

function headline(comparison: Comparison): string {
  const per1k = comparison.meshCpuPer1kRps === null ? '' : ` (${formatCores(comparison.meshCpuPer1kRps)} per 1000 rps)`;
  const at = comparison.rate === null ? 'at max rate (closed loop)' : `at ${formatRate(comparison.rate)} rps`;
  const cpu = shownDelta(comparison, 'meshCpuCores');
  const reliability = reliabilityMark(comparison);
  return (
    `- **${mdText(modeLabel(comparison))}** ${at}: ${headlinePart(comparison, 'p50')}; ${headlinePart(comparison, 'p99')}; ` +
    `using ${deltaLine(cpu)}${per1k} and ${formatBytes(comparison.meshMemoryBytes)}` +
    (comparison.baseline === 'baseline' ? '' : ` (against ${mdText(comparison.baseline)})`) +
    (reliability ? ` — _${reliability}_` : '')
  );
}

/** Per mode, the comparison at the highest requested rate (the closed loop only when a mode has no fixed rate). */
function headlineComparisons(comparisons: readonly Comparison[]): Comparison[] {
  const byMode = new Map<string, Comparison>();
  for (const comparison of comparisons) {
    const current = byMode.get(comparison.mode);
    if (!current || (comparison.rate !== null && (current.rate === null || comparison.rate > current.rate))) {
      byMode.set(comparison.mode, comparison);
    }
  }
  return [...byMode.values()];
}

export function mdTable(head: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const rule = head.map((_, index) => ((align?.[index] ?? 'l') === 'r' ? '---:' : '---'));
  return [head, rule, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

function deltaSection(comparisons: readonly Comparison[]): string {
  const missing = new MissingReasons();
  const cell = (comparison: Comparison, key: DeltaKey): string => {
    const delta = shownDelta(comparison, key);
    const mark = delta.mark ? ` (${delta.mark}${missing.mark(delta)})` : '';
    return `${delta.value}${delta.range ? ` ${delta.range}` : ''}${mark}`;
  };
  const rows = comparisons.map((comparison) => {
    const reliability = reliabilityMark(comparison);
    return [
      mdText(modeLabel(comparison)),
      formatRate(comparison.rate),
      reliability ? `${comparison.repetitions} (${LOW_RELIABILITY})` : String(comparison.repetitions),
      ...DELTA_COLUMNS.map(([key]) => cell(comparison, key)),
      cell(comparison, 'meshCpuCores'),
      formatCores(comparison.meshCpuPer1kRps),
      cell(comparison, 'meshMemoryBytes'),
    ];
  });
  const methods = [...new Set(comparisons.map((c) => c.intervals.method))];
  const lines = [
    '### Deltas against baseline',
    '',
    mdTable(
      ['mode', 'rate', 'rounds', ...DELTA_COLUMNS.map(([, label]) => label), 'mesh CPU', 'CPU/1k rps', 'mesh memory'],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `Latency: pooled histograms, mode minus baseline. ${mdText(legend(comparisons))}. Intervals: ${methods.map(mdText).join('; ')}.`,
  ];
  const plane = controlPlaneLines(comparisons);
  if (plane.length > 0) lines.push('', ...plane.map((line) => `${mdText(line.trim())}  `));
  const notes = missing.notes();
  if (notes.length > 0) lines.push('', ...notes.map((note) => `${mdText(note)}  `));
  return lines.join('\n');
}

const ROLE_ORDER = ['app', 'sidecar', 'node-proxy', 'waypoint', 'loadgen', 'control-plane'] as const;

function sumByRole(resources: readonly ResourceRecord[]): Map<string, { cpu: number; memory: number; count: number }> {
  const sums = new Map<string, { cpu: number; memory: number; count: number }>();
  for (const row of resources) {
    const sum = sums.get(row.role) ?? { cpu: 0, memory: 0, count: 0 };
    sum.cpu += row.cpuCores;
    sum.memory += row.memoryBytes;
    sum.count++;
    sums.set(row.role, sum);
  }
  return sums;
}

/** Mode × rate × role: per phase the sum over that role's containers, then the mean over repetitions. */
function resourceSection(phases: readonly PhaseRecord[]): string | undefined {
  const groups = new Map<string, PhaseRecord[]>();
  for (const phase of phases) {
    const key = `${phase.mode}\u0000${phase.rate ?? ''}\u0000${phase.depth ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), phase]);
  }
  const rows: string[][] = [];
  const shared = sharedRoles(phases);
  for (const group of groups.values()) {
    const perPhase = group.map((phase) => sumByRole(phase.resources));
    for (const role of ROLE_ORDER) {
      const present = perPhase.map((sums) => sums.get(role)).filter((sum) => sum !== undefined);
      if (present.length === 0) continue;
      const cpu = present.reduce((total, sum) => total + sum.cpu, 0) / present.length;
      const memory = present.reduce((total, sum) => total + sum.memory, 0) / present.length;
      const first = group[0]!;
      const label = shared.has(role) ? `${role} (shared)` : role;
      rows.push([mdText(modeLabel(first)), formatRate(first.rate), label, String(present[0]!.count), formatCores(cpu), formatBytes(memory), String(present.length)]);
    }
  }
  if (rows.length === 0) return undefined;
  return [
    '### Resources per role',
    '',
    mdTable(['mode', 'rate', 'role', 'containers', 'CPU (cores)', 'memory', 'reps'], rows, ['l', 'r', 'l', 'r', 'r', 'r', 'r']),
    '',
    'Mean over repetitions of the sum over the role\'s containers.',
    ...(shared.size > 0 ? ['', SHARED_ROLES_NOTE] : []),
  ].join('\n');
}

function formatThresholdValue(value: number | null, unit: ThresholdResult['unit']): string {
  if (value === null) return '—';
  switch (unit) {
    case 'us':
      return value < 0 ? formatDeltaUs(value) : formatUs(value);
    case 'cores':
      return `${formatCores(value)} cores`;
    case 'bytes':
      return formatBytes(value);
    case 'fraction':
      return `${(value * 100).toFixed(2)}%`;
  }
}

const STATUS_MARK: Record<ThresholdResult['status'], string> = { pass: '✅', fail: '❌', 'no-data': '—', invalid: '⚠️' };

function thresholdSection(thresholds: readonly ThresholdResult[]): string | undefined {
  if (thresholds.length === 0) return undefined;
  const failed = thresholds.filter((t) => t.status === 'fail').length;
  const invalid = thresholds.filter((t) => t.status === 'invalid').length;
  const rows = thresholds.map((t) => [
    STATUS_MARK[t.status],
    code(t.metric),
    mdText(t.mode),
    formatRate(t.rate),
    formatThresholdValue(t.value, t.unit),
    formatThresholdValue(t.max, t.unit),
    mdText(t.reason),
  ]);
  return [
    `### Thresholds: ${thresholds.length - failed - invalid} of ${thresholds.length} met${failed > 0 ? `, ${failed} failed` : ''}${invalid > 0 ? `, ${invalid} not judged (invalid measurement)` : ''}`,
    '',
    mdTable(['', 'metric', 'mode', 'rate', 'value', 'max', 'reason'], rows, ['l', 'l', 'l', 'r', 'r', 'r', 'l']),
  ].join('\n');
}

function phaseSection(phases: readonly PhaseRecord[], limit: number): string | undefined {
  if (phases.length === 0) return undefined;
  const shown = phases.slice(0, limit);
  const lines = ['### Phases', ''];
  if (shown.length > 0) {
    const rows = shown.map((phase) => [
      mdText(modeLabel(phase)),
      formatRate(phase.rate),
      String(phase.repetition),
      formatRate(phase.achievedRps),
      formatUs(phase.latencyUs.p50),
      formatUs(phase.latencyUs.p99),
      formatUs(phase.latencyUs.p999),
      formatCount(phase.counts.ok),
      formatCount(phase.counts.non2xx + phase.counts.errors + phase.counts.timeouts),
    ]);
    lines.push(mdTable(['mode', 'rate', 'rep', 'achieved', 'p50', 'p99', 'p99.9', 'ok', 'failed'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']));
  }
  if (phases.length > shown.length) {
    lines.push('', `${formatCount(phases.length - shown.length)} more phases not shown: see phases.csv or run.json.`);
  }
  return lines.join('\n');
}

/** In place of what a mode adds: an invalid comparison's deltas are not mesh tax. */
function invalidHeadline(comparison: Comparison, validity: Validity): string {
  return `- **${mdText(modeLabel(comparison))}** at ${rateLabel(comparison.rate)}: **invalid measurement**, not mesh tax: ${mdText(validityText(validity))}`;
}

function invalidSection(phases: readonly PhaseRecord[]): string | undefined {
  const lines = phases.flatMap((phase) => {
    const validity = validityOf(phase);
    return validity.valid ? [] : [`- **${mdText(modeLabel(phase))}** @ ${rateLabel(phase.rate)}, repetition ${phase.repetition}: ${mdText(validityText(validity))}`];
  });
  if (lines.length === 0) return undefined;
  return ['### Invalid measurements', '', ...lines, '', 'Comparisons built on these phases are left out of the deltas above.'].join('\n');
}

function failureSection(run: RunDocument): string | undefined {
  if (run.failures.length === 0) return undefined;
  return [
    '### Failures',
    '',
    ...run.failures.map((f) => `- **${mdText(modeLabel(f))}** @ ${rateLabel(f.rate)}, repetition ${f.repetition}: ${mdText(f.error)}`),
  ].join('\n');
}

/** Run warnings, then phase warnings deduplicated by code within each mode (counting the phases that raised them). */
function warningSection(run: RunDocument): string | undefined {
  const lines: string[] = [];
  for (const warning of run.warnings) {
    lines.push(`- ${code(warning.code)} ${mdText(warning.message)}${warning.hint ? ` — _hint:_ ${mdText(warning.hint)}` : ''}`);
  }
  const grouped = new Map<string, { mode: string; warning: PhaseRecord['warnings'][number]; phases: number }>();
  for (const phase of run.phases) {
    const seen = new Set<string>();
    for (const warning of phase.warnings) {
      const key = `${phase.mode}\u0000${warning.code}`;
      const entry = grouped.get(key);
      if (!entry) grouped.set(key, { mode: phase.mode, warning, phases: 1 });
      else if (!seen.has(key)) entry.phases++;
      seen.add(key);
    }
  }
  for (const { mode, warning, phases } of grouped.values()) {
    const count = phases > 1 ? ` (${phases} phases)` : '';
    lines.push(
      `- **${mdText(mode)}** ${code(warning.code)}${count}: ${mdText(warning.message)}${warning.hint ? ` — _hint:_ ${mdText(warning.hint)}` : ''}`,
    );
  }
  if (lines.length === 0) return undefined;
  return ['### Warnings', '', ...lines].join('\n');
}

function nodeSection(comparisons: readonly Comparison[]): string | undefined {
  const rows = nodeRows(comparisons);
  if (rows.length === 0) return undefined;
  return ['### Mesh cost per node', '', mdTable(NODE_HEAD, rows.map((row) => row.map(mdText)), ['l', 'r', 'l', 'r', 'r', 'r']), '', mdText(NODE_NOTE)].join('\n');
}

/** The control-plane outage of each phase that had one: the summary, then each phase second by second (folded). */
function outageSection(phases: readonly PhaseRecord[]): string | undefined {
  const outages = outagePhases(phases);
  if (outages.length === 0) return undefined;
  const perSecond = outages.map(({ phase, outage }) =>
    [
      `<details><summary>${mdText(`${phase.mode} @ ${formatRate(phase.rate)} rps, rep ${phase.repetition}`)}: by second</summary>`,
      '',
      mdTable(SECOND_HEAD, secondRows(outage), ['r', 'l', 'r', 'r', 'r', 'r', 'r']),
      '',
      '</details>',
    ].join('\n'),
  );
  return [
    '### Control-plane outage',
    '',
    mdTable(OUTAGE_HEAD, outages.map((o) => outageRows(o).map(mdText)), ['l', 'r', 'r', 'l', 'l', 'l', 'l', 'l', 'l', 'l']),
    '',
    mdText(OUTAGE_NOTE),
    '',
    ...perSecond,
  ].join('\n');
}

function chainSection(chains: NonNullable<RunDocument['chains']>): string | undefined {
  if (chains.length === 0) return undefined;
  return [
    '### Call chain: the tax per depth and per hop',
    '',
    mdTable(CHAIN_HEAD, chainRows(chains).map((row) => row.map(mdText)), ['l', 'r', 'r', 'l', 'l', 'r', 'r', 'l', 'l']),
    '',
    mdText(CHAIN_NOTE),
  ].join('\n');
}

function footer(run: RunDocument): string {
  const when = (run.finishedAt ?? run.startedAt).replace(/:\d\d(\.\d+)?Z$/, 'Z').replace('T', ' ');
  const env = run.environment;
  return `<sub>${mdText(run.tool.name)} ${mdText(run.tool.version)} · ${when} · node ${mdText(env.node)} · ${env.cpus.count} × ${mdText(env.cpus.model)} · ${mdText(env.os.platform)} ${mdText(env.os.arch)}</sub>`;
}

/** The whole report with at most `phaseRows` rows of the phase table. */
export function renderMarkdown(run: RunDocument, phaseRows: number): string {
  const sections: (string | undefined)[] = [];
  const title = [
    `## meshtax: ${mdText(scenarioName(run))} — run ${code(run.runId)} ${run.status}`,
    run.error ? `\n**error:** ${mdText(run.error)}` : '',
  ].join('');
  sections.push(title);
  const proxy = proxyLine(run);
  if (proxy) sections.push(mdText(proxy));
  if (run.comparisons.length > 0) {
    const lines = headlineComparisons(run.comparisons).map((comparison) => {
      const validity = comparisonValidityOf(comparison, run.phases);
      return validity.valid ? headline(comparison) : invalidHeadline(comparison, validity);
    });
    sections.push(['### Mesh tax', '', ...lines].join('\n'));
    const { valid } = splitComparisons(run.comparisons, run.phases);
    if (valid.length > 0) sections.push(deltaSection(valid));
  }
  sections.push(chainSection(run.chains ?? []));
  sections.push(outageSection(run.phases));
  sections.push(endpointSection(run.phases, mdText));
  sections.push(invalidSection(run.phases));
  sections.push(thresholdSection(run.thresholds));
  sections.push(resourceSection(run.phases));
  sections.push(nodeSection(splitComparisons(run.comparisons, run.phases).valid));
  sections.push(phaseSection(run.phases, phaseRows));
  sections.push(failureSection(run));
  sections.push(warningSection(run));
  sections.push(footer(run));
  return `${sections.filter((section) => section !== undefined).join('\n\n')}\n`;
}

/** The run as a pull-request comment; shortens (then drops) the phase table to stay under MAX_MARKDOWN_CHARS. */
export function markdownReport(run: RunDocument): string {
  let text = '';
  for (const limit of PHASE_ROW_LIMITS) {
    text = renderMarkdown(run, limit);
    if (text.length <= MAX_MARKDOWN_CHARS) return text;
  }
  return truncateMarkdown(text);
}

/** The text cut to MAX_MARKDOWN_CHARS with a note that says so. */
export function truncateMarkdown(text: string): string {
  const note = '\n\n_…report truncated to fit a comment: see run.json._\n';
  return text.slice(0, MAX_MARKDOWN_CHARS - note.length) + note;
}
