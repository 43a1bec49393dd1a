import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { addProblem, duration, integer, number, size, uniqueList } from './fields.ts';
import { kubernetesSchema } from './kubernetes-schema.ts';
import { grpcSchema, protocolSchema, requestsSchema, streamsSchema } from './requests-schema.ts';
import { showValue } from './show.ts';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
import { BASELINE_MODE } from '../core/modes.ts';
import { workloadSchema } from './workload-schema.ts';
import { faultsSchema } from './faults-schema.ts';
import { formatDuration } from './units.ts';

/**
 * The scenario file: the one source of truth for its shape, defaults and limits. schemas/scenario.schema.json is
 * generated from it (scripts/gen-schemas.ts). In the parsed form every duration is in milliseconds and every size in
 * bytes.
 */

export const API_VERSION = 'meshtax.dev/v1alpha1';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const metadataSchema = z
  .strictObject({
    name: z
      .string()
      .max(40, { error: (iss) => `must be at most 40 characters; got ${String(iss.input).length}` })
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
        error: (iss) => `must be a lowercase DNS label (a-z, 0-9 and '-', starting and ending with a letter or digit); got ${showValue(iss.input)}`,
      })
      .describe('Scenario name: a lowercase DNS label of at most 40 characters; names results and Kubernetes objects')
      .meta({ examples: ['quickstart'] }),
    description: z.string().optional().describe('What this scenario measures, for people'),
  })
  .describe('Identifies the scenario');

const localSchema = z
  .strictObject({
    bindAddress: z
      .string()
      .superRefine((address, ctx) => {
        const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
        if (isIP(address) === 0 || !loopback.check(address, family)) {
          addProblem(
            ctx,
            `must be a loopback address (127.0.0.0/8 or ::1); got ${showValue(address)}`,
            'the local runtime only listens on loopback; use 127.0.0.1 or ::1',
          );
        }
      })
      .default('127.0.0.1')
      .describe('Loopback address (127.0.0.0/8 or ::1) the local runtime binds its servers and proxies to'),
    proxy: z
      .enum(['auto', 'haproxy', 'builtin'])
      .default('auto')
      .describe('Proxy for sidecars, node proxies and waypoints: haproxy, builtin (meshtax\'s own Node proxy), or auto (HAProxy when installed, else builtin)'),
    mtls: z
      .boolean()
      .default(true)
      .describe('Mutual TLS between proxies with a per-run CA (false shows what the proxies cost without TLS)'),
    isolation: z
      .enum(['loopback', 'netns'])
      .default('loopback')
      .describe('loopback: every process on this host\'s loopback; netns (root on Linux): each pod in its own network namespace, traffic intercepted with iptables REDIRECT'),
  })
  .prefault({})
  .describe('Settings for runtime: local');


const rateError = (iss: { input?: unknown }) => `must be greater than 0 and at most 1000000 requests/second; got ${showValue(iss.input)}`;
const rate = z
  .number({ error: rateError })
  .gt(0, { error: rateError })
  .max(1_000_000, { error: rateError })
  .describe('Requests per second, greater than 0 and at most 1000000');

const loadSchema = z
  .strictObject({
    loop: z
      .enum(['open', 'closed'])
      .default('open')
      .describe('open: requests sent on a schedule at each rate, latency counted from the intended send time; closed: each connection sends its next request when the previous one completes'),
    arrival: z
      .enum(['uniform', 'poisson'])
      .default('uniform')
      .describe('Spacing of requests in the open loop: uniform (evenly spaced) or poisson (random, exponential gaps)'),
    rates: uniqueList(rate, 'rate')
      .optional()
      .describe('Open loop only: the request rates to measure, requests/second, each once; default [1000]'),
    protocol: protocolSchema,
    connections: integer(1, 10_000).default(8).describe('Concurrent HTTP connections, 1 to 10000'),
    streams: streamsSchema,
    requests: requestsSchema,
    grpc: grpcSchema,
    duration: duration({ min: SECOND, max: 24 * HOUR }).prefault('20s').describe('Measured window per phase, as 20s or 1m30s; 1s to 24h'),
    warmup: duration({ min: 0, max: HOUR }).prefault('5s').describe('Load before each measured window, discarded, as 5s; 0 to 1h'),
    repetitions: integer(1, 1000).default(1).describe('Rounds: times each mode and rate is measured (interleaved); each round pairs a mode with the baseline measured next to it, and intervals need at least 2, 1 to 1000'),
    workers: integer(1, 64).default(1).describe('Load generator worker threads, 1 to 64, at most connections'),
    timeout: duration({ min: 1, max: 10 * MINUTE }).prefault('10s').describe('Per-request timeout, counted from the intended send time, as 10s; 1ms to 10m'),
    seed: integer(0, 2 ** 32 - 1).optional().describe('Seed for Poisson arrivals and shuffles, an integer from 0 to 4294967295; default: random, recorded in run.json'),
    order: z
      .enum(['rotated', 'interleaved', 'shuffled'])
      .default('rotated')
      .describe(
        'Order of the modes within each repetition and rate: rotated (A B C, B C A, C A B, …: every mode runs in every place alike, so a machine that warms up or drifts during the run favours none), interleaved (A B C every time) or shuffled with load.seed',
      ),
    noiseFloor: z
      .boolean()
      .default(false)
      .describe('Also run a second baseline (mode baseline-aa) on the same path: an A/A check judged by its own interval; where it differs, deltas must exceed its noise floor to count'),
    onPhaseFailure: z
      .enum(['stop', 'continue'])
      .default('stop')
      .describe('When a phase fails (a proxy or server died, the target refused): stop the run, or continue with the other modes (the failed mode is skipped from then on)'),
  })
  // Cross-field checks run even when a field failed (`when`), so that every problem is reported at once; the values
  // may therefore be of any type, hence the typeof checks.
  .superRefine(
    (load, ctx) => {
      if (load.loop === 'closed' && load.rates !== undefined) {
        addProblem(ctx, 'rates apply to the open loop; remove load.rates or set load.loop: open', undefined, ['rates']);
      }
      if (load.loop === 'closed' && load.arrival === 'poisson') {
        addProblem(ctx, 'arrival applies to the open loop; remove load.arrival or set load.loop: open', undefined, ['arrival']);
      }
      const protocol = typeof load.protocol === 'string' ? load.protocol : 'http1';
      if (protocol === 'http1' && typeof load.streams === 'number' && load.streams !== 1) {
        addProblem(ctx, `streams apply to http2 and grpc; HTTP/1.1 carries one request at a time per connection; got ${load.streams}`, 'remove load.streams, or set load.protocol: http2', ['streams']);
      }
      if (protocol === 'grpc' && load.requests !== undefined) {
        addProblem(ctx, 'requests describe HTTP endpoints; a grpc load calls the method in load.grpc', 'remove load.requests, or set load.protocol: http1 or http2', ['requests']);
      }
      if (protocol !== 'grpc' && load.grpc !== undefined) {
        addProblem(ctx, `grpc applies to load.protocol: grpc; got protocol ${protocol}`, 'set load.protocol: grpc, or remove load.grpc', ['grpc']);
      }
      if (load.loop === 'closed' && protocol !== 'http1') {
        addProblem(ctx, `the closed loop speaks HTTP/1.1 only; got protocol ${protocol}`, 'use the open loop (load.loop: open) for http2 and grpc', ['protocol']);
      }
      if (load.loop === 'closed' && load.requests !== undefined) {
        addProblem(ctx, 'the closed loop sends one request; a request mix needs the open loop', 'remove load.requests, or set load.loop: open', ['requests']);
      }
      const fine = (key: string) => !ctx.issues.some((issue) => issue.path?.[0] === key);
      if (typeof load.workers === 'number' && typeof load.connections === 'number' && fine('workers') && fine('connections')) {
        if (load.workers > load.connections) {
          addProblem(
            ctx,
            `must be at most connections (${load.connections}): each worker needs a connection of its own; got ${load.workers}`,
            `lower load.workers to ${load.connections} or raise load.connections to ${load.workers}`,
            ['workers'],
          );
        }
      }
    },
    { when: (payload) => isRecord(payload.value) },
  )
  .transform(({ rates, ...load }) => ({ ...load, rates: load.loop === 'open' ? (rates ?? [1000]) : [] }))
  .prefault({})
  .describe('How load is generated');

const modeName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, { error: (iss) => `must be a mode name: lowercase letters, digits and '-', starting with a letter; got ${showValue(iss.input)}` });

const thresholdModes = uniqueList(modeName, 'mode').optional().describe('Modes this threshold applies to; default: all modes');
const onNoData = z
  .enum(['pass', 'fail'])
  .optional()
  .describe('What the gate does when the metric could not be measured (too few samples, a failed phase); default: fail');

const LATENCY_METRICS = ['p50-delta', 'p90-delta', 'p95-delta', 'p99-delta', 'p999-delta', 'p50', 'p90', 'p95', 'p99', 'p999'] as const;

const thresholdSchema = z
  .discriminatedUnion('metric', [
    z.strictObject({
      metric: z.enum(LATENCY_METRICS).describe('Latency percentile (pNN) or its increase over baseline (pNN-delta)'),
      max: duration({ min: 0, max: 10 * MINUTE }, 'latency metrics take a duration such as 5ms or 250us as max').describe('Largest acceptable latency, a duration such as 5ms; 0 to 10m'),
      modes: thresholdModes,
      onNoData,
    }),
    z.strictObject({
      metric: z.enum(['mesh-cpu-cores', 'mesh-cpu-per-1k-rps']).describe('CPU used by the mesh, cores (in total or per 1000 requests/second)'),
      max: number(0, 1_000_000, 'CPU metrics take a number of cores from 0 to 1000000 as max, such as 0.5').describe('Largest acceptable CPU, cores (a number >= 0, e.g. 0.5)'),
      modes: thresholdModes,
      onNoData,
    }),
    z.strictObject({
      metric: z.literal('mesh-memory-per-proxy').describe('Memory per mesh proxy'),
      max: size({ min: 0, max: Number.MAX_SAFE_INTEGER }, 'mesh-memory-per-proxy takes a size such as 64MiB as max').describe('Largest acceptable memory per proxy, a size such as 64MiB'),
      modes: thresholdModes,
      onNoData,
    }),
    z.strictObject({
      metric: z.literal('error-rate').describe('Failed requests (errors, timeouts, non-2xx) as a fraction of all requests'),
      max: number(0, 1, 'error-rate takes a fraction from 0 to 1 as max (0.01 = 1%)').describe('Largest acceptable error rate, a fraction from 0 to 1 (0.01 = 1%)'),
      modes: thresholdModes,
      onNoData,
    }),
  ])
  .describe('A gate: the run fails (exit code 3) when the metric exceeds max');

export const scenarioSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION).describe(`Scenario format version: ${API_VERSION}`),
    kind: z.literal('Scenario').describe('Always Scenario'),
    metadata: metadataSchema,
    runtime: z.enum(['local', 'kubernetes']).default('local').describe('Where to run: local (processes on this host) or kubernetes (the current cluster)'),
    local: localSchema,
    kubernetes: kubernetesSchema,
    modes: uniqueList(modeName, 'mode')
      .default(['baseline'])
      .describe('Mesh modes to compare, each once; which exist depends on the runtime (e.g. baseline, sidecar, node-proxy)'),
    workload: workloadSchema,
    load: loadSchema,
    thresholds: z.array(thresholdSchema).default([]).describe('Gates checked after the run'),
    faults: faultsSchema,
    output: z
      .strictObject({ dir: z.string().min(1, { error: 'must not be empty' }).default('results').describe('Directory results are written under') })
      .prefault({})
      .describe('Where results go'),
  })
  // Runs even when other fields failed, like the load checks above.
  .superRefine(
    (scenario, ctx) => {
      const load: Record<string, unknown> = isRecord(scenario.load) ? scenario.load : {};
      faultProblems(scenario.faults, load, ctx);
      const modes = Array.isArray(scenario.modes) ? scenario.modes : ['baseline'];
      const thresholds: unknown[] = Array.isArray(scenario.thresholds) ? scenario.thresholds : [];
      thresholds.forEach((threshold, i) => {
        if (!isRecord(threshold)) return;
        const metric = threshold.metric;
        // Deltas and mesh cost come from comparing a mode with baseline measured in the same run.
        if (typeof metric === 'string' && (metric.endsWith('-delta') || metric.startsWith('mesh-')) && !modes.includes(BASELINE_MODE)) {
          const absolute = metric.replace(/-delta$/, '');
          addProblem(
            ctx,
            `${metric} compares each mode with ${BASELINE_MODE}, but '${BASELINE_MODE}' is not in modes (${modes.join(', ')})`,
            `add ${BASELINE_MODE} to modes${absolute === metric ? '' : `, or gate on the absolute ${absolute} instead`}`,
            ['thresholds', i, 'metric'],
          );
        }
        if (!Array.isArray(threshold.modes)) return;
        threshold.modes.forEach((mode: unknown, j) => {
          if (typeof mode === 'string' && !modes.includes(mode)) {
            addProblem(ctx, `mode '${mode}' is not in modes (${modes.join(', ')})`, `add '${mode}' to modes or remove it from this threshold`, [
              'thresholds',
              i,
              'modes',
              j,
            ]);
          }
        });
      });
    },
    { when: (payload) => isRecord(payload.value) },
  )
  .describe('A meshtax scenario: what to measure, under which load, and the gates to apply');

/**
 * The consent and the timing of a control-plane outage: it is asked for and allowed in the scenario, it needs the
 * open loop (its traffic is read by second of intended send time), and it ends 2 s before the measured window does, so
 * the recovery is seen.
 */
function faultProblems(faults: unknown, load: Record<string, unknown>, ctx: Parameters<typeof addProblem>[0]): void {
  if (!isRecord(faults) || !isRecord(faults.controlPlaneOutage)) return;
  const outage = faults.controlPlaneOutage;
  if (faults.allowControlPlaneOutage !== true) {
    addProblem(
      ctx,
      'controlPlaneOutage takes the mesh\'s control plane down, and the scenario has not consented to that',
      'set faults.allowControlPlaneOutage: true (only on a cluster that is yours to break), or remove faults.controlPlaneOutage',
      ['faults', 'allowControlPlaneOutage'],
    );
  }
  if (load.loop === 'closed') {
    addProblem(ctx, 'a control-plane outage is read second by second from intended send times, which only the open loop has', 'set load.loop: open', ['faults', 'controlPlaneOutage']);
  }
  const window = typeof load.duration === 'number' ? load.duration : 20 * SECOND;
  // Two seconds of the window after the restore: the second it falls in is partly outage, the next is recovery.
  if (typeof outage.at === 'number' && typeof outage.duration === 'number' && outage.at + outage.duration + 2 * SECOND > window) {
    addProblem(
      ctx,
      `the outage (at ${formatDuration(outage.at)} for ${formatDuration(outage.duration)}) must end at least 2s before the measured window of ${formatDuration(window)} does, so traffic after the restore is measured`,
      `start it earlier, shorten it, or set load.duration to at least ${formatDuration(outage.at + outage.duration + 2 * SECOND)}`,
      ['faults', 'controlPlaneOutage', 'duration'],
    );
  }
}

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type Threshold = Scenario['thresholds'][number];
