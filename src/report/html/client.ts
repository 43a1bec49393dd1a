/**
 * The page's own script (plain ES2020, run in the browser after the Chart.js bundle): reads the embedded JSON and
 * draws every chart into its canvas. Each canvas gets data-rendered="true" once drawn, and <body> gets
 * data-charts-rendered with the count, so a test (or a person) can tell the charts rendered. Error bars are a small
 * inline Chart.js plugin: Chart.js has none of its own.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('meshtax-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.color = '#1f2328';
  Chart.defaults.maintainAspectRatio = false;

  var MODE_COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2'];
  var ROLE_COLORS = { app: '#64748b', sidecar: '#dc2626', 'node-proxy': '#d97706', waypoint: '#7c3aed', loadgen: '#0891b2', 'control-plane': '#059669' };
  var modeColors = {};
  var nextColor = 0;
  function modeColor(mode) {
    if (mode === 'baseline') return '#4b5563';
    if (!modeColors[mode]) modeColors[mode] = MODE_COLORS[nextColor++ % MODE_COLORS.length];
    return modeColors[mode];
  }
  function isDecade(v) {
    var l = Math.log10(v);
    return Math.abs(l - Math.round(l)) < 1e-6;
  }
  function percentileLabel(x) {
    return 'p' + String(Math.round(100 * (1 - 1 / x) * 100) / 100);
  }
  function ms(v) {
    if (v === null || v === undefined) return 'n/a';
    var a = Math.abs(v);
    return (a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3)) + ' ms';
  }
  var rendered = 0;
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, config);
    canvas.setAttribute('data-rendered', 'true');
    rendered++;
  }

  data.spectrum.forEach(function (chart) {
    draw(chart.canvasId, {
      type: 'line',
      data: {
        datasets: chart.series.map(function (series) {
          return {
            label: series.mode,
            data: series.points.map(function (point) { return { x: point.x, y: point.ms, p: point.p }; }),
            borderColor: modeColor(series.mode),
            backgroundColor: modeColor(series.mode),
            borderWidth: 2,
            pointRadius: 0,
            pointHitRadius: 6,
          };
        }),
      },
      options: {
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: {
            type: 'logarithmic',
            min: 1,
            max: 10000,
            title: { display: true, text: 'percentile (axis: 1 / (1 − p), log scale)' },
            ticks: { autoSkip: false, maxRotation: 0, callback: function (v) { return isDecade(v) ? percentileLabel(v) : ''; } },
          },
          y: {
            type: 'logarithmic',
            title: { display: true, text: 'latency (ms, log scale)' },
          },
        },
        plugins: {
          title: { display: true, text: chart.title },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? 'p' + items[0].raw.p : ''; },
              label: function (item) { return item.dataset.label + ': ' + ms(item.raw.y); },
            },
          },
        },
      },
    });
  });

  data.deltas.forEach(function (chart) {
    var values = [0];
    chart.series.forEach(function (series) {
      series.valuesMs.forEach(function (v) { if (v !== null) values.push(v); });
      series.intervalsMs.forEach(function (i) { if (i) { values.push(i.low); values.push(i.high); } });
    });
    var errorBars = {
      id: 'meshtaxErrorBars',
      afterDatasetsDraw: function (c) {
        var ctx = c.ctx;
        var y = c.scales.y;
        ctx.save();
        ctx.strokeStyle = '#111827';
        ctx.lineWidth = 1.5;
        chart.series.forEach(function (series, di) {
          if (!c.isDatasetVisible(di)) return;
          var meta = c.getDatasetMeta(di);
          series.intervalsMs.forEach(function (interval, j) {
            var bar = meta.data[j];
            if (!interval || !bar) return;
            var top = y.getPixelForValue(interval.high);
            var bottom = y.getPixelForValue(interval.low);
            var w = Math.max(3, Math.min(8, (bar.width || 12) / 4));
            ctx.beginPath();
            ctx.moveTo(bar.x, top); ctx.lineTo(bar.x, bottom);
            ctx.moveTo(bar.x - w, top); ctx.lineTo(bar.x + w, top);
            ctx.moveTo(bar.x - w, bottom); ctx.lineTo(bar.x + w, bottom);
            ctx.stroke();
          });
        });
        ctx.restore();
      },
    };
    draw(chart.canvasId, {
      type: 'bar',
      data: {
        labels: data.deltaLabels,
        datasets: chart.series.map(function (series) {
          // A delta that is not significant, or has no interval, is drawn hollow: outline only.
          return {
            label: series.mode,
            data: series.valuesMs,
            backgroundColor: series.marks.map(function (mark) { return mark ? 'transparent' : modeColor(series.mode); }),
            borderColor: modeColor(series.mode),
            borderWidth: 2,
          };
        }),
      },
      options: {
        scales: {
          y: {
            suggestedMin: Math.min.apply(null, values),
            suggestedMax: Math.max.apply(null, values),
            grace: '8%',
            title: { display: true, text: 'latency − ' + chart.baseline + ' (ms)' },
          },
        },
        plugins: {
          title: { display: true, text: chart.title },
          tooltip: {
            callbacks: {
              label: function (item) {
                var series = chart.series[item.datasetIndex];
                var interval = series.intervalsMs[item.dataIndex];
                var mark = series.marks[item.dataIndex];
                return item.dataset.label + ': ' + ms(item.raw) + (interval ? ' [' + ms(interval.low) + ', ' + ms(interval.high) + ']' : '') + (mark ? ' (' + mark + ')' : '');
              },
            },
          },
        },
      },
      plugins: [errorBars],
    });
  });

  [
    { id: 'chart-cpu', field: 'cpuCores', title: 'CPU per role and mode (cores, mean over repetitions)', axis: 'cores' },
    { id: 'chart-memory', field: 'memoryMiB', title: 'Memory per role and mode (MiB, mean over repetitions)', axis: 'MiB' },
  ].forEach(function (spec) {
    if (data.resources.groups.length === 0 || data.resources.roles.length === 0) return;
    draw(spec.id, {
      type: 'bar',
      data: {
        labels: data.resources.groups.map(function (group) { return group.label; }),
        datasets: data.resources.roles.map(function (series) {
          return { label: series.role, data: series[spec.field], backgroundColor: ROLE_COLORS[series.role] || '#9ca3af' };
        }),
      },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: spec.axis } },
        },
        plugins: { title: { display: true, text: spec.title } },
      },
    });
  });

  document.body.setAttribute('data-charts-rendered', String(rendered));
})();
`;
