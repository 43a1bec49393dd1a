import type { ResourceRecord } from '../results/schema.ts';
import type { Scenario } from '../scenario/schema.ts';

/** A mode made ready by a runtime: where the load goes. */
export interface PreparedMode {
  mode: string;
  /** URL the load generator sends to. */
  targetUrl: string;
}

/**
 * A runtime hosts the modes being compared: local processes or a Kubernetes cluster. prepare() brings up every
 * mode before the first phase (so phases can interleave); cleanup() removes everything it made and is always
 * called, also after errors and interrupts, and must be safe to call twice.
 */
export interface Runtime {
  readonly name: string;
  /** Runtime details recorded in run.json's environment.runtime. */
  describe(): Record<string, unknown>;
  prepare(modes: readonly string[], signal: AbortSignal): Promise<PreparedMode[]>;
  /** Throws a RuntimeFailure when something it started has died (checked before and after each phase). */
  checkHealth(mode: string): void;
  /** Measures CPU and memory per process or container around a phase; absent when the runtime cannot. */
  resources?(mode: string): PhaseResources;
  cleanup(): Promise<void>;
}

export class RuntimeFailure extends Error {}

/** Resource measurement of one phase: idle level before load, then the measured window. */
export interface PhaseResources {
  measureIdle(ms: number, signal?: AbortSignal): Promise<void>;
  start(): void;
  stop(): { rows: ResourceRecord[]; gaps: number; exited: string[] };
}

/** One entry of the runtime registry: which modes it offers and how to make it. */
export interface RuntimeFactory {
  readonly name: string;
  readonly modes: readonly string[];
  create(scenario: Scenario, runId: string): Runtime;
}
