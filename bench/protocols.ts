/**
 * npm run bench:protocols — HTTP/2 and gRPC on meshtax's open loop, against its own HTTP/1.1 figure and side by side
 * with Fortio. meshtax's echo server runs three times (HTTP/1.1, h2c, gRPC: meshtax.echo.v1 and grpc.health.v1, 1 KiB
 * responses); at 1000 rps over 8 connections (HTTP/2 and gRPC: 1 stream each, BENCH_STREAMS to change), uniform
 * arrivals, each protocol is measured by meshtax and by Fortio in ROUNDS interleaved rounds (which tool goes first
 * alternates), and the medians are printed: p50, p99, achieved rate, generator CPU, and the echo server's CPU per
 * request (the part of each latency that is the server's, whatever drives it).
 *   meshtax http1 / http2 / grpc: the same engine; gRPC calls grpc.health.v1.Health/Check, as Fortio does.
 *   fortio: `fortio load -uniform -r 0.00001 -qps 1000 -c 8 URL` (HTTP/1.1), `… -grpc -s 1 HOST:PORT` (gRPC health
 *   check), `… -stdclient -h2 URL` (HTTP/2 through Go's net/http; Fortio's fast client speaks only HTTP/1.1).
 * Targets from the issue: each meshtax protocol achieves its rate within 1%, and its p50 is within 1.2× of meshtax's
 * HTTP/1.1 p50. Fortio measures from its actual send (no coordinated-omission correction); meshtax from the intended
 * send time. BENCH_SECONDS (default 10) sets each measured window; BENCH_ROUNDS (default 3) the rounds; BENCH_RATE
 * (default 1000) the rate. Figures are printed, never asserted.
 */
import os from 'node:os';
import { PhaseRunner } from '../src/loadgen/phase.ts';
import type { PhaseMeasurement, PhaseSpec } from '../src/loadgen/types.ts';
import { HEALTH_METHOD } from '../src/protocols/grpc.ts';
import { formatUs } from '../src/core/format.ts';
import { judged, median, medianFigures, printTable, type Figures } from './figures.ts';
import { startChild } from '../src/runtimes/local/child.ts';
import { clockTicksPerSecond, readCpuTicks } from '../src/runtimes/local/resources/procfs.ts';
import { requestMix } from '../src/scenario/request-mix.ts';
import { FORTIO_INSTALL, fortioCommand, runFortioMeasured, type MeasuredFortio } from './fortio.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const rate = Number(process.env.BENCH_RATE ?? 1000);
const streams = Number(process.env.BENCH_STREAMS ?? 1);
const WARMUP_S = 1;
const CONNECTIONS = 8;

const fortio = fortioCommand();
if (!fortio) {
  console.error(`bench:protocols compares with Fortio v1.63.3, which is not installed. Install it with:\n  ${FORTIO_INSTALL}\n(or put fortio on PATH)`);
  process.exit(1);
}

type Protocol = 'http1' | 'http2' | 'grpc';

const echoScript = new URL('../src/runtimes/local/echo-server.ts', import.meta.url).pathname;
const servers = await Promise.all(
  (['http1', 'http2', 'grpc'] as const).map(async (protocol) => {
    const child = await startChild(`echo server (${protocol})`, process.execPath, [echoScript, '--payload-bytes', '1024', '--protocol', protocol]);
    return [protocol, child] as const;
  }),
);
const pidOf = (protocol: Protocol): number => servers.find(([p]) => p === protocol)![1].pid;
/**
 * The echo server's CPU per request while `work` drives it (warm-up included, as the server serves it): how much of
 * a protocol's latency is the server's, which no generator can take away.
 */
async function serverCpu<T>(protocol: Protocol, work: () => Promise<T>): Promise<{ result: T; usPerRequest: number }> {
  const before = readCpuTicks(pidOf(protocol)) ?? 0;
  const result = await work();
  const ticks = (readCpuTicks(pidOf(protocol)) ?? 0) - before;
  return { result, usPerRequest: ((ticks / clockTicksPerSecond()) * 1e6) / (rate * (seconds + WARMUP_S)) };
}
const portOf = (protocol: Protocol): number => Number(servers.find(([p]) => p === protocol)![1].announcement.port);
const urlOf = (protocol: Protocol): string => `http://127.0.0.1:${portOf(protocol)}/`;

const runner = new PhaseRunner();
const spec = (protocol: Protocol): PhaseSpec => ({
  url: urlOf(protocol),
  loop: 'open',
  arrival: 'uniform',
  rate,
  connections: CONNECTIONS,
  workers: 1,
  durationMs: seconds * 1000,
  warmupMs: WARMUP_S * 1000,
  timeoutMs: 10_000,
  seed: 1,
  ...(protocol === 'http1'
    ? {}
    : requestMix({
        protocol,
        streams,
        requests: undefined,
        grpc: protocol === 'grpc' ? { method: HEALTH_METHOD, message: {}, metadata: {} } : undefined,
      })),
});

/** Fortio's flags and target for a protocol. */
function fortioArgs(protocol: Protocol): { extra: string[]; target: string } {
  if (protocol === 'grpc') return { extra: ['-grpc', '-s', String(streams)], target: `127.0.0.1:${portOf(protocol)}` };
  if (protocol === 'http2') return { extra: ['-stdclient', '-h2'], target: urlOf(protocol) };
  return { extra: [], target: urlOf(protocol) };
}

try {
  console.log(
    `meshtax bench:protocols — echo servers (1 KiB responses) over HTTP/1.1, h2c and gRPC, ${rate} rps, ${CONNECTIONS} connections` +
      ` (HTTP/2 and gRPC: ${streams} stream${streams === 1 ? '' : 's'} each), ${seconds} s windows, ${rounds} interleaved rounds, node ${process.version}, ${os.cpus().length} cores`,
  );
  console.log(`fortio: ${fortio} load -uniform -r 0.00001 -qps ${rate} -c ${CONNECTIONS} [-grpc -s ${streams} | -stdclient -h2]\n`);
  const results = new Map<Protocol, { meshtax: Figures; fortio: Figures | undefined; slipP99: number; serverUs: number; fortioServerUs: number }>();
  for (const protocol of ['http1', 'http2', 'grpc'] as const) {
    const meshtaxRounds: PhaseMeasurement[] = [];
    const fortioRounds: MeasuredFortio[] = [];
    const serverUs: number[] = [];
    const fortioServerUs: number[] = [];
    let fortioProblem: string | undefined;
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 === 1 ? (['meshtax', 'fortio'] as const) : (['fortio', 'meshtax'] as const);
      for (const tool of order) {
        if (tool === 'meshtax') {
          const { result, usPerRequest } = await serverCpu(protocol, () => runner.run(spec(protocol)));
          meshtaxRounds.push(result);
          serverUs.push(usPerRequest);
        } else if (fortioProblem === undefined) {
          const { extra, target } = fortioArgs(protocol);
          try {
            const { result, usPerRequest } = await serverCpu(protocol, () => runFortioMeasured(fortio, target, rate, CONNECTIONS, seconds, WARMUP_S, extra));
            fortioRounds.push(result);
            fortioServerUs.push(usPerRequest);
          } catch (error) {
            fortioProblem = (error as Error).message.split('\n')[0];
          }
        }
      }
      const m = meshtaxRounds.at(-1)!;
      const f = fortioRounds[round - 1];
      console.log(
        `  ${protocol}, round ${round}: meshtax p50 ${formatUs(m.latencyUs.p50)} p99 ${formatUs(m.latencyUs.p99)} ${m.achievedRps.toFixed(0)} rps ${m.generator.cpuCores.toFixed(3)} cores` +
          ` (failed ${m.counts.non2xx + m.counts.errors + m.counts.timeouts}, slip p99 ${formatUs(m.generator.slipUs.p99)}, load ${m.machine.loadAverage1m.end ?? '?'})` +
          (f ? ` | fortio p50 ${formatUs(f.p50Us)} p99 ${formatUs(f.p99Us)} ${f.rps.toFixed(0)} rps ${f.cpuCores.toFixed(3)} cores` : ` | fortio: ${fortioProblem ?? 'no result'}`),
      );
    }
    results.set(protocol, {
      meshtax: medianFigures(meshtaxRounds.map((m) => ({ p50: m.latencyUs.p50 ?? NaN, p99: m.latencyUs.p99 ?? NaN, rps: m.achievedRps, cpu: m.generator.cpuCores }))),
      fortio: fortioRounds.length > 0 ? medianFigures(fortioRounds.map((f) => ({ p50: f.p50Us, p99: f.p99Us, rps: f.rps, cpu: f.cpuCores }))) : undefined,
      slipP99: median(meshtaxRounds.map((m) => m.generator.slipUs.p99)),
      serverUs: median(serverUs),
      fortioServerUs: fortioServerUs.length > 0 ? median(fortioServerUs) : NaN,
    });
  }

  const http1 = results.get('http1')!.meshtax;
  console.log(`\nmedians of ${rounds} rounds; targets: rate within 1%, p50 ≤ 1.2× meshtax's own HTTP/1.1 p50`);
  const rows: string[][] = [['protocol', 'generator', 'p50', 'p99', 'rate', 'CPU (cores)', 'server µs/req', 'slip p99', 'p50 / http1', 'p50 / fortio']];
  for (const [protocol, { meshtax, fortio: f, slipP99, serverUs, fortioServerUs }] of results) {
    rows.push([
      protocol,
      'meshtax',
      formatUs(meshtax.p50),
      formatUs(meshtax.p99),
      `${meshtax.rps.toFixed(1)} ${judgedRate(meshtax.rps)}`,
      meshtax.cpu.toFixed(3),
      serverUs.toFixed(0),
      formatUs(slipP99),
      protocol === 'http1' ? '1.00×' : judged(meshtax.p50 / http1.p50, 1.2),
      f ? `${(meshtax.p50 / f.p50).toFixed(2)}×` : '',
    ]);
    rows.push(['', 'fortio', f ? formatUs(f.p50) : 'n/a', f ? formatUs(f.p99) : '', f ? `${f.rps.toFixed(1)} ${judgedRate(f.rps)}` : '', f ? f.cpu.toFixed(3) : '', f ? fortioServerUs.toFixed(0) : '', '', '', '']);
  }
  printTable(rows);
  console.log('p50 / http1: meshtax over this protocol against meshtax over HTTP/1.1, same machine, same run');
  console.log("server µs/req: the echo server's CPU per request while that generator drove it (its share of every latency)");
} finally {
  await Promise.all(servers.map(([, child]) => child.stop()));
}

function judgedRate(rps: number): string {
  const share = rps / rate;
  return `(${(share * 100).toFixed(1)}%${share >= 0.99 ? '' : ' MISS'})`;
}
