import type { TrendPoint } from '../../analysis/history.ts';
import { chartBundle } from './bundle.ts';
import { modeColors } from './colors.ts';
import { escapeHtml, jsonForScript } from './escape.ts';

/** The series a trend chart draws: one per mode, rate and percentile, x = run order. */
interface TrendSeries {
  label: string;
  mode: string;
  values: (number | null)[];
}

function series(points: readonly TrendPoint[], runs: readonly string[]): TrendSeries[] {
  const keyOf = (point: TrendPoint): string => `${point.mode} @ ${point.rate ?? 'max'} rps`;
  const keys = [...new Set(points.map(keyOf))];
  // Indexed once: searching the points for every run and series took minutes for 10 000 runs.
  const byRunAndKey = new Map<string, TrendPoint>();
  for (const point of points) if (!byRunAndKey.has(`${point.runId}\n${keyOf(point)}`)) byRunAndKey.set(`${point.runId}\n${keyOf(point)}`, point);
  return keys.flatMap((key) =>
    (['p50', 'p99'] as const).map((percentile) => ({
      label: `${key} ${percentile}`,
      mode: key.slice(0, key.lastIndexOf(' @ ')),
      values: runs.map((runId) => {
        const point = byRunAndKey.get(`${runId}\n${key}`);
        const value = point?.[percentile];
        return value === null || value === undefined ? null : value / 1000;
      }),
    })),
  );
}

const SCRIPT = `
const data = JSON.parse(document.getElementById('trend-data').textContent);
const canvas = document.getElementById('chart-trend');
new Chart(canvas, {
  type: 'line',
  data: { labels: data.runs, datasets: data.series.map((s) => ({ label: s.label, data: s.values, spanGaps: true, borderColor: data.colors[s.mode], backgroundColor: data.colors[s.mode], borderDash: s.label.endsWith('p99') ? [6, 4] : [] })) },
  options: {
    animation: false,
    responsive: false,
    scales: { y: { type: 'logarithmic', title: { display: true, text: 'latency (ms, log scale)' } }, x: { title: { display: true, text: 'run (oldest first)' } } },
    plugins: { title: { display: true, text: 'p50 (solid) and p99 (dashed) per mode across runs' } },
  },
});
canvas.setAttribute('data-rendered', 'true');
document.body.setAttribute('data-charts-rendered', '1');
`;

/** `meshtax history --html`: one offline page with the latency trend of every mode across runs. */
export function trendReport(points: readonly TrendPoint[], title: string): string {
  const runs = [...new Set(points.map((point) => point.runId))];
  const rows = points
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.runId)}</td><td>${escapeHtml(p.status)}</td><td>${escapeHtml(p.mode)}</td><td>${p.rate ?? 'max'}</td><td>${p.p50 ?? '—'}</td><td>${p.p99 ?? '—'}</td><td>${p.deltaP50 ?? '—'}</td><td>${p.deltaP99 ?? '—'}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<canvas id="chart-trend" width="1040" height="420" role="img" aria-label="latency trend per mode across runs">latency trend per mode across runs</canvas>
<h2>Runs</h2>
<table><caption>latency in microseconds, pooled over repetitions</caption>
<thead><tr><th scope="col">run</th><th scope="col">status</th><th scope="col">mode</th><th scope="col">rate</th><th scope="col">p50</th><th scope="col">p99</th><th scope="col">Δp50</th><th scope="col">Δp99</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<script type="application/json" id="trend-data">${jsonForScript({ runs, series: series(points, runs), colors: modeColors(points.map((point) => point.mode)) })}</script>
<script>${chartBundle()}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
