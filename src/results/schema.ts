import { z } from 'zod';
import { RUN_ID_PATTERN } from './run-id.ts';
import { ROLES } from '../core/modes.ts';
import { perPercentile } from '../core/percentiles.ts';
import { runtimeDescriptionSchema } from '../runtimes/descriptions.ts';

/** run.json: one source of truth for its shape; schemas/run.schema.json is generated from this. */
export const RUN_SCHEMA_VERSION = 1;

const us = (what: string) => z.number().nonnegative().describe(`${what}, microseconds`);
const percentile = (what: string) =>
  z.number().nonnegative().nullable().describe(`${what}, microseconds; null when too few samples to locate it`);

const chainDepth = z
  .number()
  .int()
  .positive()
  .optional()
  .describe('with workload.chain: the services on the path measured (1 to the chain\'s depth); absent for one service');

export const latencySummarySchema = z
  .strictObject({
    ...perPercentile((_key, percent) => percentile(`${percent}th percentile`)),
    max: us('largest value'),
    mean: us('arithmetic mean'),
  })
  .describe('Percentiles of an HdrHistogram (1 µs to 60 s, 3 significant digits)');

export const warningSchema = z.strictObject({
  code: z.string().describe('stable identifier, e.g. generator-behind, errors, few-samples'),
  message: z.string(),
  hint: z.string().optional().describe('what to do about it'),
});

export const validitySchema = z
  .strictObject({
    valid: z.boolean().describe('false when the measurement cannot be read as what the system under test does'),
    reasons: z
      .array(
        z.strictObject({
          code: z.string().describe('below-rate (under 99% of the requested rate), no-requests (none finished in the window), failed-requests (more than 0.1% failed) or generator-tail (the generator\'s own lateness is the tail)'),
          message: z.string(),
        }),
      )
      .describe('why it is invalid; empty when valid'),
  })
  .describe('Whether the measurement holds up. Absent in run.json written before meshtax recorded it: readers work it out from the phase');

export const countsSchema = z
  .strictObject({
    ok: z.number().int().nonnegative().describe('responses with an expected status: 2xx unless load.requests says otherwise; gRPC: grpc-status 0'),
    non2xx: z.number().int().nonnegative().describe('complete responses with another status; they count as failed'),
    errors: z.number().int().nonnegative().describe('connection errors and malformed responses'),
    timeouts: z.number().int().nonnegative().describe('requests without a response within the timeout, counted from the intended send time'),
  })
  .describe('Outcomes of the requests whose intended send time fell in the measured window');

export const roleSchema = z
  .enum(ROLES)
  .describe('What the process or container does: the mesh cost lives in sidecar, node-proxy and waypoint');

export const resourceSchema = z.strictObject({
  pod: z.string(),
  container: z.string(),
  role: roleSchema,
  node: z.string().optional().describe('the node the pod ran on (Kubernetes: its nodeName; local: the logical node-a or node-b); absent in run.json written before meshtax recorded it'),
  cpuCores: z.number().nonnegative().describe('CPU over the measured window, cores (cumulative CPU time differenced over the window)'),
  memoryBytes: z.number().nonnegative().describe('mean memory over the window, bytes (PSS where available, else RSS; working set on Kubernetes)'),
  memoryBytesMax: z.number().nonnegative().describe('largest memory sample in the window, bytes'),
  memoryKind: z.enum(['pss', 'rss', 'working-set']).describe('which memory figure the memory fields hold'),
  idleCpuCores: z.number().nonnegative().nullable().describe('CPU before load, cores; null when not measured'),
  idleMemoryBytes: z.number().nonnegative().nullable().describe('memory before load, bytes; null when not measured'),
  shared: z
    .boolean()
    .optional()
    .describe('true for a component that serves other workloads too (ztunnel, istiod, Linkerd\'s control plane): comparisons charge only its increase over its idle level'),
});

const fraction = (what: string) => z.number().min(0).max(1).nullable().describe(`${what}, a fraction 0–1 of all CPU time of all cores over the measured window (/proc/stat differenced); null where /proc/stat is unreadable`);

export const machineSchema = z
  .strictObject({
    cores: z.number().int().positive().describe('logical CPUs of the machine'),
    loadAverage1m: z
      .strictObject({ start: z.number().nonnegative().nullable(), end: z.number().nonnegative().nullable() })
      .describe('1-minute load average (runnable and uninterruptible tasks, machine-wide) at the start and end of the measured window; null where the platform has none'),
    cpuBusyFraction: fraction('time spent on work (user, nice, system, irq, softirq)'),
    stealFraction: fraction('time stolen by the hypervisor for other guests'),
  })
  .describe('The machine the generator ran on (on Kubernetes: its node), during the measured window');

export const meshHopSchema = z
  .strictObject({
    hop: z.string().describe('the proxy on the path, e.g. "client istio-proxy (outbound)", "server-node ztunnel (inbound)", "waypoint"'),
    counter: z.string().describe('the counter read from the proxy\'s own metrics endpoint, with its label filter and port'),
    unit: z.enum(['requests', 'connections']).describe('what the counter counts (ztunnel is an L4 proxy: connections)'),
    pods: z
      .array(
        z.strictObject({
          pod: z.string(),
          before: z.number().nonnegative().nullable().describe('before the phase\'s load (warmup included); null for a pod started with the phase, whose counter starts at 0'),
          after: z.number().nonnegative().nullable().describe('after the phase; null when it could not be read'),
          restarted: z.boolean().optional().describe('the counter went down: the proxy restarted (or dropped idle series) during the phase; its increase counts from 0'),
          error: z.string().optional().describe('why the counter could not be read'),
        }),
      )
      .describe('the pods of this hop whose counters were read'),
    seen: z.number().nonnegative().nullable().describe('increase of the counter over the phase (warmup, window and drain), summed over the pods; null when unreadable'),
    status: z
      .enum(['ok', 'none', 'short', 'unreadable'])
      .describe('ok: the hop saw the traffic; none: it saw nothing (the phase failed); short: fewer requests than the measured window sent; unreadable: no figure'),
  })
  .describe('What one mesh proxy on the request path counted during a phase');

export const endpointSchema = z
  .strictObject({
    name: z.string().describe('the endpoint\'s name (load.requests[].name, or method and path; gRPC: the method)'),
    method: z.string(),
    path: z.string(),
    counts: countsSchema,
    latencyUs: latencySummarySchema.describe('latency from the intended send time'),
    serviceTimeUs: latencySummarySchema.describe('service time from the actual send'),
    histogram: z.string().describe('latency HdrHistogram, compressed base64, microseconds; the endpoints\' histograms add up exactly to the phase\'s'),
    serviceTimeHistogram: z.string().describe('service-time HdrHistogram, compressed base64, microseconds'),
  })
  .describe('One endpoint of the request mix in one phase');

const trafficSpanSchema = z
  .strictObject({
    seconds: z.number().int().nonnegative().describe('whole seconds of the measured window in this span'),
    requests: z.number().int().nonnegative().describe('requests intended in these seconds'),
    failed: z.number().int().nonnegative().describe('of those, failed (unexpected status, connection error, timeout)'),
    errorRate: z.number().min(0).max(1).nullable().describe('failed / requests; null without requests'),
    p50Us: z.number().nonnegative().nullable().describe('median latency of the answered requests, microseconds; null with too few'),
    p99Us: z.number().nonnegative().nullable().describe('99th percentile latency of the answered requests, microseconds; null with too few'),
  })
  .describe('Traffic over a span of the phase: the seconds before the outage, during it, or after the restore');

export const outageSchema = z
  .strictObject({
    mesh: z.string().describe('the mesh whose control plane was stopped (istio, linkerd)'),
    components: z
      .array(
        z.strictObject({
          kind: z.string().describe('e.g. Deployment'),
          namespace: z.string(),
          name: z.string(),
          replicas: z.number().int().nonnegative().describe('replicas before the outage, restored after it'),
        }),
      )
      .describe('what was scaled to zero and back'),
    plannedAtS: z.number().nonnegative().describe('faults.controlPlaneOutage.at: seconds into the measured window'),
    plannedDurationS: z.number().positive().describe('faults.controlPlaneOutage.duration, seconds'),
    startS: z.number().nullable().describe('when the control plane was stopped (the scale to zero accepted), seconds from the start of the measured window; null when it never was'),
    restoreS: z.number().nullable().describe('when the restore was accepted, seconds from the start of the measured window; null when it was not'),
    restored: z.boolean().describe('whether every component got its replicas back (false: see error, and restore by hand)'),
    error: z.string().optional().describe('what went wrong stopping or restoring'),
    recovery: z.strictObject({
      controlPlaneReadyS: z.number().nonnegative().nullable().describe('restore to every component Ready with its replicas again, seconds; null when not within faults.controlPlaneOutage.recoveryTimeout'),
      firstOkSecond: z.number().int().nonnegative().nullable().describe('the first second of the window at or after the restore with a successful request; null when none'),
      trafficRecoveredSecond: z
        .number()
        .int()
        .nonnegative()
        .nullable()
        .describe('the first second at or after the restore from which every second\'s error rate is back at or below the rate before the outage; null when it never was within the window'),
    }),
    probePod: z
      .strictObject({
        name: z.string(),
        admitted: z.boolean().describe('whether the API server accepted the pod during the outage (an injection webhook that fails closed refuses it)'),
        error: z.string().optional().describe('why it was refused'),
        injected: z.boolean().nullable().describe('whether it got the mesh\'s proxy (sidecar modes: the proxy container; ambient: the redirection annotation); null when not admitted or not applicable'),
        readyDuringOutage: z.boolean().describe('whether it turned Ready before the restore'),
        readyAfterS: z.number().nonnegative().nullable().describe('creation to Ready, seconds; null when it never was within the recovery timeout'),
      })
      .nullable()
      .describe('a pod started as the outage began; null without faults.controlPlaneOutage.probePod'),
    traffic: z.strictObject({ before: trafficSpanSchema, during: trafficSpanSchema, after: trafficSpanSchema }),
    seconds: z
      .array(
        z.strictObject({
          second: z.number().int().nonnegative().describe('0-based second of the measured window, by intended send time'),
          span: z.enum(['before', 'during', 'after']).describe('where the second lies against the outage (a second it began or ended in counts as during)'),
          ok: z.number().int().nonnegative(),
          failed: z.number().int().nonnegative(),
          p50Us: z.number().nonnegative().nullable(),
          p99Us: z.number().nonnegative().nullable(),
          maxUs: z.number().nonnegative().nullable(),
        }),
      )
      .describe('the phase second by second'),
    unplacedFailures: z.number().int().nonnegative().describe('failed requests the generator counted without their intended time (given up in its queue): in the phase\'s counts, in no second'),
  })
  .describe('A control-plane outage during this phase (faults.controlPlaneOutage) and what it did');

export const phaseSchema = z.strictObject({
  mode: z.string().describe('mesh mode measured (for `meshtax load`, "external")'),
  rate: z.number().positive().nullable().describe('requested rate, requests per second; null in the closed loop'),
  repetition: z.number().int().positive().describe('1-based repetition number'),
  depth: chainDepth,
  loop: z.enum(['open', 'closed']),
  connections: z.number().int().positive(),
  startedAt: z.iso.datetime().describe('start of the measured window (warmup excluded)'),
  durationS: z.number().positive().describe('length of the measured window, seconds'),
  achievedRps: z.number().nonnegative().describe('requests sent during the measured window per second'),
  counts: countsSchema,
  bytesReceived: z.number().int().nonnegative().describe('response bytes received in the measured window, headers included'),
  latencyUs: latencySummarySchema.describe('latency from the intended send time (correct under coordinated omission)'),
  serviceTimeUs: latencySummarySchema.describe('service time from the actual send'),
  histogram: z.string().describe('latency HdrHistogram, compressed base64, values in microseconds'),
  serviceTimeHistogram: z.string().describe('service-time HdrHistogram, compressed base64, values in microseconds'),
  generator: z.strictObject({
    cpuCores: z.number().nonnegative().describe('CPU used by the generator process over the measured window, cores'),
    slipUs: z
      .strictObject({ p50: z.number(), p99: z.number(), max: z.number() })
      .describe('scheduler lateness: intended send time to the moment the scheduler handled the request, microseconds'),
    queued: z.number().int().nonnegative().describe('requests that waited for a free connection'),
    workers: z.number().int().positive().describe('generator worker threads'),
    realtime: z
      .boolean()
      .optional()
      .describe('open loop: whether the generator\'s timing threads ran under the real-time policy SCHED_FIFO (it needs root or CAP_SYS_NICE; without it a busy machine delays their wake-ups); absent for the closed loop and in older files'),
  }),
  protocol: z.enum(['http2', 'grpc']).optional().describe('protocol the generator spoke; absent: HTTP/1.1'),
  endpoints: z.array(endpointSchema).optional().describe('per endpoint of the request mix (load.requests; gRPC: the method called); absent without one'),
  machine: machineSchema.optional().describe('the generator\'s machine during the measured window; absent in run.json files written by earlier meshtax versions'),
  resources: z.array(resourceSchema).describe('per process or container, attributed to pod, container and role'),
  meshPath: z
    .array(meshHopSchema)
    .optional()
    .describe('per mesh proxy on the path, its own counters read before and after the phase: proof the requests took the mesh path; absent for modes without a mesh and runtimes that cannot read them'),
  warnings: z.array(warningSchema),
  validity: validitySchema.optional(),
  controlPlaneOutage: outageSchema.optional().describe('with faults.controlPlaneOutage, in the phases of modes with a control plane'),
});

const intervalSchema = z
  .strictObject({ low: z.number(), high: z.number() })
  .nullable()
  .describe('confidence interval, in the unit of the value it bounds; null with fewer than 2 rounds or when a repetition lacks the samples for the percentile (the significance reason says which)');

const significanceSchema = z
  .strictObject({ significant: z.boolean().nullable(), reason: z.string() })
  .describe('null when there is no interval to judge by');

const deltaUs = (what: string) => z.number().nullable().describe(`${what} of the mode minus baseline, microseconds; null when either lacks the samples`);

export const comparisonSchema = z.strictObject({
  mode: z.string(),
  baseline: z.string().describe('the mode compared against'),
  rate: z.number().positive().nullable().describe('requested rate, requests per second; null in the closed loop'),
  depth: chainDepth,
  repetitions: z.number().int().positive().describe('repetitions pooled on each side (the rounds paired for intervals are those both sides completed)'),
  latencyDeltaUs: z
    .strictObject(perPercentile((key) => deltaUs(key)))
    .describe('percentiles of the pooled histograms (all repetitions), mode minus baseline'),
  meshCpuCores: z.number().nonnegative().describe('CPU of the mesh roles (sidecar, node-proxy, waypoint), cores, mean over repetitions'),
  meshMemoryBytes: z.number().nonnegative().describe('memory of the mesh roles, bytes, mean over repetitions'),
  meshCpuPer1kRps: z.number().nonnegative().nullable().describe('meshCpuCores per 1000 requests per second achieved'),
  meshMemoryPerProxyBytes: z.number().nonnegative().nullable().describe('meshMemoryBytes divided by the number of mesh proxies'),
  proxies: z.number().int().nonnegative().describe('mesh proxies on the request path'),
  controlPlaneCpuCores: z
    .number()
    .nonnegative()
    .optional()
    .describe('CPU the mode added to its mesh\'s control plane (istiod, Linkerd\'s), cores, mean over repetitions: its increase over its idle level (all of it when no idle level was measured); not in meshCpuCores. Absent where no control plane was measured'),
  controlPlaneMemoryBytes: z
    .number()
    .nonnegative()
    .optional()
    .describe('memory the mode added to its mesh\'s control plane, bytes, mean over repetitions: its increase over its idle level; not in meshMemoryBytes'),
  meshPerNode: z
    .array(
      z.strictObject({
        node: z.string().describe('Kubernetes: the nodeName of the pods; local: the logical node (node-a holds the client pod and node A\'s proxy, node-b the server pod, node B\'s proxy and a waypoint)'),
        containers: z.number().int().nonnegative().describe('mesh containers on the node: sidecars in its pods, its node proxy (ztunnel), waypoints placed on it'),
        cpuCores: z.number().nonnegative().describe('their CPU summed, cores, mean over the rounds (a shared component: its increase over idle)'),
        memoryBytes: z.number().nonnegative().describe('their memory summed, bytes, mean over the rounds'),
        intervals: z
          .strictObject({ cpuCores: intervalSchema, memoryBytes: intervalSchema })
          .describe('Student t intervals over the rounds\' per-node sums, against no mesh'),
      }),
    )
    .optional()
    .describe('what the mesh adds per node, for budgeting sidecar against ambient; absent in run.json written before nodes were recorded'),
  appCpuDeltaCores: z.number().describe('change of the app containers\' CPU against baseline, cores'),
  loadgenCpuDeltaCores: z.number().describe('change of the load generator\'s CPU against baseline, cores'),
  intervals: z
    .strictObject({
      method: z.string().describe('how the intervals were computed'),
      confidence: z.number().describe('two-sided confidence level, e.g. 0.95'),
      reliability: z.enum(['none', 'low', 'ok']).describe('none: fewer than 2 rounds (no interval); low: 2 to 4 rounds (honest but wide); ok: 5 or more'),
      latencyDeltaUs: z.strictObject(perPercentile(() => intervalSchema)),
      meshCpuCores: intervalSchema,
      meshMemoryBytes: intervalSchema,
    })
    .describe('Student t intervals of the mean per-round difference, each mode paired with the baseline of the same round (repetition); mesh CPU and memory against no mesh'),
  significant: z
    .strictObject({
      ...perPercentile(() => significanceSchema),
      meshCpuCores: significanceSchema,
      meshMemoryBytes: significanceSchema,
    })
    .describe('whether each delta is significant: its interval excludes 0 (and, where the A/A pair itself differed, exceeds the noise floor); reason says why, or why there is no interval'),
  noiseFloorUs: z
    .strictObject(perPercentile(() => z.number().nullable()))
    .nullable()
    .describe('A/A noise floor at this rate, µs: the largest |delta| the baseline-aa interval allows; it judges a delta only at percentiles where the A/A pair itself differed; null without load.noiseFloor'),
  validity: validitySchema
    .optional()
    .describe('invalid when a phase on either side is: its deltas are then not mesh tax. Absent in older run.json: readers work it out from the phases'),
});

export const thresholdResultSchema = z.strictObject({
  metric: z.string().describe('the scenario threshold\'s metric, e.g. p99-delta, mesh-cpu-per-1k-rps, error-rate'),
  max: z.number().describe('the limit, in the metric\'s unit (µs for latency, cores, bytes, a fraction for error-rate)'),
  unit: z.enum(['us', 'cores', 'bytes', 'fraction']),
  mode: z.string(),
  rate: z.number().positive().nullable(),
  value: z.number().nullable().describe('the measured value (delta or absolute), null when there was nothing to judge'),
  interval: z.strictObject({ low: z.number(), high: z.number() }).nullable().describe('its confidence interval, when repetitions allow one'),
  status: z
    .enum(['pass', 'fail', 'no-data', 'invalid'])
    .describe(
      'fail when the value exceeds max, or when it could not be measured (unless the threshold says onNoData: pass, then no-data); invalid when the comparison it judges is an invalid measurement',
    ),
  reason: z.string().describe('one line a person reads in a CI log'),
});

export const failureSchema = z.strictObject({
  mode: z.string(),
  rate: z.number().positive().nullable(),
  repetition: z.number().int().positive(),
  depth: chainDepth,
  error: z.string(),
});

const byPercentile = <T extends z.ZodType>(schema: T) => z.strictObject({ p50: schema, p90: schema, p95: schema, p99: schema, p999: schema });

const fitSchema = z
  .strictObject({
    estimate: z.number().nullable().describe('from the pooled histograms of each depth, µs; null when a depth lacks the samples'),
    interval: z.strictObject({ low: z.number(), high: z.number() }).nullable().describe('Student t interval of the per-round fits; null with fewer than 2 rounds or a percentile some round lacks the samples for'),
    reason: z.string().describe('why there is no interval, or how it reads'),
  })
  .describe('a least-squares coefficient of the mesh\'s delta against the chain\'s depth, microseconds');

export const chainResultSchema = z.strictObject({
  mode: z.string(),
  baseline: z.string(),
  rate: z.number().positive().nullable(),
  depth: z.number().int().positive().describe('deepest chain measured; every depth from 1 up was measured'),
  fanOut: z.number().int().positive().describe('parallel calls per hop'),
  rounds: z.number().int().nonnegative().describe('rounds with every depth of both the mode and baseline measured: the unit of the intervals'),
  perDepth: z
    .array(
      z.strictObject({
        depth: z.number().int().positive(),
        latencyDeltaUs: byPercentile(z.number().nullable()).describe('end-to-end delta at this depth (the comparison\'s), µs'),
      }),
    )
    .describe('the end-to-end delta at each depth'),
  perHopUs: byPercentile(fitSchema).describe('the per-hop tax: slope of the delta over depth'),
  curvatureUs: byPercentile(fitSchema)
    .nullable()
    .describe('the quadratic coefficient of the delta over depth (orthogonal polynomial fit), µs per hop²: above 0 the tax compounds faster than linearly; null below depth 3'),
  compounding: byPercentile(z.enum(['faster-than-linear', 'linear', 'slower-than-linear', 'unknown']))
    .describe('faster-than-linear when the curvature\'s interval lies above 0, slower-than-linear below 0, linear when it includes 0, unknown without an interval'),
  singleHop: byPercentile(
    z.strictObject({
      deltaUs: z.number().nullable().describe('the depth-1 delta, µs'),
      withinPerHopInterval: z.boolean().nullable().describe('whether the depth-1 delta lies inside the per-hop slope\'s interval; null without one'),
    }),
  ).describe('the single-hop delta of the same run against the slope'),
  method: z.string(),
});

export const runSchema = z.strictObject({
  schemaVersion: z.literal(RUN_SCHEMA_VERSION),
  runId: z.string().regex(RUN_ID_PATTERN).describe('date, time and 4 hex digits, e.g. 20261201-120000-ab12: what meshtax run makes'),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable().describe('null while the run is still going'),
  status: z
    .enum(['running', 'completed', 'failed', 'interrupted'])
    .describe('running while phases are being measured (a file left in this state means the process died)'),
  error: z.string().optional().describe('why the run failed'),
  tool: z.strictObject({ name: z.string(), version: z.string() }),
  environment: z.strictObject({
    node: z.string(),
    os: z.strictObject({ platform: z.string(), release: z.string(), arch: z.string() }),
    cpus: z.strictObject({ count: z.number().int(), model: z.string() }),
    memoryBytes: z.number().int(),
    loadAverage: z.array(z.number()).describe('1, 5 and 15 minute load averages when the run started'),
    runtime: runtimeDescriptionSchema,
  }),
  scenario: z.record(z.string(), z.unknown()).describe('the resolved scenario: defaults applied, durations in milliseconds, sizes in bytes'),
  scenarioSource: z.string().describe('the scenario file the run was made from'),
  warnings: z.array(warningSchema),
  phases: z.array(phaseSchema),
  failures: z.array(failureSchema).describe('phases that failed; with load.onPhaseFailure: continue the run went on without them'),
  comparisons: z.array(comparisonSchema).describe('each mode against baseline, per rate'),
  thresholds: z.array(thresholdResultSchema).describe('the scenario\'s thresholds, one entry per metric, mode and rate'),
  chains: z.array(chainResultSchema).optional().describe('with workload.chain: per mode and rate, the delta per depth and the per-hop tax'),
});

export type RunDocument = z.infer<typeof runSchema>;
export type PhaseRecord = z.infer<typeof phaseSchema>;
export type MeshHopRecord = z.infer<typeof meshHopSchema>;
export type RunStatus = RunDocument['status'];
export type ResourceRecord = z.infer<typeof resourceSchema>;
export type Comparison = z.infer<typeof comparisonSchema>;
export type ThresholdResult = z.infer<typeof thresholdResultSchema>;
export type Validity = z.infer<typeof validitySchema>;
export type ChainResult = z.infer<typeof chainResultSchema>;
export type OutageRecord = z.infer<typeof outageSchema>;
export type TrafficSpan = z.infer<typeof trafficSpanSchema>;
