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
  cleanup(): Promise<void>;
}

export class RuntimeFailure extends Error {}

/** One entry of the runtime registry: which modes it offers and how to make it. */
export interface RuntimeFactory {
  readonly name: string;
  readonly modes: readonly string[];
  create(scenario: Scenario, runId: string): Runtime;
}
