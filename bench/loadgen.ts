/**
 * npm run bench:loadgen — is meshtax's open loop as good an instrument as Fortio? Against one local Node echo server
 * (1 KiB responses), side by side, 8 connections, uniform arrivals:
 *   1000 rps, 5000 rps, and 1000 rps with one core kept busy by a busy-loop child process;
 *   each as ROUNDS interleaved rounds (meshtax and Fortio alternate which goes first), medians of the rounds:
 *   p50, p99, achieved rate and generator CPU (user+system of the generator process over its measured window),
 *   with the ratios meshtax/Fortio against the acceptance targets, and meshtax's slip p99 and service-time p99.
 * Fortio v1.63.3 runs as `fortio load -qps R -c 8 -uniform -r 0.00001`: 10 µs histogram resolution (its default is
 * 1 ms) and connections offset evenly like meshtax's schedule. Fortio measures from its actual send (no coordinated
 * omission correction); meshtax from the intended send time, so meshtax's own lateness counts against it.
 * BENCH_SECONDS (default 10) sets each measured window; BENCH_ROUNDS (default 3) the rounds; BENCH_CLOSED=1 adds
 * the closed-loop throughput against wrk; BENCH_ONLY (e.g. "5000" or "busy") keeps the scenarios whose name contains it. Figures are printed, never asserted: read the ratios.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { PhaseRunner } from '../src/loadgen/phase.ts';
import { realtimePermitted } from '../src/loadgen/priority.ts';
import type { PhaseMeasurement, PhaseSpec } from '../src/loadgen/types.ts';
import { startChild } from '../src/runtimes/local/child.ts';
import { formatUs } from '../src/core/format.ts';
import { judged, median, medianFigures, printTable, type Figures } from './figures.ts';
import { FORTIO_INSTALL, fortioCommand, runFortioMeasured, type MeasuredFortio } from './fortio.ts';
import { runWrk, wrkAvailable } from './wrk.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
/** Both tools get this long before their measured window: connections open, JIT warm. */
const WARMUP_S = 1;
const CONNECTIONS = 8;

const fortio = fortioCommand();
if (!fortio) {
  console.error(`bench:loadgen compares with Fortio v1.63.3, which is not installed. Install it with:\n  ${FORTIO_INSTALL}\n(or put fortio on PATH)`);
  process.exit(1);
}

interface Scenario {
  name: string;
  rate: number;
  busyCore: boolean;
}
const scenarios: Scenario[] = [
  { name: '1000 rps', rate: 1000, busyCore: false },
  { name: '5000 rps', rate: 5000, busyCore: false },
  { name: '1000 rps, one core busy', rate: 1000, busyCore: true },
].filter((scenario) => scenario.name.includes(process.env.BENCH_ONLY ?? ''));

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
  connections: CONNECTIONS,
  workers: 1,
  durationMs: seconds * 1000,
  warmupMs: WARMUP_S * 1000,
  timeoutMs: 10_000,
  seed: 1,
  ...extra,
});

let busy: ChildProcess | undefined;
try {
  console.log(`meshtax bench:loadgen — echo server ${url}, 1 KiB responses, ${CONNECTIONS} connections, ${seconds} s windows, ${rounds} interleaved rounds, node ${process.version}, ${os.cpus().length} cores`);
  console.log(`fortio: ${fortio} load -qps R -c ${CONNECTIONS} -uniform -r 0.00001`);
  console.log(`meshtax's pacer and I/O threads: ${realtimePermitted() ? 'SCHED_FIFO (this process has CAP_SYS_NICE)' : 'the normal policy (no CAP_SYS_NICE: run as root for SCHED_FIFO)'}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  const results: { scenario: Scenario; meshtax: Figures; fortio: Figures; slipP99: number; serviceP99: number; queued: number }[] = [];
  for (const scenario of scenarios) {
    if (scenario.busyCore) busy = startBusyCore(rounds * 2 * (seconds + WARMUP_S + 5));
    const meshtaxRounds: PhaseMeasurement[] = [];
    const fortioRounds: MeasuredFortio[] = [];
    for (let round = 1; round <= rounds; round++) {
      // Alternate which tool goes first, so a drift of the machine's load does not favour one of them.
      const order = round % 2 === 1 ? (['meshtax', 'fortio'] as const) : (['fortio', 'meshtax'] as const);
      for (const tool of order) {
        if (tool === 'meshtax') meshtaxRounds.push(await runner.run(spec({ rate: scenario.rate })));
        else fortioRounds.push(await runFortioMeasured(fortio, url, scenario.rate, CONNECTIONS, seconds, WARMUP_S));
      }
      const m = meshtaxRounds.at(-1)!;
      const f = fortioRounds.at(-1)!;
      console.log(
        `  ${scenario.name}, round ${round}: meshtax p50 ${formatUs(m.latencyUs.p50)} p99 ${formatUs(m.latencyUs.p99)} ${m.achievedRps.toFixed(0)} rps ${m.generator.cpuCores.toFixed(3)} cores (slip p99 ${formatUs(m.generator.slipUs.p99)}, service p99 ${formatUs(m.serviceTimeUs.p99)}, queued ${percent(queuedShare(m))}, load ${m.machine.loadAverage1m.end ?? '?'}) | fortio p50 ${formatUs(f.p50Us)} p99 ${formatUs(f.p99Us)} ${f.rps.toFixed(0)} rps ${f.cpuCores.toFixed(3)} cores`,
      );
    }
    busy?.kill('SIGKILL');
    busy = undefined;
    results.push({
      scenario,
      meshtax: medianFigures(meshtaxRounds.map((m) => ({ p50: m.latencyUs.p50 ?? NaN, p99: m.latencyUs.p99 ?? NaN, rps: m.achievedRps, cpu: m.generator.cpuCores }))),
      fortio: medianFigures(fortioRounds.map((f) => ({ p50: f.p50Us, p99: f.p99Us, rps: f.rps, cpu: f.cpuCores }))),
      slipP99: median(meshtaxRounds.map((m) => m.generator.slipUs.p99)),
      serviceP99: median(meshtaxRounds.map((m) => m.serviceTimeUs.p99 ?? NaN)),
      queued: median(meshtaxRounds.map(queuedShare)),
    });
  }

  console.log(`\nmedians of ${rounds} rounds; ratio = meshtax / fortio; targets: p50 ≤ 1.1× (not with a core busy), p99 ≤ 1.5×, CPU ≤ 2×, rate within 1%`);
  const rows: string[][] = [['scenario', 'generator', 'p50', 'p99', 'rate', 'CPU (cores)', 'slip p99', 'service p99', 'queued']];
  for (const { scenario, meshtax, fortio: f, slipP99, serviceP99, queued } of results) {
    rows.push([scenario.name, 'meshtax', formatUs(meshtax.p50), formatUs(meshtax.p99), meshtax.rps.toFixed(1), meshtax.cpu.toFixed(3), formatUs(slipP99), formatUs(serviceP99), percent(queued)]);
    rows.push(['', 'fortio', formatUs(f.p50), formatUs(f.p99), f.rps.toFixed(1), f.cpu.toFixed(3), '', '', '']);
    rows.push([
      '',
      'ratio',
      // With one core busy the target is the p99 ratio alone; the p50 ratio is shown for what it says.
      scenario.busyCore ? `${(meshtax.p50 / f.p50).toFixed(2)}× (no target)` : judged(meshtax.p50 / f.p50, 1.1),
      judged(meshtax.p99 / f.p99, 1.5),
      `${judgedRate(meshtax.rps, scenario.rate)} / ${judgedRate(f.rps, scenario.rate)}`,
      judged(meshtax.cpu / f.cpu, 2),
      '',
      `${(serviceP99 / f.p99).toFixed(2)}×`,
      '',
    ]);
  }
  printTable(rows);
  console.log('rate column of the ratio row: each tool\'s achieved rate against the requested one (target ≥ 99%)');
  console.log('service p99: meshtax from its actual write, which leaves out its own lateness, as Fortio\'s p99 does; its ratio is against Fortio\'s p99');
  console.log('queued: the share of meshtax\'s requests that found all connections busy and waited for one (their wait is in p99, as');
  console.log('  coordinated omission requires; Fortio, closed loop per connection, sends such a request late and leaves the wait out)');

  if (process.env.BENCH_CLOSED === '1') {
    if (!wrkAvailable()) console.log('\nwrk is not installed (apt-get install wrk): no closed-loop comparison');
    else {
      const closed = await runner.run(spec({ loop: 'closed', rate: null }));
      const wrk = runWrk(url, CONNECTIONS, 1, seconds);
      console.log(`\nclosed loop, ${CONNECTIONS} connections: meshtax (autocannon engine) ${closed.achievedRps.toFixed(0)} rps, wrk -t1 ${wrk.rps.toFixed(0)} rps (${(closed.achievedRps / wrk.rps).toFixed(2)}×)`);
    }
  }
} finally {
  busy?.kill('SIGKILL');
  await echo.stop();
}

/** A child that keeps one core busy for at most `limitS` seconds; the bench kills it when its scenario ends. */
function startBusyCore(limitS: number): ChildProcess {
  return spawn(process.execPath, ['-e', `const end = Date.now() + ${limitS * 1000}; while (Date.now() < end);`], { stdio: 'ignore' });
}

function judgedRate(rps: number, requested: number): string {
  const share = rps / requested;
  return `${(share * 100).toFixed(1)}%${share >= 0.99 ? '' : ' MISS'}`;
}

/** The share of a phase's requests that waited for a free connection. */
function queuedShare(m: PhaseMeasurement): number {
  const total = m.counts.ok + m.counts.non2xx + m.counts.errors + m.counts.timeouts;
  return total > 0 ? m.generator.queued / total : 0;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(2)}%`;
}
