import type { TrendPoint } from '../../analysis/history.ts';
import { formatCores, formatCount } from '../../core/format.ts';
import { chartBundle } from './bundle.ts';
import { modeColors } from './colors.ts';
import { escapeHtml, jsonForScript } from './escape.ts';

/** The runs of one scenario with one set of settings that change the numbers: the only runs one trend may join. */
export interface TrendGroup {
  scenario: string;
  fingerprint: string;
  settings: string;
  points: TrendPoint[];
}

/** Points grouped by scenario name and settings fingerprint, groups in order of first appearance; one pass. */
export function trendGroups(points: readonly TrendPoint[]): TrendGroup[] {
  const groups = new Map<string, TrendGroup>();
  for (const point of points) {
    const key = `${point.scenario}\n${point.fingerprint}`;
    let group = groups.get(key);
    if (!group) {
      group = { scenario: point.scenario, fingerprint: point.fingerprint, settings: point.settings, points: [] };
      groups.set(key, group);
    }
    group.points.push(point);
  }
  return [...groups.values()];
}

/** The tax a trend chart follows: what each mode adds over its own run's baseline. */
const METRICS = [
  { key: 'deltaP50', title: 'Δp50', unit: 'µs' },
  { key: 'deltaP99', title: 'Δp99', unit: 'µs' },
  { key: 'meshCpuCores', title: 'mesh CPU', unit: 'cores' },
] as const;

const DASHES = ['solid', 'dashed', 'dotted', 'dash-dot'];

/** One line of a chart: a mode at a rate, its points at the runs' start times (ms since the epoch). */
interface TrendLine {
  mode: string;
  rate: number | null;
  label: string;
  /** Line style: the rate's place among the group's rates (solid, dashed, dotted, dash-dot), as the legend says. */
  dash: number;
  points: { x: number; y: number; runId: string }[];
}

/** The group's rates, in the order its legend and its charts' line styles use. */
const ratesOf = (points: readonly TrendPoint[]): (number | null)[] => [...new Set(points.map((p) => p.rate))];

function lines(points: readonly TrendPoint[], metric: (typeof METRICS)[number]['key']): TrendLine[] {
  const rates = ratesOf(points);
  const byKey = new Map<string, TrendLine>();
  for (const point of points) {
    const value = point[metric];
    if (value === null) continue;
    const label = `${point.mode} @ ${point.rate === null ? 'max' : formatCount(point.rate)} rps`;
    let line = byKey.get(label);
    if (!line) {
      line = { mode: point.mode, rate: point.rate, label, dash: rates.indexOf(point.rate) % DASHES.length, points: [] };
      byKey.set(label, line);
    }
    line.points.push({ x: Date.parse(point.startedAt), y: value, runId: point.runId });
  }
  return [...byKey.values()];
}

const SCRIPT = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('trend-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function when(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
  }
  // Three significant digits at most and thousands separators: "1,250", "0.12", never "300.00".
  function number(v) { return Number(Number(v).toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 6 }); }
  var HOUR = 3600 * 1000;
  var DAY = 24 * HOUR;
  // Ticks on whole UTC days (or hours, for runs within two days): the linear scale steps from multiples of its step.
  function timeAxis(chart) {
    var xs = [];
    chart.lines.forEach(function (line) { line.points.forEach(function (p) { xs.push(p.x); }); });
    var min = Math.min.apply(null, xs);
    var max = Math.max.apply(null, xs);
    var unit = max - min >= 2 * DAY ? DAY : HOUR;
    var step = Math.max(1, Math.ceil((max - min) / 5 / unit)) * unit;
    var from = Math.floor(min / step) * step;
    // A whole number of steps, or Chart.js stretches the step to fit and ticks land at 19:36.
    return {
      type: 'linear',
      min: from,
      max: from + Math.max(1, Math.ceil((max - from) / step)) * step,
      ticks: { stepSize: step, maxRotation: 0, callback: function (v) { return unit === DAY ? when(v).slice(0, 10) : when(v).slice(5); } },
      title: { display: true, text: 'run started (UTC)' },
    };
  }
  var rendered = 0;
  data.charts.forEach(function (chart) {
    var canvas = document.getElementById(chart.canvasId);
    new Chart(canvas, {
      type: 'line',
      data: {
        datasets: chart.lines.map(function (line) {
          var colour = data.colors[line.mode];
          return {
            label: line.label,
            data: line.points,
            borderColor: colour,
            backgroundColor: colour,
            borderDash: [[], [6, 4], [2, 3], [10, 3, 2, 3]][line.dash],
            pointRadius: line.points.length > 200 ? 0 : 3,
            spanGaps: true,
          };
        }),
      },
      options: {
        parsing: false,
        scales: {
          x: timeAxis(chart),
          y: { ticks: { callback: function (v) { return number(v); } }, title: { display: true, text: chart.title + ' (' + chart.unit + ')' } },
        },
        plugins: {
          title: { display: true, text: chart.title + ' per mode across runs' },
          // One legend per group, above its charts (the page's HTML): three copies took half of every chart.
          legend: { display: false },
          tooltip: { callbacks: {
            title: function (items) { return items.length ? items[0].raw.runId + ' · ' + when(items[0].raw.x) : ''; },
            label: function (item) { return item.dataset.label + ': ' + number(item.raw.y) + ' ' + chart.unit; },
          } },
        },
      },
    });
    canvas.setAttribute('data-rendered', 'true');
    rendered++;
  });
  document.body.setAttribute('data-charts-rendered', String(rendered));
})();
`;

/** The group's modes in their colours and its rates in their line styles (the same order the page's script uses). */
function legendOf(points: readonly TrendPoint[], colors: Readonly<Record<string, string>>): string {
  const taxed = points.filter((p) => p.deltaP50 !== null || p.deltaP99 !== null || p.meshCpuCores !== null);
  if (taxed.length === 0) return '';
  const modes = [...new Set(taxed.map((p) => p.mode))];
  const rates = ratesOf(points);
  const swatch = (mode: string): string => `<span class="swatch" style="background:${colors[mode] ?? '#9ca3af'}"></span>${escapeHtml(mode)}`;
  const style = rates.length > 1 ? ` · ${rates.map((rate, i) => `${DASHES[i % DASHES.length]}: ${rate === null ? 'max' : formatCount(rate)} rps`).join(', ')}` : '';
  return `<p class="legend">${modes.map(swatch).join(' ')}${style}</p>`;
}

const signed = (value: number | null): string => (value === null ? '—' : `${value > 0 ? '+' : ''}${formatCount(Math.round(value))}`);
const plain = (value: number | null): string => (value === null ? '—' : formatCount(Math.round(value)));

function groupTable(points: readonly TrendPoint[]): string {
  const rows = points.map(
    (p) =>
      `<tr><td>${escapeHtml(p.runId)}</td><td>${escapeHtml(p.startedAt.slice(0, 16).replace('T', ' '))}</td><td>${escapeHtml(p.status)}</td><td>${escapeHtml(p.mode)}</td><td>${p.rate === null ? 'max' : formatCount(p.rate)}</td><td>${plain(p.p50)}</td><td>${plain(p.p99)}</td><td>${signed(p.deltaP50)}</td><td>${signed(p.deltaP99)}</td><td>${p.meshCpuCores === null ? '—' : formatCores(p.meshCpuCores)}</td></tr>`,
  );
  return `<table><caption>latency in microseconds, pooled over repetitions; Δ against the run's own baseline; mesh CPU in cores</caption>
<thead><tr><th scope="col">run</th><th scope="col">started (UTC)</th><th scope="col">status</th><th scope="col">mode</th><th scope="col">rate (rps)</th><th scope="col">p50</th><th scope="col">p99</th><th scope="col">Δp50</th><th scope="col">Δp99</th><th scope="col">mesh CPU</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`;
}

/**
 * `meshtax history --html`: one offline page, a section per scenario and settings fingerprint (runs of different
 * experiments are never joined), each with the mesh tax per mode (Δp50, Δp99, mesh CPU) on a time axis.
 */
export function trendReport(points: readonly TrendPoint[], title: string): string {
  const groups = trendGroups(points);
  // A metric no run of the group has (baseline-only runs have no tax) gets no empty chart.
  const charts = groups.flatMap((group, g) =>
    METRICS.map((metric) => ({ canvasId: `chart-trend-${g}-${metric.key}`, title: metric.title, unit: metric.unit, lines: lines(group.points, metric.key) })).filter(
      (chart) => chart.lines.length > 0,
    ),
  );
  const drawn = new Set(charts.map((chart) => chart.canvasId));
  const colors = modeColors(points.map((point) => point.mode));
  const runsIn = (group: TrendGroup): number => new Set(group.points.map((p) => p.runId)).size;
  const sections = groups.map(
    (group, g) => `<section aria-labelledby="h-group-${g}">
<h2 id="h-group-${g}">${escapeHtml(group.scenario)} <code>${escapeHtml(group.fingerprint)}</code></h2>
<p class="meta">${escapeHtml(group.settings)} · ${formatCount(runsIn(group))} run(s)</p>
${legendOf(group.points, colors)}
${
  METRICS.some((metric) => drawn.has(`chart-trend-${g}-${metric.key}`))
    ? `<div class="charts">\n${METRICS.filter((metric) => drawn.has(`chart-trend-${g}-${metric.key}`))
        .map((metric) => `<div class="chart-box"><canvas id="chart-trend-${g}-${metric.key}" role="img" aria-label="${escapeHtml(`${metric.title} per mode across runs of ${group.scenario}`)}">${escapeHtml(`${metric.title} per mode across runs; the same values are in the table below.`)}</canvas></div>`)
        .join('\n')}\n</div>`
    : '<p>No mode was compared with a baseline in these runs: no mesh tax to plot.</p>'
}
${groupTable(group.points)}
</section>`,
  );
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem}table{border-collapse:collapse;font-variant-numeric:tabular-nums}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}caption{text-align:left;color:#57606a}.meta{color:#57606a}.charts{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:.5rem}.chart-box{position:relative;height:280px}.legend{margin:.25rem 0}.swatch{display:inline-block;width:.9em;height:.9em;border-radius:.2em;margin:0 .3em 0 .8em;vertical-align:-.1em}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Runs are joined only within one scenario and one set of the settings that change the numbers (runtime, proxy, mTLS, modes, rates, connections, payload …); the code after a name identifies those settings.</p>
${sections.join('\n')}
<script type="application/json" id="trend-data">${jsonForScript({ charts, colors })}</script>
<script>${chartBundle()}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
