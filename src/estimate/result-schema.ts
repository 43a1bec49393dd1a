import { z } from 'zod';

/**
 * The result of `meshtax estimate --format json`: one source of truth for its shape; schemas/estimate.schema.json is
 * generated from it (scripts/gen-schemas.ts). Every figure is per month for the whole fleet unless its name says
 * otherwise; CPU in cores, memory in bytes, money in the fleet file's currency.
 */

export const ESTIMATE_SCHEMA_VERSION = 1;

export const rangeSchema = z
  .strictObject({
    value: z.number().describe('the estimate from the measured point values'),
    low: z.number().nullable().describe('the same arithmetic on the low ends of the measured intervals; null when the run has no interval (1 repetition)'),
    high: z.number().nullable().describe('the same arithmetic on the high ends of the measured intervals; null when the run has no interval'),
  })
  .describe('A projected figure and the bounds carried linearly from the measured confidence intervals');

const bounds = z.strictObject({ low: z.number(), high: z.number() }).nullable().describe('confidence interval from run.json; null with fewer than 2 repetitions');

const sourceSchema = z.strictObject({
  file: z.string().describe('the run.json the figures come from'),
  runId: z.string(),
  rate: z.number().nullable().describe('requested rate of the comparison used, requests per second; null in the closed loop'),
  achievedRps: z.number().describe('requests per second the mode\'s phases achieved, mean over repetitions'),
  repetitions: z.number().int(),
  confidence: z.number().describe('two-sided confidence level of the measured intervals'),
  reliability: z.enum(['none', 'low', 'ok']),
  intervalMethod: z.string(),
});

const roleSchema = z.enum(['sidecar', 'node-proxy', 'waypoint']);

const fixedPartSchema = z.strictObject({
  role: roleSchema,
  scaledBy: z.enum(['pods', 'nodes', 'waypoints']).describe('what the fleet count of this role\'s proxies is: one sidecar per pod, one node proxy per node, the fleet\'s waypoints'),
  measuredProxies: z.number().int().describe('proxies of this role in the measured request path'),
  fleetProxies: z.number().int().describe('proxies of this role the fleet would run'),
  idleCpuPerProxyCores: z.number().describe('CPU of one proxy before load, cores (measured idle level of the role / its proxies)'),
  idleMemoryPerProxyBytes: z.number().describe('memory of one proxy before load, bytes'),
  cpuCores: z.number().describe('idleCpuPerProxyCores × fleetProxies'),
  memoryBytes: z.number().describe('idleMemoryPerProxyBytes × fleetProxies'),
});

const trafficSchema = z.strictObject({
  fleetRps: z.number().describe('requests per second the fleet\'s services receive, summed'),
  cpuPer1kRps: rangeSchema.describe('mesh CPU above idle per 1000 requests per second, cores: (measured mesh CPU − idle) / (achieved rps / 1000)'),
  memoryPer1kRpsBytes: rangeSchema.describe('mesh memory above idle per 1000 requests per second, bytes'),
  cpuCores: rangeSchema.describe('cpuPer1kRps × fleetRps / 1000'),
  memoryBytes: rangeSchema.describe('memoryPer1kRpsBytes × fleetRps / 1000'),
});

const moneySchema = z.strictObject({
  byNodeMonth: rangeSchema.nullable().describe('nodes × price.nodeMonth; null without that price'),
  byResourceHours: rangeSchema.nullable().describe('(cores × price.coreHour + GiB × price.gibHour) × hoursPerMonth; null without those prices'),
});

const estimatedSchema = z.strictObject({
  status: z.literal('estimated'),
  mode: z.string(),
  baseline: z.string(),
  source: sourceSchema,
  measured: z.strictObject({
    meshCpuCores: z.number().describe('mesh CPU under load on the measured path, cores'),
    meshCpuInterval: bounds,
    meshMemoryBytes: z.number().describe('mesh memory under load on the measured path, bytes'),
    meshMemoryInterval: bounds,
    meshCpuPer1kRps: z.number().nullable().describe('run.json\'s own figure: mesh CPU (idle included) per 1000 rps achieved, cores'),
    idleCpuCores: z.number().describe('mesh CPU before load on the measured path that meshCpuCores still contains, cores (a shared component, already charged only its increase over idle, adds none)'),
    idleMemoryBytes: z.number().describe('mesh memory before load on the measured path that meshMemoryBytes still contains, bytes (a shared component adds none)'),
    latencyDeltaUs: z.strictObject({ p50: z.number().nullable(), p99: z.number().nullable() }).describe('latency the mode added on one hop, microseconds'),
    latencyIntervalUs: z.strictObject({ p50: bounds, p99: bounds }),
  }),
  fixed: z.array(fixedPartSchema).describe('the part of the cost each proxy has before any request: scaled by how many proxies the fleet runs'),
  traffic: trafficSchema.describe('the part of the cost that grows with requests: scaled by the fleet\'s traffic'),
  cpuCores: rangeSchema.describe('fixed + traffic CPU the mode adds to the fleet, cores'),
  memoryBytes: rangeSchema.describe('fixed + traffic memory the mode adds to the fleet, bytes'),
  nodes: rangeSchema.describe('node-equivalents the mode adds: the larger of cpuCores / node cores and memoryBytes / node memory'),
  wholeNodes: z.number().int().describe('nodes.value rounded up: what a cluster would add'),
  money: moneySchema.describe('per month, in the fleet\'s currency'),
  engineerHours: rangeSchema.nullable().describe('the money (by node-month when priced so, else by resource-hours) as engineer hours at networkTax.hourlyCost; null without networkTax'),
  notes: z.array(z.string()).describe('what a reader must know about this estimate'),
});

const notEstimatedSchema = z.strictObject({
  status: z.literal('not-estimated'),
  mode: z.string(),
  baseline: z.string(),
  source: sourceSchema,
  reasons: z.array(z.string()).describe('what run.json lacks for the estimate'),
});

export const modeEstimateSchema = z.discriminatedUnion('status', [estimatedSchema, notEstimatedSchema]);

export const estimateResultSchema = z.strictObject({
  schemaVersion: z.literal(ESTIMATE_SCHEMA_VERSION),
  tool: z.strictObject({ name: z.string(), version: z.string() }),
  fleet: z.strictObject({
    name: z.string(),
    file: z.string(),
    services: z.number().int().describe('services, counting each `count`'),
    pods: z.number().int(),
    rps: z.number().describe('requests per second, summed over services'),
    nodes: z.number().int(),
    nodeCores: z.number(),
    nodeMemoryBytes: z.number(),
    waypoints: z.number().int(),
    currency: z.string(),
    hoursPerMonth: z.number().describe('hours in a month used for hourly prices: 8760 / 12'),
  }),
  model: z.array(z.string()).describe('the model the estimate uses, one sentence each'),
  modes: z.array(modeEstimateSchema),
  unused: z
    .array(z.strictObject({ mode: z.string(), rate: z.number().nullable(), file: z.string(), reason: z.string() }))
    .describe('comparisons in the runs that were not used, and why (an invalid measurement is never a cost)'),
  networkTax: z
    .strictObject({ engineerHoursPerMonth: z.number(), hourlyCost: z.number(), monthlyCost: z.number().describe('engineerHoursPerMonth × hourlyCost') })
    .nullable()
    .describe('what the team says it pays today without a mesh; null when the fleet file does not say'),
});

export type Range = z.infer<typeof rangeSchema>;
export type ModeEstimate = z.infer<typeof modeEstimateSchema>;
export type EstimatedMode = z.infer<typeof estimatedSchema>;
export type EstimateResult = z.infer<typeof estimateResultSchema>;
