import type { EventEmitter } from 'node:events';
import type { PhaseEvents } from '../loadgen/phase.ts';
import type { PhaseMeasurement, PhaseSpec } from '../loadgen/types.ts';
import type { MeshHopRecord, ResourceRecord } from '../results/schema.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { StartupMeasured, StartupOptions } from '../startup/schema.ts';
import type { RuntimeDescription } from './descriptions.ts';
import type { ExitCode } from '../core/exit-codes.ts';
import type { Check } from './check.ts';
import { MeshtaxError } from '../core/errors.ts';
import { type Warning } from '../core/warning.ts';

/** A mode made ready by a runtime: where the load goes. */
export interface PreparedMode {
  mode: string;
  /** URL the load generator sends to. */
  targetUrl: string;
  /**
   * With workload.chain: where a request enters a path of each depth, index depth - 1 (the last is targetUrl). A
   * request sent to the entry of depth d passes through d services, each hop on the mode's data path.
   */
  chainUrls?: string[];
}

/** What activate() changes: the modes taken down, then the modes brought up. */
export interface ModeSwitch {
  down: readonly string[];
  up: readonly string[];
}

/**
 * A runtime hosts the modes being compared: local processes or a Kubernetes cluster. prepare() brings up every
 * mode before the first phase (so phases can interleave), or those it can hold at once when activate() brings the
 * others up later; cleanup() removes everything it made and is always called, also after errors and interrupts,
 * and must be safe to call twice.
 */
export interface Runtime {
  readonly name: string;
  /** The runtime's own description, recorded in run.json's environment.runtime (its schema: descriptions.ts). */
  describe(): RuntimeDescription;
  prepare(modes: readonly string[], signal: AbortSignal): Promise<PreparedMode[]>;
  /**
   * Makes a mode's servers ready for its next phase, when the runtime cannot keep every mode up at once (a node
   * too small for all of them): others are taken down first. Absent: every mode stays up from prepare() on.
   * `switching` is told what changes before anything does, and only when something does: on a cluster that takes
   * minutes, which a log should show.
   */
  activate?(mode: string, signal: AbortSignal, switching?: (change: ModeSwitch) => void): Promise<void>;
  /** Throws a RuntimeFailure when something it started has died (checked before and after each phase). */
  checkHealth(mode: string): void;
  /**
   * Measures CPU and memory per process or container around a phase; absent when the runtime cannot. With a chain,
   * `depth` names the path measured, and only what is on it is counted.
   */
  resources?(mode: string, depth?: number): PhaseResources | undefined;
  /**
   * Drives a mode's load itself (in a cluster); absent: the pipeline's own PhaseRunner sends from this process. With
   * a chain, `depth` names the path of the phase about to run (where its generators go).
   */
  driver?(mode: string, depth?: number): PhaseDriver;
  /**
   * Reads the mesh proxies' own request counters before and after a mode's phase, to prove its requests took the
   * mesh path; absent (or undefined for a mode) where there is nothing to prove. With a chain, `depth` names the
   * path measured.
   */
  meshPath?(mode: string, depth?: number): MeshPathProbe | undefined;
  /** Warnings about the whole run the runtime knows of (e.g. client and server on one node). */
  warnings?(): Warning[];
  /**
   * The control plane a mode's mesh depends on, to take down for faults.controlPlaneOutage; undefined for a mode
   * without one. cleanup() restores whatever is still down.
   */
  controlPlane?(mode: string): ControlPlaneFault | undefined;
  cleanup(): Promise<void>;
}

/** One part of a control plane that was stopped, and the replicas it gets back. */
export interface OutageComponent {
  kind: string;
  namespace: string;
  name: string;
  replicas: number;
}

/**
 * A mesh's control plane that a runtime can make unavailable and bring back. restore() takes no abort signal: it
 * must run to the end also after Ctrl-C, and it is safe to call at any time, more than once.
 */
export interface ControlPlaneFault {
  readonly mesh: string;
  /**
   * Takes every component down (remembering its replicas first) and resolves once they are gone (their pods ended):
   * only then is the control plane unavailable. Throws when they are not gone within `timeoutMs`.
   */
  stop(timeoutMs: number, signal?: AbortSignal): Promise<OutageComponent[]>;
  /** Gives every stopped component its replicas back; throws saying what could not be restored and how to do it by hand. */
  restore(): Promise<void>;
  /** Resolves true once every restored component is Ready with its replicas again, false when the time is up. */
  waitReady(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Starts a pod of the mode's workload (during the outage), to see whether it is admitted, injected and turns Ready. */
  probePod(): Promise<ProbePod>;
}

export interface ProbePod {
  name: string;
  /** Whether the API server accepted it; `error` says why not. */
  admitted: boolean;
  error?: string;
  /** Its state now: Ready, and whether it has the mesh's proxy (null where the mode has nothing to inject). */
  state(): Promise<{ ready: boolean; injected: boolean | null }>;
  remove(): Promise<void>;
}

/** Runs one phase and emits the PhaseRunner's events (progress, windowStart, windowEnd). */
export interface PhaseDriver extends EventEmitter<PhaseEvents> {
  run(spec: PhaseSpec, signal?: AbortSignal): Promise<PhaseMeasurement>;
}

export class RuntimeFailure extends MeshtaxError {}

/** Resource measurement of one phase: idle level before load, then the measured window. */
export interface PhaseResources {
  measureIdle(ms: number, signal?: AbortSignal): Promise<void>;
  start(): void;
  /** Ends the window; local sampling answers at once, a cluster's after one more scrape. */
  stop(): Promise<SampledResources>;
}

export interface SampledResources {
  rows: ResourceRecord[];
  /** What makes these figures less trustworthy (missed samples, counters that did not cover the window). */
  warnings: Warning[];
  /** Processes or containers that ended during the window. */
  exited: string[];
}

/** The mesh proxies' counters around one phase: read before the load starts, then after it ends. */
export interface MeshPathProbe {
  before(signal?: AbortSignal): Promise<void>;
  /** `requests`: responses the generators got in the measured window (every hop saw at least those, plus the warmup's). */
  after(requests: number, signal?: AbortSignal): Promise<MeshPathOutcome>;
}

export interface MeshPathOutcome {
  hops: MeshHopRecord[];
  warnings: Warning[];
  /** Set when a hop saw none of the phase's traffic: the phase failed, and this says which hop and what to check. */
  failure?: string;
}

/** One entry of the runtime registry: which modes it offers and how to make it. */
export interface RuntimeFactory {
  readonly name: string;
  readonly modes: readonly string[];
  create(scenario: Scenario, runId: string, options: RuntimeOptions): Runtime;
}

/** What `meshtax doctor` asks of a runtime: checks of this machine, and of the scenario's needs when one is given. */
export interface DoctorRequest {
  scenario: Scenario | undefined;
  /** --context: which cluster, for a runtime that runs in one. */
  context: string | undefined;
}

/** What `meshtax cleanup` asks of a runtime: remove what a run (or every run, runId undefined) left behind. */
export interface CleanupRequest {
  runId: string | undefined;
  context: string | undefined;
  /** How long to wait for what is being deleted to go. */
  timeoutMs: number;
  /** Print what was removed as JSON. */
  json: boolean;
  /** Also remove what a run that is still going holds (breaks it). */
  force: boolean;
  /** Say what would be removed, remove nothing. */
  dryRun: boolean;
}

/** What `meshtax render` asks of a runtime that has manifests: the text of every object a run would create. */
export interface RenderRequest {
  scenario: Scenario;
  scenarioPath: string;
  /** --mode: only these modes (empty: every mode the scenario plans). */
  modes: readonly string[];
  runId: string;
  /** false with --no-code: large generated content is named by its digest instead of shown. */
  code: boolean;
}

/**
 * The commands a runtime brings besides running: the doctor, cleanup and render commands call these and never
 * look at which runtime answers. Loaded only when one of them is used.
 */
export interface RuntimeCommands {
  doctor(request: DoctorRequest): Promise<Check[]>;
  /** Prints what it removed (stdout) and returns the exit code. */
  cleanup(request: CleanupRequest): Promise<ExitCode>;
  /** Absent for a runtime without manifests to show. */
  render?(request: RenderRequest): string;
  /** `meshtax startup`: how long a new pod of each mode takes to start (and, where the runtime can say, what the mesh adds to it). */
  startup(scenario: Scenario, runId: string, options: StartupOptions): Promise<StartupMeasured>;
}

export interface RuntimeOptions {
  /** Leave what the run created in place (Kubernetes: `run --keep`); clean-up then only says what is left. */
  keep: boolean;
}
