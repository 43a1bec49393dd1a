import { z } from 'zod';

/**
 * How run.json describes the server under test, in both runtimes' descriptions: meshtax's echo server with the model
 * it drew its answers from, or the team's own (a local command, a Kubernetes image). Runs written before workloads
 * were recorded have none.
 */

const distributionSchema = z
  .union([
    z.number(),
    z.strictObject({ distribution: z.literal('fixed'), value: z.number() }),
    z.strictObject({ distribution: z.literal('uniform'), min: z.number(), max: z.number() }),
    z.strictObject({ distribution: z.literal('lognormal'), median: z.number(), p99: z.number() }),
  ])
  .describe('a fixed value (a number) or the distribution it was drawn from');

export const echoWorkloadSchema = z
  .strictObject({
    kind: z.literal('echo'),
    payloadBytes: distributionSchema.describe('response body size, bytes'),
    delayMs: distributionSchema.describe('wait before answering, milliseconds'),
    cpuMs: distributionSchema.describe('busy work per request, milliseconds'),
    errorRate: z.number().min(0).max(1).describe('fraction of requests answered 500'),
    seed: z.number().int().nonnegative().describe('seed of the draws'),
  })
  .describe('meshtax\'s echo server and its model');
