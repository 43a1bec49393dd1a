import path from 'node:path';
import { PhaseInterrupted, PhaseRunner } from '../loadgen/phase.ts';
import type { PhaseSpec, ProgressEvent } from '../loadgen/types.ts';
import { newRunId } from '../results/run-id.ts';
import { writeRunFile } from '../results/run-file.ts';
import type { RunDocument } from '../results/schema.ts';
import { RUN_SCHEMA_VERSION } from '../results/schema.ts';
import { runtimeFor } from '../runtimes/registry.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { TOOL } from '../tool.ts';
import { describeEnvironment } from './environment.ts';
import { phaseRecord } from './phase-record.ts';
import { planPhases, type PlannedPhase } from './plan.ts';

export interface RunObserver {
  runStarted?(runId: string, runDir: string, phases: number): void;
  phaseStarted?(phase: PlannedPhase, index: number, total: number): void;
  progress?(event: ProgressEvent): void;
  phaseFinished?(phase: PlannedPhase, index: number, total: number): void;
}

export interface RunOptions {
  outDir: string;
  signal: AbortSignal;
  observer?: RunObserver;
}

export interface RunOutcome {
  run: RunDocument;
  runDir: string;
}

/**
 * The whole `run` pipeline: validate the scenario against its runtime, bring the modes up, measure every planned
 * phase, write run.json after each one, and always clean up. Scenario problems throw before anything starts;
 * everything after that ends in run.json with status completed, failed or interrupted.
 */
export async function runScenario(loaded: LoadedScenario, options: RunOptions): Promise<RunOutcome> {
  const { scenario } = loaded;
  const factory = runtimeFor(loaded);
  const plan = planPhases(scenario);
  const runId = newRunId();
  const runDir = path.resolve(options.outDir, runId);
  const runtime = factory.create(scenario, runId);
  const run: RunDocument = {
    schemaVersion: RUN_SCHEMA_VERSION,
    runId,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    status: 'running',
    tool: { ...TOOL },
    environment: describeEnvironment(runtime.describe()),
    scenario: scenario as unknown as Record<string, unknown>,
    scenarioSource: loaded.source,
    warnings: [],
    phases: [],
  };
  await writeRunFile(runDir, run);
  options.observer?.runStarted?.(runId, runDir, plan.length);
  const runner = new PhaseRunner();
  if (options.observer?.progress) runner.on('progress', options.observer.progress);
  try {
    const prepared = await runtime.prepare(scenario.modes, options.signal);
    const targets = new Map(prepared.map((mode) => [mode.mode, mode.targetUrl]));
    for (const [index, phase] of plan.entries()) {
      if (options.signal.aborted) throw new PhaseInterrupted('interrupted between phases');
      options.observer?.phaseStarted?.(phase, index, plan.length);
      runtime.checkHealth(phase.mode);
      const measurement = await runner.run(phaseSpec(scenario, phase, targets.get(phase.mode) ?? ''), options.signal);
      runtime.checkHealth(phase.mode);
      run.phases.push(phaseRecord(phase.mode, phase.repetition, measurement));
      await writeRunFile(runDir, run);
      options.observer?.phaseFinished?.(phase, index, plan.length);
    }
    run.status = 'completed';
  } catch (error) {
    if (options.signal.aborted || error instanceof PhaseInterrupted) {
      run.status = 'interrupted';
    } else {
      run.status = 'failed';
      run.error = error instanceof Error ? error.message : String(error);
    }
  } finally {
    await runtime.cleanup();
    run.finishedAt = new Date().toISOString();
    await writeRunFile(runDir, run);
  }
  return { run, runDir };
}

export function phaseSpec(scenario: Scenario, phase: PlannedPhase, url: string): PhaseSpec {
  const { load } = scenario;
  return {
    url,
    loop: load.loop,
    arrival: load.arrival,
    rate: phase.rate,
    connections: load.connections,
    workers: load.workers,
    durationMs: load.duration,
    warmupMs: load.warmup,
    timeoutMs: load.timeout,
    seed: load.seed ?? 1,
  };
}
