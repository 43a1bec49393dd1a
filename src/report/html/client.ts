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

  var ROLE_COLORS = { app: '#64748b', sidecar: '#dc2626', 'node-proxy': '#d97706', waypoint: '#7c3aed', 'control-plane': '#059669' };
  // Computed on the server from the mode's name (colors.ts), the same on history.html.
  function modeColor(mode) {
    return data.colors[mode] || '#9ca3af';
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
    if (a < 1) return Math.round(v * 1000) + ' µs';
    return (a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ms';
  }
  // A tick without spurious decimals: "300", "0.5", "1.25", never "300.00".
  function tick(v) {
    return String(Number(Number(v).toPrecision(3)));
  }
  // On a log axis only 1, 2 and 5 of each decade are labelled: Chart.js labels every minor tick, and "100" and "70"
  // then overlap.
  function logTick(v) {
    var mantissa = Number((v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9))).toPrecision(3));
    return mantissa === 1 || mantissa === 2 || mantissa === 5 ? tick(v) : '';
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
    // µs when every latency on the chart is below a millisecond, as the delta panels choose.
    var largest = 0;
    chart.series.forEach(function (series) {
      series.points.forEach(function (point) { largest = Math.max(largest, point.ms); });
    });
    var scale = largest < 1 ? 1000 : 1;
    var unit = largest < 1 ? 'µs' : 'ms';
    draw(chart.canvasId, {
      type: 'line',
      data: {
        datasets: chart.series.map(function (series) {
          return {
            label: series.mode,
            data: series.points.map(function (point) { return { x: point.x, y: point.ms * scale, p: point.p }; }),
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
            title: { display: true, text: 'latency (' + unit + ', log scale)' },
            ticks: { autoSkip: false, callback: logTick },
          },
        },
        plugins: {
          title: { display: true, text: chart.title },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? 'p' + items[0].raw.p : ''; },
              label: function (item) { return item.dataset.label + ': ' + ms(item.raw.y / scale); },
            },
          },
        },
      },
    });
  });

  // One horizontal bar chart per percentile, on its own scale and in µs when the numbers are µs.
  data.deltas.forEach(function (chart) {
    chart.panels.forEach(function (panel) {
      var j = panel.index;
      var largest = 0;
      chart.series.forEach(function (series) {
        var v = series.valuesMs[j];
        var i = series.intervalsMs[j];
        if (v !== null) largest = Math.max(largest, Math.abs(v));
        if (i) largest = Math.max(largest, Math.abs(i.low), Math.abs(i.high));
      });
      var micro = largest < 1;
      var scale = micro ? 1000 : 1;
      var unit = micro ? 'µs' : 'ms';
      function shown(v) { return v === null || v === undefined ? 'n/a' : tick(v * scale) + ' ' + unit; }
      var values = [0];
      chart.series.forEach(function (series) {
        if (series.valuesMs[j] !== null) values.push(series.valuesMs[j] * scale);
        var i = series.intervalsMs[j];
        if (i) { values.push(i.low * scale); values.push(i.high * scale); }
      });
      var errorBars = {
        id: 'meshtaxErrorBars',
        afterDatasetsDraw: function (c) {
          var ctx = c.ctx;
          var x = c.scales.x;
          var meta = c.getDatasetMeta(0);
          ctx.save();
          ctx.strokeStyle = '#111827';
          ctx.lineWidth = 1.5;
          chart.series.forEach(function (series, k) {
            var interval = series.intervalsMs[j];
            var bar = meta.data[k];
            if (!interval || !bar) return;
            var left = x.getPixelForValue(interval.low * scale);
            var right = x.getPixelForValue(interval.high * scale);
            var h = Math.max(3, Math.min(8, (bar.height || 12) / 4));
            ctx.beginPath();
            ctx.moveTo(left, bar.y); ctx.lineTo(right, bar.y);
            ctx.moveTo(left, bar.y - h); ctx.lineTo(left, bar.y + h);
            ctx.moveTo(right, bar.y - h); ctx.lineTo(right, bar.y + h);
            ctx.stroke();
          });
          ctx.restore();
        },
      };
      // No mode has an estimate at this percentile (too few samples): say why in the panel instead of empty axes.
      var missing = null;
      if (chart.series.every(function (series) { return series.valuesMs[j] === null; })) {
        missing = chart.series.map(function (series) { return series.missing[j]; }).filter(Boolean)[0] || 'no estimate';
        var canvas = document.getElementById(panel.canvasId);
        if (canvas) { canvas.setAttribute('data-no-estimate', missing); canvas.setAttribute('aria-label', 'Δ' + panel.label + ': ' + missing); }
      }
      var noEstimate = {
        id: 'meshtaxNoEstimate',
        afterDraw: function (c) {
          if (missing === null) return;
          var ctx = c.ctx;
          var area = c.chartArea;
          var words = missing.split(' ');
          var lines = [''];
          ctx.save();
          ctx.font = '13px ' + Chart.defaults.font.family;
          ctx.fillStyle = '#57606a';
          ctx.textAlign = 'center';
          words.forEach(function (word) {
            var line = lines[lines.length - 1];
            var longer = line ? line + ' ' + word : word;
            if (line && ctx.measureText(longer).width > area.right - area.left - 16) lines.push(word);
            else lines[lines.length - 1] = longer;
          });
          var top = (area.top + area.bottom) / 2 - (lines.length - 1) * 9;
          lines.forEach(function (line, k) { ctx.fillText(line, (area.left + area.right) / 2, top + k * 18); });
          ctx.restore();
        },
      };
      draw(panel.canvasId, {
        type: 'bar',
        data: {
          labels: chart.series.map(function (series) { return series.mode; }),
          datasets: [{
            label: panel.label,
            data: chart.series.map(function (series) { return series.valuesMs[j] === null ? null : series.valuesMs[j] * scale; }),
            // A delta that is not significant, or has no interval, is drawn hollow: outline only.
            backgroundColor: chart.series.map(function (series) { return series.marks[j] ? 'transparent' : modeColor(series.mode); }),
            borderColor: chart.series.map(function (series) { return modeColor(series.mode); }),
            borderWidth: 2,
          }],
        },
        options: {
          indexAxis: 'y',
          scales: {
            x: {
              display: missing === null,
              suggestedMin: Math.min.apply(null, values),
              suggestedMax: Math.max.apply(null, values),
              grace: '8%',
              ticks: { maxTicksLimit: 6, maxRotation: 0, callback: function (v) { return tick(v); } },
              title: { display: true, text: panel.label + ' − ' + chart.baseline + ' (' + unit + ')' },
            },
            y: { ticks: { autoSkip: false } },
          },
          plugins: {
            legend: { display: false },
            title: { display: true, text: 'Δ' + panel.label },
            tooltip: {
              callbacks: {
                label: function (item) {
                  var series = chart.series[item.dataIndex];
                  var interval = series.intervalsMs[j];
                  var mark = series.marks[j];
                  return series.mode + ': ' + shown(series.valuesMs[j]) + (interval ? ' [' + shown(interval.low) + ', ' + shown(interval.high) + ']' : '') + (mark ? ' (' + mark + ')' : '');
                },
              },
            },
          },
        },
        plugins: [errorBars, noEstimate],
      });
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
