import { randomInt } from 'node:crypto';
import path from 'node:path';
import { chainResults } from '../analysis/chains.ts';
import { compareModes } from '../analysis/comparisons.ts';
import { machineFirst } from '../analysis/machine-warnings.ts';
import { runWarnings, withoutSampleWarning } from '../analysis/run-warnings.ts';
import { evaluateThresholds } from '../analysis/thresholds.ts';
import { LoadError, PhaseInterrupted, PhaseRunner } from '../loadgen/phase.ts';
import type { PhaseSpec, ProgressEvent } from '../loadgen/types.ts';
import { newRunId } from '../results/run-id.ts';
import { writeFinalRunFile, writeRunFile, writeRunFileSync } from '../results/run-file.ts';
import type { PhaseRecord, RunDocument } from '../results/schema.ts';
import { RUN_SCHEMA_VERSION } from '../results/schema.ts';
import { runtimeFor } from '../runtimes/registry.ts';
import { RuntimeFailure, type ModeSwitch, type PreparedMode, type Runtime, type SampledResources } from '../runtimes/types.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { TOOL } from '../tool.ts';
import { describeEnvironment } from './environment.ts';
import { phaseRecord } from './phase-record.ts';
import { phaseSpec, plannedModes, planPhases, type PlannedPhase } from '../scenario/plan.ts';
import { MeshtaxError } from '../core/errors.ts';
import { OutageStep } from '../faults/outage-step.ts';
import type { ControlPlaneOutagePlan } from '../scenario/faults-schema.ts';

/** Idle interval measured before each phase's load, for the idle CPU and memory of every process. */
const IDLE_MS = 500;
/** How often the runtime's processes are checked during a phase; a death stops the phase at once. */
const HEALTH_POLL_MS = 200;

export interface RunObserver {
  runStarted?(runId: string, runDir: string, phases: number): void;
  /**
   * The runtime is bringing modes up: all of them before the first phase (`down` empty), or a later group in place
   * of the one deployed. Minutes on a cluster, so a CI log gets a line before and after.
   */
  activating?(change: ModeSwitch): void;
  activated?(modes: readonly string[]): void;
  /** Clean-up starts, and ends (`error`: what could not be removed). */
  cleaningUp?(): void;
  cleanedUp?(error?: string): void;
  phaseStarted?(phase: PlannedPhase, index: number, total: number): void;
  progress?(event: ProgressEvent): void;
  phaseFinished?(phase: PlannedPhase, index: number, total: number, record?: PhaseRecord): void;
  phaseFailed?(phase: PlannedPhase, error: string): void;
}

export interface RunOptions {
  outDir: string;
  /** Leave what the runtime created in place (run --keep). */
  keep?: boolean;
  signal: AbortSignal;
  observer?: RunObserver;
  /**
   * Registers last words for a forced quit (a third Ctrl-C during clean-up): run.json's final state, written
   * synchronously. Returns their removal.
   */
  onQuit?: (words: () => void) => () => void;
}

export interface RunOutcome {
  run: RunDocument;
  runDir: string;
  /** Set when run.json's final state could not be written: what failed. */
  runFileError?: string;
}

/** A phase that could not be measured; the pipeline records it and stops or goes on as the scenario says. */
class PhaseFailure extends MeshtaxError {}

/**
 * The whole `run` pipeline: validate the scenario against its runtime, bring the modes up, measure every planned
 * phase, write run.json after each one, and always clean up. Scenario problems throw before anything starts;
 * everything after that ends in run.json with status completed, failed or interrupted.
 */
export async function runScenario(loaded: LoadedScenario, options: RunOptions): Promise<RunOutcome> {
  const scenario = withSeed(loaded.scenario);
  const factory = await runtimeFor(loaded).load();
  const plan = planPhases(scenario);
  const runId = newRunId();
  const runDir = path.resolve(options.outDir, runId);
  const runtime = factory.create(scenario, runId, { keep: options.keep ?? false });
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
    failures: [],
    comparisons: [],
    thresholds: [],
  };
  await writeRunFile(runDir, run);
  const endQuit = options.onQuit?.(() => {
    const error = 'quit before clean-up finished; remove what is left with meshtax cleanup';
    writeRunFileSync(runDir, { ...run, status: 'interrupted', finishedAt: new Date().toISOString(), error: run.error ? `${run.error}; ${error}` : error });
  });
  let runFileError: string | undefined;
  options.observer?.runStarted?.(runId, runDir, plan.length);
  const runner = new PhaseRunner();
  const failedModes = new Set<string>();
  try {
    const modes = plannedModes(scenario);
    options.observer?.activating?.({ down: [], up: modes });
    const prepared = await runtime.prepare(modes, options.signal);
    options.observer?.activated?.(modes);
    run.environment = describeEnvironment(runtime.describe());
    const targets = new Map(prepared.map((mode) => [mode.mode, mode]));
    for (const [index, phase] of plan.entries()) {
      if (options.signal.aborted) throw new PhaseInterrupted('interrupted between phases');
      if (failedModes.has(phase.mode)) continue;
      options.observer?.phaseStarted?.(phase, index, plan.length);
      try {
        // Bringing a later group of modes up (Kubernetes: scale, roll out, prove the mode) can fail for that mode
        // alone, as a rollout refused at admission does: a failure of its phase, recorded and judged by
        // load.onPhaseFailure like any other, not the end of every mode's run.
        let switched: ModeSwitch | undefined;
        await runtime
          .activate?.(phase.mode, options.signal, (change) => {
            switched = change;
            options.observer?.activating?.(change);
          })
          .catch((error: unknown) => {
            if (options.signal.aborted || error instanceof PhaseInterrupted || !(error instanceof Error)) throw error;
            throw new PhaseFailure(error.message);
          });
        if (switched) options.observer?.activated?.(switched.up);
        const spec = phaseSpec(scenario, phase, targetOf(targets.get(phase.mode), phase.depth));
        const outage = outageOf(runtime, phase.mode, scenario.faults?.controlPlaneOutage);
        run.phases.push(
          withoutSampleWarning(await measurePhase(runtime, runner, phase, outage ? { ...spec, perSecond: true } : spec, scenario.workload.errorRate ?? 0, options.signal, options.observer?.progress, outage)),
        );
        options.observer?.phaseFinished?.(phase, index, plan.length, run.phases.at(-1));
      } catch (error) {
        if (!(error instanceof PhaseFailure)) throw error;
        run.failures.push({
          mode: phase.mode,
          rate: phase.rate,
          repetition: phase.repetition,
          ...(phase.depth === undefined ? {} : { depth: phase.depth }),
          error: error.message,
        });
        options.observer?.phaseFailed?.(phase, error.message);
        if (scenario.load.onPhaseFailure === 'stop') throw error;
        failedModes.add(phase.mode);
      }
      run.comparisons = compareModes(run.phases);
      if (scenario.workload.chain) run.chains = chainResults(run.phases, run.comparisons, scenario.workload.chain.fanOut);
      run.thresholds = evaluateThresholds(scenario, run.phases, run.comparisons);
      run.warnings = machineFirst([...(runtime.warnings?.() ?? []), ...runWarnings(run.phases, run.comparisons)]);
      await writeRunFile(runDir, run);
    }
    run.status = run.failures.length > 0 ? 'failed' : 'completed';
    if (run.failures.length > 0) run.error = `${run.failures.length} phase(s) failed; the first: ${run.failures[0]!.error}`;
  } catch (error) {
    if (options.signal.aborted || error instanceof PhaseInterrupted) {
      run.status = 'interrupted';
    } else {
      run.status = 'failed';
      run.error = error instanceof Error ? error.message : String(error);
    }
  } finally {
    // What the runtime got to (context, nodes, namespaces made), also when it failed before the first phase: with
    // --keep that is what was left in the cluster. Described before clean-up, which forgets what it removes.
    run.environment = describeEnvironment(runtime.describe());
    options.observer?.cleaningUp?.();
    try {
      await runtime.cleanup();
      options.observer?.cleanedUp?.();
    } catch (error) {
      // What could not be removed is said, and run.json still gets its final state.
      const message = `clean-up failed: ${error instanceof Error ? error.message : String(error)}`;
      options.observer?.cleanedUp?.(message);
      if (run.status !== 'interrupted') run.status = 'failed';
      run.error = run.error ? `${run.error}; ${message}` : message;
    }
    run.finishedAt = new Date().toISOString();
    try {
      await writeFinalRunFile(runDir, run);
    } catch (error) {
      // Said by the caller (a WriteError names the file and why); the document in memory carries it for the summary
      // and the reports.
      const message = error instanceof Error ? error.message : String(error);
      runFileError = message;
      if (run.status === 'completed') run.status = 'failed';
      if (!run.error?.includes(message)) run.error = run.error ? `${run.error}; ${message}` : message;
    } finally {
      endQuit?.();
    }
  }
  return { run, runDir, ...(runFileError === undefined ? {} : { runFileError }) };
}

/** One phase: idle level, load with resources sampled over exactly the measured window, health before and after. */
async function measurePhase(
  runtime: Runtime,
  runner: PhaseRunner,
  phase: PlannedPhase,
  spec: PhaseSpec,
  modelledErrorShare: number,
  signal: AbortSignal,
  progress?: (event: ProgressEvent) => void,
  outage?: OutageStep,
): Promise<PhaseRecord> {
  const healthy = (): void => {
    try {
      runtime.checkHealth(phase.mode);
    } catch (error) {
      if (error instanceof RuntimeFailure) throw new PhaseFailure(error.message);
      throw error;
    }
  };
  healthy();
  const resources = runtime.resources?.(phase.mode, phase.depth);
  await resources?.measureIdle(IDLE_MS, signal);
  const driver = runtime.driver?.(phase.mode, phase.depth) ?? runner;
  // Counters of the mesh's proxies before any of the phase's requests (warmup included) are sent.
  const meshPath = runtime.meshPath?.(phase.mode, phase.depth);
  await meshPath?.before(signal);
  let sampling: Promise<SampledResources> | undefined;
  let started = false;
  const onStart = (): void => {
    started = true;
    resources?.start();
    outage?.arm();
  };
  const onEnd = (): void => {
    if (started) sampling = resources?.stop();
  };
  driver.on('windowStart', onStart);
  driver.on('windowEnd', onEnd);
  if (progress) driver.on('progress', progress);
  // A proxy or server that dies mid-phase would otherwise show as errors until every request timed out.
  const phaseAbort = new AbortController();
  let died: string | undefined;
  const watch = setInterval(() => {
    try {
      runtime.checkHealth(phase.mode);
    } catch (error) {
      died = error instanceof Error ? error.message : String(error);
      phaseAbort.abort();
    }
  }, HEALTH_POLL_MS);
  let restoring: Promise<void> | undefined;
  try {
    const measurement = await driver.run(spec, AbortSignal.any([signal, phaseAbort.signal]));
    // The control plane is back (and its recovery seen) before the phase is judged: a phase that fails below must
    // not leave it down.
    restoring = outage?.finish(signal.aborted, signal);
    await restoring;
    const sampled = await sampling;
    healthy();
    const record = phaseRecord(phase.mode, phase.repetition, measurement, sampled?.rows ?? [], phase.depth, modelledErrorShare);
    if (outage) {
      record.controlPlaneOutage = outage.record(measurement.seconds ?? { seconds: [], unplaced: 0 });
      if (!outage.isRestored) throw new PhaseFailure(`the control plane was not restored: ${record.controlPlaneOutage.error ?? 'unknown error'}`);
    }
    if (sampled && sampled.exited.length > 0) {
      throw new PhaseFailure(`${sampled.exited.join(', ')} exited during the measured window`);
    }
    if (sampled) record.warnings.push(...sampled.warnings);
    if (meshPath) {
      const path = await meshPath.after(measurement.counts.ok + measurement.counts.non2xx, signal);
      if (path.failure) throw new PhaseFailure(path.failure);
      record.meshPath = path.hops;
      record.warnings.push(...path.warnings);
    }
    return record;
  } catch (error) {
    if (died !== undefined && !signal.aborted) throw new PhaseFailure(died);
    if (error instanceof LoadError) {
      // A dead proxy or server shows first as refused connections: prefer the runtime's account of it.
      healthy();
      throw new PhaseFailure(error.message);
    }
    throw error;
  } finally {
    // Always: also when the load failed or Ctrl-C stopped it (then without waiting for the recovery).
    await (restoring ?? outage?.finish(true));
    clearInterval(watch);
    driver.off('windowStart', onStart);
    driver.off('windowEnd', onEnd);
    if (progress) driver.off('progress', progress);
    if (started && !sampling) void resources?.stop().catch(() => undefined);
  }
}

/** The fault step of a phase: with faults.controlPlaneOutage, for a mode whose runtime has a control plane to stop. */
function outageOf(runtime: Runtime, mode: string, plan: ControlPlaneOutagePlan | undefined): OutageStep | undefined {
  if (!plan) return undefined;
  const fault = runtime.controlPlane?.(mode);
  return fault ? new OutageStep(fault, plan) : undefined;
}

/** Where a phase's load goes: the mode's entry, or with a chain the entry of the path of the phase's depth. */
function targetOf(prepared: PreparedMode | undefined, depth: number | undefined): string {
  if (!prepared) return '';
  if (depth === undefined) return prepared.targetUrl;
  const url = prepared.chainUrls?.[depth - 1];
  if (url === undefined) throw new PhaseFailure(`the runtime brought up no call chain of depth ${depth} for mode ${prepared.mode}`);
  return url;
}

/** The scenario with a seed: the one given, or a random one recorded in run.json so the run can be repeated. */
function withSeed(scenario: Scenario): Scenario {
  if (scenario.load.seed !== undefined) return scenario;
  return { ...scenario, load: { ...scenario.load, seed: randomInt(0, 2 ** 32 - 1) } };
}
