import { z } from 'zod';
import { addProblem, duration, integer, number, size } from './fields.ts';
import { quantity } from './kubernetes-schema.ts';
import { showValue } from './show.ts';

/**
 * The `workload:` section: the server under test. By default meshtax's own echo server, whose response size, delay,
 * CPU cost and error rate can be drawn from distributions; or the team's own server, as a local command
 * (`runtime: local`) or a container image (`runtime: kubernetes`), put exactly where the echo server goes.
 * Durations in milliseconds and sizes in bytes once parsed.
 */

const SECOND = 1000;
const MIB = 1024 * 1024;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A per-request quantity as parsed: a plain number (fixed), or a distribution in the field's unit. */
export type DistributionValue =
  | number
  | { distribution: 'fixed'; value: number }
  | { distribution: 'uniform'; min: number; max: number }
  | { distribution: 'lognormal'; median: number; p99: number };

/**
 * A value that is either fixed (written as a plain size or duration) or drawn per request from a distribution:
 * `{distribution: fixed, value}`, `{distribution: uniform, min, max}` or `{distribution: lognormal, median, p99}`.
 * A plain value stays a plain number once parsed, so scenarios written before distributions existed parse as before.
 * The shape is chosen by the input's type and only that shape is checked, so a bad size is reported as a bad size,
 * not as "matches none of the alternatives"; the JSON Schema shows both alternatives.
 */
function distributed(scalar: () => z.ZodType<number, string | number>, unit: string, example: string) {
  const lognormalHint = `write it as {distribution: lognormal, median: ${example}, p99: …} with p99 above the median`;
  const plain = scalar();
  const object = z.discriminatedUnion('distribution', [
    z.strictObject({
      distribution: z.literal('fixed').describe('The same value for every request'),
      value: scalar().describe(`The value, ${unit}`),
    }),
    z
      .strictObject({
        distribution: z.literal('uniform').describe('Uniform between min and max'),
        min: scalar().describe(`Smallest value, ${unit}`),
        max: scalar().describe(`Largest value, ${unit}`),
      })
      .superRefine((value, ctx) => {
        if (value.min > value.max) addProblem(ctx, 'min must not be greater than max', 'swap min and max', ['max']);
      }),
    z
      .strictObject({
        distribution: z.literal('lognormal').describe('Log-normal with the given median and 99th percentile: a long tail, as real services have'),
        median: scalar().describe(`Median (50th percentile), ${unit}, greater than 0`),
        p99: scalar().describe(`99th percentile, ${unit}, greater than the median; draws are capped at the field's maximum`),
      })
      .superRefine((value, ctx) => {
        if (value.median <= 0) addProblem(ctx, 'median of a log-normal must be greater than 0', lognormalHint, ['median']);
        else if (value.p99 <= value.median) addProblem(ctx, 'p99 must be greater than the median', lognormalHint, ['p99']);
      }),
  ]);
  const { $schema: _draft, ...shape } = z.toJSONSchema(z.union([plain, object]), { io: 'input', target: 'draft-2020-12' });
  return z
    .unknown()
    .transform((value, ctx): DistributionValue => {
      if (!isRecord(value) && typeof value !== 'string' && typeof value !== 'number') {
        addProblem(ctx, `expected ${unit} such as ${example}, or a distribution such as {distribution: uniform, min: …, max: …}; got ${showValue(value)}`);
        return z.NEVER;
      }
      const result = isRecord(value) ? object.safeParse(value) : plain.safeParse(value);
      if (result.success) return result.data;
      for (const issue of result.error.issues) ctx.addIssue({ ...issue });
      return z.NEVER;
    })
    .meta(shape);
}

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: (iss) => `must be an environment variable name (letters, digits and '_', not starting with a digit); got ${showValue(iss.input)}`,
});
const environment = z.record(envName, z.string({ error: (iss) => `environment values are strings (quote numbers); got ${showValue(iss.input)}` }));

/** Calls a request fans out to at the last service of the deepest chain: fanOut^(depth-1), kept small enough to measure. */
export const MAX_CHAIN_CALLS = 256;

const chainSchema = z
  .strictObject({
    depth: integer(1, 8).describe('Services on the call chain, 1 to 8: the generator calls service 1, which calls service 2, … to service depth; every depth from 1 to this one is measured, so the per-hop tax can be fitted'),
    fanOut: integer(1, 16).default(1).describe('Parallel calls each service makes to the next one per request it serves, 1 to 16'),
  })
  .superRefine(
    (chain, ctx) => {
      if (typeof chain.depth !== 'number' || typeof chain.fanOut !== 'number') return;
      const calls = chain.fanOut ** (chain.depth - 1);
      if (calls > MAX_CHAIN_CALLS) {
        addProblem(
          ctx,
          `fanOut ${chain.fanOut} at depth ${chain.depth} makes ${calls} calls to the last service per request; at most ${MAX_CHAIN_CALLS}`,
          'lower workload.chain.fanOut or workload.chain.depth',
          ['fanOut'],
        );
      }
    },
    { when: (payload) => isRecord(payload.value) },
  )
  .describe('A call chain instead of one service: each service forwards every request to the next through the mode\'s data path (its own sidecar, the node proxies, a waypoint) and answers when the next one has');

const portNumber = integer(1, 65535);

/** How meshtax (or the kubelet) knows the server is ready: a TCP connect, or an HTTP GET of a path answering 2xx. */
const readiness = z
  .union(
    [
      z.literal('tcp').describe('Ready once the port accepts a TCP connection'),
      z.strictObject({
        httpGet: z
          .string()
          .regex(/^\/\S*$/, { error: (iss) => `must be a path starting with '/', e.g. /healthz; got ${showValue(iss.input)}` })
          .describe('Path to GET; ready once it answers 2xx'),
      }),
    ],
    { error: (iss) => `must be tcp or {httpGet: /path}; got ${showValue(iss.input)}` },
  )
  .default('tcp')
  .describe('Readiness check: tcp (the port accepts connections) or {httpGet: /healthz} (a GET answering 2xx)');

const commandSchema = z
  .strictObject({
    argv: z
      .array(z.string().min(1, { error: 'arguments must not be empty' }))
      .min(1, { error: 'must name the program to run, e.g. [node, server.js, --port, "{port}"]' })
      .describe('Program and arguments, run without a shell; {port} and {host} are replaced by the address meshtax gives the server'),
    env: environment
      .default({})
      .describe('Extra environment variables ({port} and {host} replaced as in argv); PORT and HOST are set too unless given here'),
    port: portNumber
      .optional()
      .describe('A port the server always listens on, when it cannot be told one; default: meshtax chooses a free port and passes it as {port} and PORT'),
    ready: readiness,
    startTimeout: duration({ min: SECOND, max: 10 * 60 * SECOND }).prefault('30s').describe('How long the server has to pass its readiness check, as 30s'),
  })
  .describe('runtime: local — run your own server instead of the echo server: a process meshtax starts, measures (role app) and stops');

const imageSchema = z
  .strictObject({
    name: z.string().min(1, { error: 'must name an image, e.g. ghcr.io/acme/orders:1.4.2' }).describe('Container image of your server'),
    command: z.array(z.string()).optional().describe('Overrides the image\'s entrypoint'),
    args: z.array(z.string()).optional().describe('Overrides the image\'s arguments'),
    env: environment.default({}).describe('Environment variables of the container'),
    port: portNumber.default(8080).describe('Port your server listens on in the container; the Service sends its traffic there'),
    ready: readiness,
    resources: z
      .strictObject({
        cpu: quantity('cpu', '500m or 2').describe('CPU request and limit, e.g. 500m'),
        memory: quantity('memory', '256Mi or 1Gi').describe('memory request and limit, e.g. 256Mi'),
      })
      .optional()
      .describe('Requests and limits (equal: Guaranteed QoS); default: kubernetes.resources.app'),
    imagePullSecrets: z.array(z.string().min(1)).default([]).describe('Secrets (in each mode namespace, not created by meshtax) to pull this image with, besides kubernetes.imagePullSecrets'),
    runAsUser: integer(1, 2_147_483_647)
      .optional()
      .describe('Numeric user to run as; needed under podSecurity restricted when the image names its user by name or runs as root'),
  })
  .describe('runtime: kubernetes — deploy your own container instead of the echo server, in each mode\'s namespace with the same placement, proofs and attribution');

/** Keys that describe what the echo server does; they mean nothing when the workload is the team's own server. */
const ECHO_KEYS = ['payloadBytes', 'responseDelay', 'cpuPerRequest', 'errorRate', 'seed', 'chain'] as const;

const workloadObject = z.strictObject({
  payloadBytes: distributed(() => size({ min: 0, max: 64 * MIB }), 'a size', '1KiB')
    .prefault(1024)
    .describe('Echo server: response body size per request, bytes (512B, 4KiB, 4KB = 4000, 1MiB; 0 to 64 MiB), or a distribution of sizes'),
  responseDelay: distributed(() => duration({ min: 0, max: 60 * SECOND }), 'a duration', '5ms')
    .prefault('0ms')
    .describe('Echo server: time it waits before answering (250us, 5ms, 1s; 0 to 60s), or a distribution of times; the event loop stays free meanwhile'),
  cpuPerRequest: distributed(() => duration({ min: 0, max: 10 * SECOND }), 'a duration', '200us')
    .optional()
    .describe('Echo server: CPU work per request, busy on its one thread for this long (0 to 10s), or a distribution: models a heavy service'),
  errorRate: number(0, 1, 'must be a fraction from 0 to 1 (0.01 = 1%)')
    .optional()
    .describe('Echo server: fraction of requests answered 500 instead of 200, from 0 to 1 (0.01 = 1%)'),
  seed: integer(0, 2 ** 32 - 1)
    .optional()
    .describe('Echo server: seed of its draws (sizes, delays, CPU cost, errors), an integer; default 1, the same in every mode, so runs repeat'),
  chain: chainSchema.optional(),
  command: commandSchema.optional(),
  image: imageSchema.optional(),
});

export const workloadSchema = z
  .preprocess((raw, ctx) => {
    // Only the raw input tells which keys were written: the echo keys have defaults once parsed.
    if (!isRecord(raw)) return raw;
    const own = ['command', 'image'].filter((key) => raw[key] !== undefined);
    if (own.length === 2) {
      ctx.addIssue({ code: 'custom', message: 'give command (runtime: local) or image (runtime: kubernetes), not both', path: ['image'], input: raw });
    }
    if (own.length > 0) {
      for (const key of ECHO_KEYS.filter((k) => raw[k] !== undefined)) {
        ctx.addIssue({
          code: 'custom',
          message: `${key} configures meshtax's echo server, which workload.${own[0]} replaces`,
          path: [key],
          input: raw,
          params: { hint: `remove workload.${key}, or remove workload.${own[0]} to measure the echo server` },
        });
      }
    }
    return raw;
  }, workloadObject)
  .prefault({})
  .describe('The server under test: meshtax\'s echo server (the default, shaped by payloadBytes, responseDelay, cpuPerRequest, errorRate) or your own (command or image)');

export type Workload = z.output<typeof workloadSchema>;
export type WorkloadCommand = NonNullable<Workload['command']>;
export type WorkloadImage = NonNullable<Workload['image']>;
export type Readiness = WorkloadCommand['ready'];
