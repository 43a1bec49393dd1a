import { formatCores, formatRate, scenarioName } from '../../core/format.ts';
import { DELTA_LABELS, legend, reliabilityMark, shownDelta, type DeltaKey, type ShownDelta } from '../uncertainty.ts';
import { proxyLine } from '../terminal.ts';
import { runLoop } from '../loop.ts';
import { controlPlaneLines } from '../control-plane.ts';
import { SHARED_ROLES_NOTE, sharedRoles } from '../shared-roles.ts';
import { splitComparisons, validityOf, validityText } from '../../analysis/validity.ts';
import type { Comparison, RunDocument } from '../../results/schema.ts';
import { chartBundle } from './bundle.ts';
import { CLIENT_SCRIPT } from './client.ts';
import { DELTA_PERCENTILES, reportData, type ResourceChart } from './data.ts';
import { escapeHtml, jsonForScript } from './escape.ts';
import { chainsHtml, endpointsHtml, outageHtml, perNodeHtml } from './tables.ts';

export { reportData, spectrumPoints } from './data.ts';
export type { DeltaChart, ReportData, ResourceChart, SpectrumChart, SpectrumPoint } from './data.ts';
export { escapeHtml, jsonForScript } from './escape.ts';

const rateText = (rate: number | null): string => (rate === null ? 'closed loop' : `${formatRate(rate)} rps`);

function significanceCell(delta: ShownDelta): string {
  const verdict = delta.significant === true ? 'yes' : delta.significant === false ? 'no' : 'none';
  const text = delta.significant === true ? 'significant' : delta.mark;
  return `<td class="sig-${verdict}">${escapeHtml(text)} <span class="reason">${escapeHtml(delta.reason)}</span></td>`;
}

function comparisonRows(comparison: Comparison): string[] {
  const reliability = reliabilityMark(comparison);
  const head = (rows: number): string =>
    `<th scope="rowgroup" rowspan="${rows}">${escapeHtml(comparison.mode)}<br><span class="reason">${escapeHtml(rateText(comparison.rate))}, ${comparison.repetitions} rounds</span>` +
    `${reliability ? `<br><span class="low-reliability">${escapeHtml(reliability)}</span>` : ''}</th>`;
  const labels: Record<DeltaKey, string> = {
    p50: 'p50 latency', p90: 'p90 latency', p95: 'p95 latency', p99: 'p99 latency', p999: 'p99.9 latency', meshCpuCores: 'mesh CPU', meshMemoryBytes: 'mesh memory',
  };
  const rows = (Object.keys(labels) as DeltaKey[]).map((key) => {
    const delta = shownDelta(comparison, key);
    return `<td>${labels[key]}</td><td class="num">${escapeHtml(delta.value)}</td><td class="num">${escapeHtml(delta.range ?? '—')}</td>${significanceCell(delta)}`;
  });
  return rows.map((row, index) => `<tr>${index === 0 ? head(rows.length) : ''}${row}</tr>`);
}

function deltaTable(comparisons: readonly Comparison[]): string {
  if (comparisons.length === 0) return '<p>No comparisons against baseline in this run.</p>';
  const confidence = comparisons.find((c) => c.intervals.reliability !== 'none')?.intervals.confidence;
  const intervalHeader = confidence === undefined ? 'Interval' : `${Math.round(confidence * 100)}% interval`;
  const method = [...new Set(comparisons.map((c) => c.intervals.method))].join('; ');
  return `<table>
<caption>Each mode minus baseline: latency percentiles of histograms pooled over repetitions; CPU and memory of the mesh roles (sidecar, node-proxy, waypoint), mean over repetitions. Intervals: ${escapeHtml(method)}. ${escapeHtml(legend(comparisons))}.</caption>
<thead><tr><th scope="col">Mode</th><th scope="col">Metric</th><th scope="col">Delta</th><th scope="col">${escapeHtml(intervalHeader)}</th><th scope="col">Verdict</th></tr></thead>
<tbody>
${comparisons.flatMap(comparisonRows).join('\n')}
</tbody>
</table>${controlPlaneList(comparisons)}`;
}

/** Each mode's increase of its control plane over idle, under the delta table (see control-plane.ts). */
function controlPlaneList(comparisons: readonly Comparison[]): string {
  const [head, ...rows] = controlPlaneLines(comparisons);
  if (head === undefined) return '';
  return `\n<p class="reason">${escapeHtml(head)}</p>\n<ul class="control-plane">\n${rows.map((row) => `<li>${escapeHtml(row.trim())}</li>`).join('\n')}\n</ul>`;
}

/**
 * Shown first when any phase is invalid: those phases, and the comparisons left out of the mesh tax because of them.
 * `idPrefix` keeps its heading id apart when one page holds several runs.
 */
export function invalidSection(run: RunDocument, idPrefix = ''): string {
  const comparisons = splitComparisons(run.comparisons, run.phases).invalid.map(
    ({ comparison, validity }) =>
      `<li><strong>${escapeHtml(comparison.mode)}</strong> at ${escapeHtml(rateText(comparison.rate))}: invalid measurement, not mesh tax: ${escapeHtml(validityText(validity))}</li>`,
  );
  const phases = run.phases.flatMap((phase) => {
    const validity = validityOf(phase);
    return validity.valid
      ? []
      : [`<li>[${escapeHtml(phase.mode)} @ ${escapeHtml(rateText(phase.rate))}, rep ${phase.repetition}] ${escapeHtml(validityText(validity))}</li>`];
  });
  if (phases.length === 0 && comparisons.length === 0) return '';
  return `<section aria-labelledby="${idPrefix}h-invalid" class="invalid">
<h2 id="${idPrefix}h-invalid">Invalid measurements</h2>
<p>These phases do not measure the system under test, so the comparisons built on them are left out of the mesh tax below.</p>
<ul>
${[...comparisons, ...phases].join('\n')}
</ul>
</section>`;
}

/** The delta table of the comparisons that are mesh tax; when every one is invalid, a pointer to why. */
export function validDeltaTable(run: RunDocument): string {
  const { valid, invalid } = splitComparisons(run.comparisons, run.phases);
  if (valid.length === 0 && invalid.length > 0) return '<p>No valid comparison against baseline: see Invalid measurements above.</p>';
  return deltaTable(valid);
}

const CARD_KEYS: readonly DeltaKey[] = ['p50', 'p99', 'meshCpuCores', 'meshMemoryBytes'];

/** One figure of a card; the data-* attributes carry run.json's own numbers, so a test can hold the card to them. */
function cardMetric(comparison: Comparison, key: DeltaKey): string {
  const delta = shownDelta(comparison, key);
  const verdict = delta.significant === true ? 'yes' : delta.significant === false ? 'no' : 'none';
  const attributes = [
    `data-key="${key}"`,
    `data-estimate="${delta.estimate ?? ''}"`,
    delta.interval ? `data-low="${delta.interval.low}" data-high="${delta.interval.high}"` : '',
    `data-significant="${verdict}"`,
  ].filter((a) => a !== '').join(' ');
  const mark = delta.mark === '' ? '' : `<span class="mark sig-${verdict}" title="${escapeHtml(delta.reason)}">${escapeHtml(delta.mark)}</span>`;
  return `<div class="metric" ${attributes}><dt>${escapeHtml(DELTA_LABELS[key])}</dt><dd><span class="value">${escapeHtml(delta.value)}</span>${delta.range ? ` <span class="range">${escapeHtml(delta.range)}</span>` : ''}${mark ? ` ${mark}` : ''}</dd></div>`;
}

/** What each mode costs, first thing on the page: Δp50, Δp99, mesh CPU and memory with intervals and marks. */
function summaryCards(run: RunDocument, colors: Readonly<Record<string, string>>): string {
  const { valid, invalid } = splitComparisons(run.comparisons, run.phases);
  if (valid.length + invalid.length === 0) return '';
  const card = (comparison: Comparison, invalidBecause: string | null): string => {
    const reliability = reliabilityMark(comparison);
    return `<article class="card${invalidBecause === null ? '' : ' card-invalid'}" style="border-top-color: ${colors[comparison.mode] ?? '#9ca3af'}" data-mode="${escapeHtml(comparison.mode)}" data-rate="${comparison.rate ?? ''}">
<h3>${escapeHtml(comparison.mode)} <span class="reason">@ ${escapeHtml(rateText(comparison.rate))}, against ${escapeHtml(comparison.baseline)}, ${comparison.repetitions} rounds</span></h3>
${
  // An invalid comparison's deltas describe the generator or a failing target: no figure is shown as its cost.
  invalidBecause === null
    ? `${reliability ? `<p class="low-reliability">${escapeHtml(reliability)}</p>\n` : ''}<dl>\n${CARD_KEYS.map((key) => cardMetric(comparison, key)).join('\n')}\n</dl>`
    : `<p class="invalid-mark">invalid measurement, not mesh tax: ${escapeHtml(invalidBecause)}</p>`
}
</article>`;
  };
  const cards = [...valid.map((c) => card(c, null)), ...invalid.map(({ comparison, validity }) => card(comparison, validityText(validity)))];
  return `<section aria-labelledby="h-summary">
<h2 id="h-summary">What each mode costs</h2>
<p class="reason">Each mode minus ${escapeHtml(run.comparisons[0]?.baseline ?? 'baseline')}; mesh CPU and memory are the mesh's own containers, without the load generator. ${escapeHtml(legend(run.comparisons))}.</p>
<div class="cards">
${cards.join('\n')}
</div>
</section>`;
}

/** Which roles in the charts hold a shared component, shown whole there (see shared-roles.ts). */
function sharedNote(run: RunDocument): string {
  const roles = [...sharedRoles(run.phases)];
  return roles.length === 0 ? '' : `<p class="reason">Shared: ${roles.map(escapeHtml).join(', ')}. ${escapeHtml(SHARED_ROLES_NOTE)}</p>`;
}

/** The load generator's own CPU and memory, apart from the system under test's. */
function loadgenTable(resources: ResourceChart): string {
  if (!resources.loadgen) return '';
  const { cpuCores, memoryMiB } = resources.loadgen;
  const rows = resources.groups.map(
    (group, i) => `<tr><td>${escapeHtml(group.label)}</td><td class="num">${formatCores(cpuCores[i] ?? null)}</td><td class="num">${(memoryMiB[i] ?? 0).toFixed(1)}</td></tr>`,
  );
  return `<table class="loadgen">
<caption>The load generator (not part of the system under test, so not in the charts above): mean over repetitions.</caption>
<thead><tr><th scope="col">Mode</th><th scope="col">CPU (cores)</th><th scope="col">Memory (MiB)</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function problems(run: RunDocument): string {
  const failures = run.failures.map(
    (failure) =>
      `<li><strong>${escapeHtml(failure.mode)}</strong> @ ${escapeHtml(rateText(failure.rate))}, repetition ${failure.repetition}: ${escapeHtml(failure.error)}</li>`,
  );
  const warning = (where: string, w: { code: string; message: string; hint?: string | undefined }): string =>
    `<li>${where}<code>${escapeHtml(w.code)}</code>: ${escapeHtml(w.message)}${w.hint ? `<br><span class="hint">hint: ${escapeHtml(w.hint)}</span>` : ''}</li>`;
  const warnings = [
    ...run.warnings.map((w) => warning('', w)),
    ...run.phases.flatMap((phase) =>
      phase.warnings.map((w) => warning(`[${escapeHtml(phase.mode)} @ ${escapeHtml(rateText(phase.rate))}, rep ${phase.repetition}] `, w)),
    ),
  ];
  return `<section aria-labelledby="h-failures">
<h2 id="h-failures">Failures</h2>
${failures.length === 0 ? '<p>None.</p>' : `<ul class="failures">\n${failures.join('\n')}\n</ul>`}
</section>
<section aria-labelledby="h-warnings">
<h2 id="h-warnings">Warnings</h2>
${warnings.length === 0 ? '<p>None.</p>' : `<ul class="warnings">\n${warnings.join('\n')}\n</ul>`}
</section>`;
}

function canvas(id: string, title: string, fallback: string): string {
  return `<figure class="chart"><div class="chart-box"><canvas id="${id}" role="img" aria-label="${escapeHtml(title)}">${escapeHtml(fallback)}</canvas></div></figure>`;
}

export const STYLE = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #fff; margin: 0 auto; max-width: 1100px; padding: 1.5rem; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1rem; margin-bottom: .25rem; }
.meta { color: #57606a; margin: .15rem 0; }
.status { font-weight: 600; padding: 0 .4rem; border-radius: .3rem; }
.status-completed { background: #dafbe1; } .status-failed, .status-interrupted { background: #ffebe9; } .status-running { background: #fff8c5; }
.chart { margin: 0 0 1rem; } .chart-box { position: relative; height: 360px; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; } caption { text-align: left; color: #57606a; margin-bottom: .4rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; } thead th { background: #f6f8fa; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; } .reason, .hint { color: #57606a; font-size: .85em; }
.sig-yes { font-weight: 600; } .sig-no, .sig-none { color: #57606a; } .low-reliability { color: #9a6700; font-size: .85em; } code { font-size: .9em; }
/* Headings for assistive technology and navigation; the chart draws the same title visibly. */
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.error { background: #ffebe9; padding: .5rem; border-radius: .3rem; }
.invalid { background: #fff8c5; padding: .1rem .75rem; border-radius: .3rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: .75rem; }
.card { border: 1px solid #d0d7de; border-top: 6px solid #9ca3af; border-radius: .4rem; padding: .2rem .75rem .6rem; }
.card h3 { margin: .4rem 0; } .card dl { margin: 0; } .card .metric { display: flex; justify-content: space-between; gap: .5rem; border-top: 1px solid #eaeef2; padding: .2rem 0; }
.card dt { color: #57606a; } .card dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; } .card .value { font-weight: 600; }
.card .range { display: block; color: #57606a; white-space: nowrap; } .card .mark { display: block; font-size: .8em; color: #57606a; }
.card-invalid { background: #fff8c5; } .invalid-mark { color: #9a3412; font-weight: 600; font-size: .9em; margin: .2rem 0; }
.panels { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .5rem; } .panels .chart-box { height: 220px; }
`;

/** Where the spectrum's latencies are measured from, by the run's load loop. */
const LATENCY_FROM = {
  open: 'Latency from the intended send time (corrected for coordinated omission)',
  closed: "Latency from each request's send (closed loop: each connection sends when its previous response arrives)",
  mixed: "Latency from the intended send time at fixed rates (corrected for coordinated omission), from each request's send at max rate (closed loop)",
} as const;

/**
 * run.json as one self-contained HTML page that works offline: the Chart.js bundle and the data are inlined, and
 * the page loads nothing. Pure apart from reading the Chart.js bundle once (cached).
 */
export function htmlReport(run: RunDocument): string {
  const data = reportData(run);
  const name = scenarioName(run);
  const proxy = proxyLine(run);
  const spectrum = data.spectrum.map((chart, index) => ({
    ...chart,
    canvasId: `chart-spectrum-${index}`,
    title: `Latency by percentile at ${rateText(chart.rate)} (pooled over repetitions)`,
  }));
  // One panel per percentile, each on its own scale: on one shared axis the p50 delta was a sliver beside p99.9's.
  const deltas = data.deltas.map((chart, index) => ({
    ...chart,
    title: `Latency delta against ${chart.baseline} at ${rateText(chart.rate)}${chart.confidence === null ? '' : `, ${Math.round(chart.confidence * 100)}% intervals`}`,
    panels: DELTA_PERCENTILES.map((percentile, p) => ({ canvasId: `chart-delta-${index}-${percentile.key}`, index: p, label: percentile.label })),
  }));
  const embedded = { spectrum, deltas, resources: data.resources, colors: data.colors, deltaLabels: DELTA_PERCENTILES.map((d) => d.label) };
  const hasResources = data.resources.groups.length > 0 && data.resources.roles.length > 0;

  const charts = [
    `<section aria-labelledby="h-spectrum">
<h2 id="h-spectrum">Latency spectrum</h2>
<p>${LATENCY_FROM[runLoop(run)]}, each mode's histograms pooled over repetitions; both axes log scale. A curve stops where fewer than 10 samples lie above the percentile.</p>
${spectrum.length === 0 ? '<p>No phases measured.</p>' : spectrum.map((c) => `<h3 class="visually-hidden">${escapeHtml(c.title)}</h3>\n${canvas(c.canvasId, c.title, c.series.map((s) => `${s.mode}: ${s.samples} samples`).join('; '))}`).join('\n')}
</section>`,
    `<section aria-labelledby="h-deltas">
<h2 id="h-deltas">Mesh tax on latency</h2>
${
  deltas.length === 0
    ? '<p>No comparisons against baseline.</p>'
    : deltas
        .map(
          (c) =>
            `<h3>${escapeHtml(c.title)}</h3>\n<p class="reason">Each percentile on its own scale; whiskers: interval; hollow: not significant or no interval.</p>\n<div class="panels">\n${c.panels.map((panel) => canvas(panel.canvasId, `${panel.label} ${c.title}`, `Bars of the ${panel.label} delta per mode; the same values are in the table below.`)).join('\n')}\n</div>`,
        )
        .join('\n')
}
${validDeltaTable(run)}
</section>`,
    `<section aria-labelledby="h-resources">
<h2 id="h-resources">CPU and memory</h2>
${
  hasResources
    ? `<h3 class="visually-hidden">CPU per role and mode</h3>\n${canvas('chart-cpu', 'CPU per role and mode (cores, mean over repetitions)', 'Stacked bars of CPU cores per role for each mode.')}\n<h3 class="visually-hidden">Memory per role and mode</h3>\n${canvas('chart-memory', 'Memory per role and mode (MiB, mean over repetitions)', 'Stacked bars of memory per role for each mode.')}`
    : '<p>No resource usage was recorded.</p>'
}
${sharedNote(run)}
${loadgenTable(data.resources)}
</section>`,
  ];

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(`${run.tool.name} ${run.tool.version}`)}">
<title>${escapeHtml(`meshtax: ${name} (${run.runId})`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>meshtax: ${escapeHtml(name)}</h1>
<p class="meta">run <code>${escapeHtml(run.runId)}</code> · status <span class="status status-${escapeHtml(run.status)}">${escapeHtml(run.status)}</span> · started ${escapeHtml(run.startedAt)}${run.finishedAt ? ` · finished ${escapeHtml(run.finishedAt)}` : ''}</p>
${proxy ? `<p class="meta proxy">${escapeHtml(proxy)}</p>` : ''}
<p class="meta">scenario file <code>${escapeHtml(run.scenarioSource)}</code> · ${escapeHtml(`${run.tool.name} ${run.tool.version}`)} · ${escapeHtml(`${run.environment.cpus.count} × ${run.environment.cpus.model}`)}</p>
${run.error ? `<p class="error" role="alert">run error: ${escapeHtml(run.error)}</p>` : ''}
</header>
<main>
${summaryCards(run, data.colors)}
${invalidSection(run)}
${charts.join('\n')}
${[endpointsHtml(run.phases), chainsHtml(run.chains), perNodeHtml(splitComparisons(run.comparisons, run.phases).valid), outageHtml(run.phases)].filter((part) => part !== '').join('\n')}
${problems(run)}
</main>
<noscript><p>The charts need JavaScript; the tables above hold the same numbers.</p></noscript>
<script type="application/json" id="meshtax-data">${jsonForScript(embedded)}</script>
<script>${chartBundle()}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
