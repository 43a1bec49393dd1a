import { z } from 'zod';

/** startup.json: what `meshtax startup` measured; schemas/startup.schema.json is generated from this. */
export const STARTUP_SCHEMA_VERSION = 1;

const ms = (what: string) => z.number().nonnegative().describe(`${what}, milliseconds`);
const interval = z
  .strictObject({ low: z.number(), high: z.number() })
  .nullable()
  .describe('95% Student t interval over the rounds, in the unit of its estimate; null with fewer than 2 rounds');

const resources = z.strictObject({
  cpuCores: z.number().describe('CPU, cores'),
  memoryBytes: z.number().describe('memory, bytes'),
});

/** Start-up times of one measure over all rounds: pooled percentiles, per-round medians and their intervals. */
const timing = {
  startupMs: z
    .strictObject({ p50: ms('median'), p90: ms('90th percentile'), p99: ms('99th percentile'), max: ms('slowest') })
    .nullable()
    .describe('start-up time pooled over rounds (nearest-rank percentiles); null when no pod started'),
  perRoundP50Ms: z.array(z.number().nonnegative()).describe('each round\'s median, milliseconds'),
  p50IntervalMs: interval.describe('interval of the mean per-round median'),
  deltaP50Ms: z
    .strictObject({ estimate: z.number(), interval })
    .nullable()
    .describe('mode minus baseline: per-round medians paired by round; null for baseline or without one'),
};

export const firstAnswerSchema = z
  .discriminatedUnion('measured', [
    z.strictObject({
      measured: z.literal(true),
      samples: z.number().int().nonnegative().describe('pods that answered over all rounds'),
      unanswered: z.number().int().nonnegative().describe('pods that never answered 2xx within the timeout'),
      firstTry: z
        .number()
        .int()
        .nonnegative()
        .describe('pods that answered the very first request: their time is an upper bound (they may have been able to answer earlier)'),
      ...timing,
      clockErrorMs: z
        .number()
        .nonnegative()
        .describe('bound on the error of carrying the prober\'s clock to meshtax\'s: half the shortest round trip of the clock readings, the largest over rounds; 0 where one clock times both ends'),
      pollIntervalMs: z.number().positive().describe('how often each new pod was asked: the times\' resolution, beside the request\'s own latency'),
    }),
    z.strictObject({
      measured: z.literal(false),
      reason: z.string().describe('why the mode\'s first answers could not be measured'),
    }),
  ])
  .describe(
    'creation (Kubernetes) or start (local) to the first 2xx answer through the mode\'s data path: on Kubernetes a meshed prober pod on the client node polls each new pod; locally the start-up measure itself',
  );

export const startupModeSchema = z.strictObject({
  mode: z.string(),
  samples: z.number().int().nonnegative().describe('pods that became ready (or answered) over all rounds'),
  failed: z.number().int().nonnegative().describe('pods that did not within the timeout'),
  ...timing,
  firstAnswer: firstAnswerSchema,
  added: z
    .strictObject({
      injectedContainers: z.array(z.string()).describe('containers (and init containers) the mesh\'s admission added to the pod'),
      requests: resources.describe('effective pod requests of the admitted pod minus the template\'s (Kubernetes\' rule: the larger of the app and restartable init containers summed and the largest other init container)'),
      limits: z
        .strictObject({ cpuCores: z.number().nullable(), memoryBytes: z.number().nullable() })
        .describe('the same for limits; null when a container has no such limit (the pod is then unbounded)'),
    })
    .nullable()
    .describe('what the mesh adds to each pod, read from the pods as admitted (Kubernetes only)'),
  podsPerNode: z.number().int().nonnegative().nullable().describe('pods of the workload that fit on the node by their effective requests (and its pod limit); Kubernetes only'),
});

export const startupSchema = z.strictObject({
  schemaVersion: z.literal(STARTUP_SCHEMA_VERSION),
  runId: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  runtime: z.enum(['local', 'kubernetes']),
  measures: z
    .enum(['creation-to-ready', 'start-to-first-answer'])
    .describe('what startupMs times. creation-to-ready: from the create request to the pod\'s Ready condition, seen by a watch (Kubernetes; firstAnswer times creation to the first 2xx through the mesh); start-to-first-answer: from starting a mode\'s pod and proxies to the first 200 through them (local; firstAnswer repeats it)'),
  scenarioSource: z.string(),
  pods: z.number().int().positive().describe('pods started per mode and round, at once'),
  rounds: z.number().int().positive().describe('rounds, modes interleaved within each'),
  node: z
    .strictObject({
      name: z.string().describe('the node whose allocatable sized the density figures, or "given" for --node-cpu/--node-memory'),
      cpuCores: z.number().positive(),
      memoryBytes: z.number().positive(),
      maxPods: z.number().int().positive(),
    })
    .nullable()
    .describe('the node size pods-per-node is computed for; null on the local runtime'),
  modes: z.array(startupModeSchema),
});

export type StartupResult = z.infer<typeof startupSchema>;
export type StartupMode = z.infer<typeof startupModeSchema>;
export type FirstAnswer = z.infer<typeof firstAnswerSchema>;

/** What a start-up measurement is asked for, whichever runtime takes it. */
export interface StartupOptions {
  pods: number;
  rounds: number;
  signal: AbortSignal;
  /** The node size for pods-per-node; default: the allocatable of the node the pods are placed on. */
  node?: { name: string; cpuCores: number; memoryBytes: number; maxPods: number };
}

/** A runtime's start-up measurement, before the command stamps its times and source on it. */
export type StartupMeasured = Omit<StartupResult, 'startedAt' | 'finishedAt' | 'scenarioSource'>;
