/**
 * npm run bench:sidecar — does the sidecar latency delta meshtax reports agree with an independent tool measuring
 * the same path at the same rate and connections? One local runtime with baseline and sidecar (mTLS, HAProxy when
 * installed), then for each repetition, interleaved: meshtax's open loop and Fortio on baseline, then on sidecar.
 * Prints each tool's deltas per repetition and their spread. Figures only; nothing is asserted.
 */
import { PhaseRunner } from '../src/loadgen/phase.ts';
import type { PhaseSpec } from '../src/loadgen/types.ts';
import { newRunId } from '../src/results/run-id.ts';
import { localRuntime } from '../src/runtimes/local/runtime.ts';
import { loadScenarioText } from '../src/scenario/load.ts';
import { runtimeFacts } from '../src/runtimes/descriptions.ts';
import { FORTIO_INSTALL, fortioCommand, runFortio } from './fortio.ts';

const rate = Number(process.env.BENCH_RATE ?? 1000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const repetitions = Number(process.env.BENCH_REPETITIONS ?? 3);
const percentiles = ['p50', 'p90', 'p99'] as const;

const fortio = fortioCommand();
if (!fortio) {
  console.error(`fortio is not installed: ${FORTIO_INSTALL}`);
  process.exit(1);
}
const { scenario } = loadScenarioText(
  `apiVersion: meshtax.dev/v1alpha1\nkind: Scenario\nmetadata: { name: bench-sidecar }\nmodes: [baseline, sidecar]\n`,
  'bench/sidecar.ts',
);
const runtime = localRuntime.create(scenario, newRunId(), { keep: false });
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
try {
  const prepared = await runtime.prepare(['baseline', 'sidecar'], controller.signal);
  const url = (mode: string): string => prepared.find((p) => p.mode === mode)!.targetUrl;
  const { proxy } = runtimeFacts(runtime.describe());
  console.log(`bench:sidecar — ${proxy ? `${proxy.kind} ${proxy.version}` : 'no proxy'}, mTLS, ${rate} rps, ${connections} connections, ${seconds} s windows, ${repetitions} repetitions`);
  const runner = new PhaseRunner();
  const spec = (target: string): PhaseSpec => ({
    url: target,
    loop: 'open',
    arrival: 'uniform',
    rate,
    connections,
    workers: 1,
    durationMs: seconds * 1000,
    warmupMs: 2000,
    timeoutMs: 10_000,
    seed: 1,
  });
  type Row = Record<(typeof percentiles)[number], number>;
  const deltas: { meshtax: Row[]; fortio: Row[] } = { meshtax: [], fortio: [] };
  for (let repetition = 1; repetition <= repetitions; repetition++) {
    const measured: Record<string, { meshtax: Row; fortio: Row }> = {};
    for (const mode of ['baseline', 'sidecar']) {
      const phase = await runner.run(spec(url(mode)), controller.signal);
      runFortio(fortio, url(mode), rate, connections, 2); // warmup, discarded
      const f = runFortio(fortio, url(mode), rate, connections, seconds);
      measured[mode] = {
        meshtax: { p50: phase.latencyUs.p50 ?? NaN, p90: phase.latencyUs.p90 ?? NaN, p99: phase.latencyUs.p99 ?? NaN },
        fortio: { p50: f.p50Us, p90: f.p90Us, p99: f.p99Us },
      };
      console.log(
        `  rep ${repetition} ${mode.padEnd(8)} meshtax ${percentiles.map((p) => `${p} ${Math.round(measured[mode]!.meshtax[p])}`).join(' ')} µs | fortio ${percentiles.map((p) => `${p} ${Math.round(f[`${p}Us`])}`).join(' ')} µs (${f.rps.toFixed(0)} rps)`,
      );
    }
    for (const tool of ['meshtax', 'fortio'] as const) {
      const row = {} as Row;
      for (const p of percentiles) row[p] = measured.sidecar![tool][p] - measured.baseline![tool][p];
      deltas[tool].push(row);
    }
  }
  console.log('\nsidecar delta over baseline, µs: per repetition; mean [min, max]');
  for (const p of percentiles) {
    const line = (['meshtax', 'fortio'] as const).map((tool) => {
      const values = deltas[tool].map((row) => row[p]);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return `${tool} ${values.map((v) => Math.round(v)).join(', ')}; ${Math.round(mean)} [${Math.round(Math.min(...values))}, ${Math.round(Math.max(...values))}]`;
    });
    const m = deltas.meshtax.map((row) => row[p]);
    const f = deltas.fortio.map((row) => row[p]);
    const overlap = Math.max(Math.min(...m), Math.min(...f)) <= Math.min(Math.max(...m), Math.max(...f));
    console.log(`  ${p}: ${line.join(' | ')} → ranges ${overlap ? 'overlap' : 'do NOT overlap'}`);
  }
} finally {
  await runtime.cleanup();
}
