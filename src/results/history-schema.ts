import { z } from 'zod';
import { comparisonSchema, phaseSchema, runSchema } from './schema.ts';

/**
 * The part of run.json `meshtax history` reads, each field validated by the same rule as in the full schema (picked
 * from it, so the two cannot drift). History reads thousands of files: validating, and keeping, every phase's
 * resources, intervals, thresholds and service-time histogram it never shows cost most of its time. Fields it does
 * not read are neither checked nor kept; a file that breaks one of them still has its trend point, since nothing
 * history shows comes from it.
 */
const historyPhaseSchema = z.object(
  phaseSchema.pick({
    mode: true,
    rate: true,
    repetition: true,
    // What the phase's validity is worked out from, for run.json written before phases carried it.
    loop: true,
    achievedRps: true,
    counts: true,
    warnings: true,
    validity: true,
    // One repetition's percentiles come from its record; several are pooled from their latency histograms.
    latencyUs: true,
    histogram: true,
  }).shape,
);

const historyComparisonSchema = z.object(
  comparisonSchema.pick({ mode: true, baseline: true, rate: true, latencyDeltaUs: true, meshCpuCores: true, validity: true }).shape,
);

export const historyRunSchema = z.object({
  ...runSchema.pick({ schemaVersion: true, runId: true, startedAt: true, status: true, tool: true, scenario: true, scenarioSource: true }).shape,
  // The runtime's description: the proxy that carried the traffic and mTLS are part of a trend's fingerprint.
  environment: z.object(runSchema.shape.environment.pick({ runtime: true }).shape),
  phases: z.array(historyPhaseSchema),
  comparisons: z.array(historyComparisonSchema),
});

/** A run as history reads it; a whole RunDocument is one too. */
export type HistoryRun = z.infer<typeof historyRunSchema>;
export type HistoryPhase = HistoryRun['phases'][number];
