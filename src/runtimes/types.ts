import type { EventEmitter } from 'node:events';
import type { PhaseEvents } from '../loadgen/phase.ts';
import type { PhaseMeasurement, PhaseSpec, Warning } from '../loadgen/types.ts';
import type { ResourceRecord } from '../results/schema.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { RuntimeDescription } from './descriptions.ts';
import { MeshtaxError } from '../core/errors.ts';

/** A mode made ready by a runtime: where the load goes. */
export interface PreparedMode {
  mode: string;
  /** URL the load generator sends to. */
  targetUrl: string;
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
   */
  activate?(mode: string, signal: AbortSignal): Promise<void>;
  /** Throws a RuntimeFailure when something it started has died (checked before and after each phase). */
  checkHealth(mode: string): void;
  /** Measures CPU and memory per process or container around a phase; absent when the runtime cannot. */
  resources?(mode: string): PhaseResources | undefined;
  /** Drives a mode's load itself (in a cluster); absent: the pipeline's own PhaseRunner sends from this process. */
  driver?(mode: string): PhaseDriver;
  /** Warnings about the whole run the runtime knows of (e.g. client and server on one node). */
  warnings?(): Warning[];
  cleanup(): Promise<void>;
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

/** One entry of the runtime registry: which modes it offers and how to make it. */
export interface RuntimeFactory {
  readonly name: string;
  readonly modes: readonly string[];
  create(scenario: Scenario, runId: string, options: RuntimeOptions): Runtime;
}

export interface RuntimeOptions {
  /** Leave what the run created in place (Kubernetes: `run --keep`); clean-up then only says what is left. */
  keep: boolean;
}
