import { z } from 'zod';

/** run.json: one source of truth for its shape; schemas/run.schema.json is generated from this. */
export const RUN_SCHEMA_VERSION = 1;

const us = (what: string) => z.number().nonnegative().describe(`${what}, microseconds`);
const percentile = (what: string) =>
  z.number().nonnegative().nullable().describe(`${what}, microseconds; null when too few samples to locate it`);

export const latencySummarySchema = z
  .strictObject({
    p50: percentile('50th percentile'),
    p90: percentile('90th percentile'),
    p95: percentile('95th percentile'),
    p99: percentile('99th percentile'),
    p999: percentile('99.9th percentile'),
    max: us('largest value'),
    mean: us('arithmetic mean'),
  })
  .describe('Percentiles of an HdrHistogram (1 µs to 60 s, 3 significant digits)');

export const warningSchema = z.strictObject({
  code: z.string().describe('stable identifier, e.g. generator-behind, errors, few-samples'),
  message: z.string(),
  hint: z.string().optional().describe('what to do about it'),
});

export const countsSchema = z
  .strictObject({
    ok: z.number().int().nonnegative().describe('responses with a 2xx status'),
    non2xx: z.number().int().nonnegative().describe('complete responses with another status'),
    errors: z.number().int().nonnegative().describe('connection errors and malformed responses'),
    timeouts: z.number().int().nonnegative().describe('requests without a response within the timeout, counted from the intended send time'),
  })
  .describe('Outcomes of the requests whose intended send time fell in the measured window');

export const phaseSchema = z.strictObject({
  mode: z.string().describe('mesh mode measured (for `meshtax load`, "external")'),
  rate: z.number().positive().nullable().describe('requested rate, requests per second; null in the closed loop'),
  repetition: z.number().int().positive().describe('1-based repetition number'),
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
  }),
  warnings: z.array(warningSchema),
});

export const runSchema = z.strictObject({
  schemaVersion: z.literal(RUN_SCHEMA_VERSION),
  runId: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
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
    runtime: z.record(z.string(), z.unknown()).describe('details of the runtime that hosted the modes'),
  }),
  scenario: z.record(z.string(), z.unknown()).describe('the resolved scenario: defaults applied, durations in milliseconds, sizes in bytes'),
  scenarioSource: z.string().describe('the scenario file the run was made from'),
  warnings: z.array(warningSchema),
  phases: z.array(phaseSchema),
});

export type RunDocument = z.infer<typeof runSchema>;
export type PhaseRecord = z.infer<typeof phaseSchema>;
export type RunStatus = RunDocument['status'];
