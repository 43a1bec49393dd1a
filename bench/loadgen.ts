/**
 * npm run bench:loadgen — how good is the instrument? Against one local echo server, in one run, side by side:
 *   1. the closed-loop floor: wrk with one connection (when wrk is installed);
 *   2. meshtax open loop at 1000 and 5000 rps: percentiles, achieved rate, scheduler slip, generator CPU;
 *   3. maximum closed-loop throughput: meshtax (autocannon engine) against wrk, same connections.
 * Figures are printed, never asserted: timings on a shared 2-core machine are noisy, so read the ratios.
 */
import { PhaseRunner } from '../src/loadgen/phase.ts';
import type { PhaseMeasurement, PhaseSpec } from '../src/loadgen/types.ts';
import { startChild } from '../src/runtimes/local/child.ts';
import { formatUs } from '../src/report/format.ts';
import { runWrk, wrkAvailable, type WrkResult } from './wrk.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const echo = await startChild('echo server', process.execPath, [
  new URL('../src/runtimes/local/echo-server.ts', import.meta.url).pathname,
  '--payload-bytes',
  '1024',
]);
const url = `http://127.0.0.1:${String(echo.announcement.port)}/`;
const runner = new PhaseRunner();
const spec = (extra: Partial<PhaseSpec>): PhaseSpec => ({
  url,
  loop: 'open',
  arrival: 'uniform',
  rate: 1000,
  connections: 8,
  workers: 1,
  durationMs: seconds * 1000,
  warmupMs: 2000,
  timeoutMs: 10_000,
  seed: 1,
  ...extra,
});

try {
  const haveWrk = wrkAvailable();
  console.log(`meshtax bench:loadgen — echo server ${url}, 1 KiB responses, ${seconds} s windows, node ${process.version}`);
  const floor: WrkResult | undefined = haveWrk ? runWrk(url, 1, 1, seconds) : undefined;
  const open1k = await runner.run(spec({ rate: 1000 }));
  const open5k = await runner.run(spec({ rate: 5000 }));
  const closed = await runner.run(spec({ loop: 'closed', rate: null, connections: 8 }));
  const wrkMax: WrkResult | undefined = haveWrk ? runWrk(url, 8, 1, seconds) : undefined;

  const rows: string[][] = [['measurement', 'p50', 'p90', 'p99', 'rps', 'slip p99', 'gen CPU']];
  if (floor) rows.push(['wrk -c1 (closed-loop floor)', formatUs(floor.p50Us), formatUs(floor.p90Us), formatUs(floor.p99Us), floor.rps.toFixed(0), '', '']);
  rows.push(meshtaxRow('meshtax open 1000 rps', open1k), meshtaxRow('meshtax open 5000 rps', open5k));
  rows.push(meshtaxRow('meshtax closed -c8', closed));
  if (wrkMax) rows.push(['wrk -c8 -t1', formatUs(wrkMax.p50Us), formatUs(wrkMax.p90Us), formatUs(wrkMax.p99Us), wrkMax.rps.toFixed(0), '', '']);
  printTable(rows);

  console.log('\nratios');
  if (floor) {
    console.log(`  open-loop p50 at 1000 rps / wrk floor p50: ${ratio(open1k.latencyUs.p50, floor.p50Us)} (acceptance: within 1.5×)`);
    console.log(`  open-loop p50 at 5000 rps / wrk floor p50: ${ratio(open5k.latencyUs.p50, floor.p50Us)}`);
  } else {
    console.log('  wrk is not installed (apt-get install wrk): no closed-loop floor to compare with');
  }
  console.log(`  achieved / requested at 1000 rps: ${(open1k.achievedRps / 1000).toFixed(4)}; at 5000 rps: ${(open5k.achievedRps / 5000).toFixed(4)} (acceptance: ≥ 0.99)`);
  if (wrkMax) console.log(`  closed-loop throughput meshtax / wrk (8 connections): ${ratio(closed.achievedRps, wrkMax.rps)}`);
  for (const [name, phase] of [['1000 rps', open1k], ['5000 rps', open5k], ['closed', closed]] as const) {
    for (const warning of phase.warnings) console.log(`  warning (${name}): ${warning.message}`);
  }
} finally {
  await echo.stop();
}

function meshtaxRow(name: string, phase: PhaseMeasurement): string[] {
  const { latencyUs: l, generator } = phase;
  return [
    name,
    formatUs(l.p50),
    formatUs(l.p90),
    formatUs(l.p99),
    phase.achievedRps.toFixed(0),
    phase.loop === 'open' ? formatUs(generator.slipUs.p99) : '',
    `${generator.cpuCores.toFixed(2)} cores`,
  ];
}

function ratio(value: number | null, reference: number): string {
  return value === null ? 'n/a (too few samples)' : `${(value / reference).toFixed(2)}×`;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
}
