import { setTimeout as sleep } from 'node:timers/promises';
import type { PhaseSeconds } from '../loadgen/seconds.ts';
import type { OutageRecord } from '../results/schema.ts';
import type { ControlPlaneFault, OutageComponent, ProbePod } from '../runtimes/types.ts';
import type { ControlPlaneOutagePlan } from '../scenario/faults-schema.ts';
import { outageTraffic } from './outage-traffic.ts';

/** How often the probe pod's state is read. */
const PROBE_POLL_MS = 250;

/** Time and timers, replaceable in tests. */
export interface StepClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: StepClock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
};

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const seconds = (ms: number): number => Math.round(ms) / 1000;

/**
 * The fault step of one phase: `at` after the measured window starts (arm()), the control plane is stopped; `duration`
 * later it is restored, and its recovery and a pod started as the outage began are watched. finish() always restores
 * (also after a failure or Ctrl-C: it is called from the phase's clean-up), then waits for the recovery unless the
 * phase was interrupted, and gives what happened for run.json.
 */
export class OutageStep {
  private armedAt: number | undefined;
  private timer: unknown;
  private stopping: Promise<void> | undefined;
  private restoring: Promise<void> | undefined;
  private components: OutageComponent[] = [];
  private startMs: number | null = null;
  private restoreMs: number | null = null;
  private readyMs: number | null = null;
  private readonly errors: string[] = [];
  private restored = true;
  private probe: ProbePod | undefined;
  private probeCreatedMs: number | null = null;
  private probeReadyMs: number | null = null;
  private probeInjected: boolean | null = null;
  private watching: Promise<void> | undefined;
  private recovering: Promise<void> | undefined;
  private readonly watchAbort = new AbortController();
  private finishing = false;
  private readonly fault: ControlPlaneFault;
  private readonly plan: ControlPlaneOutagePlan;
  private readonly clock: StepClock;

  constructor(fault: ControlPlaneFault, plan: ControlPlaneOutagePlan, clock: StepClock = realClock) {
    this.fault = fault;
    this.plan = plan;
    this.clock = clock;
  }

  /** The measured window starts now. */
  arm(): void {
    if (this.armedAt !== undefined || this.finishing) return;
    this.armedAt = this.clock.now();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.stopping = this.stop();
    }, this.plan.at);
  }

  private elapsed(): number {
    return this.clock.now() - (this.armedAt ?? this.clock.now());
  }

  private async stop(): Promise<void> {
    // Anything done from here on must be undone, even if stop() itself fails half way.
    this.restored = false;
    try {
      this.components = await this.fault.stop(this.plan.recoveryTimeout, this.watchAbort.signal);
      this.startMs = this.elapsed();
    } catch (error) {
      this.errors.push(`stopping the control plane: ${message(error)}`);
      this.restoring = this.restore();
      return;
    }
    if (this.plan.probePod) this.watching = this.watchProbe();
    // The phase ended while the control plane was being stopped: finish() restores it now.
    if (this.finishing) return;
    const restoreIn = Math.max(0, this.plan.at + this.plan.duration - this.elapsed());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.restoring = this.restore();
    }, restoreIn);
  }

  private async restore(): Promise<void> {
    try {
      await this.fault.restore();
      this.restored = true;
      this.restoreMs = this.elapsed();
    } catch (error) {
      this.errors.push(`restoring the control plane: ${message(error)}`);
      return;
    }
    const from = this.clock.now();
    this.recovering = this.fault.waitReady(this.plan.recoveryTimeout, this.watchAbort.signal).then(
      (ready) => {
        if (ready) this.readyMs = this.clock.now() - from;
      },
      (error: unknown) => {
        if (!this.watchAbort.signal.aborted) this.errors.push(`waiting for the control plane to be Ready: ${message(error)}`);
      },
    );
  }

  /** Starts the probe pod and reads its state until it is Ready or the recovery time after the restore is over. */
  private async watchProbe(): Promise<void> {
    const created = this.clock.now();
    try {
      this.probe = await this.fault.probePod();
    } catch (error) {
      this.errors.push(`starting the probe pod: ${message(error)}`);
      return;
    }
    this.probeCreatedMs = created;
    if (!this.probe.admitted) return;
    for (;;) {
      if (this.watchAbort.signal.aborted) return;
      try {
        const state = await this.probe.state();
        this.probeInjected = state.injected;
        if (state.ready) {
          this.probeReadyMs = this.clock.now();
          return;
        }
      } catch (error) {
        this.errors.push(`reading the probe pod: ${message(error)}`);
        return;
      }
      const restoredAt = this.restoreMs === null ? undefined : (this.armedAt ?? 0) + this.restoreMs;
      if (restoredAt !== undefined && this.clock.now() - restoredAt > this.plan.recoveryTimeout) return;
      await this.clock.sleep(PROBE_POLL_MS, this.watchAbort.signal);
    }
  }

  /**
   * Ends the step: cancels what has not happened yet, restores the control plane if it is down (whatever the phase's
   * outcome), and, unless `interrupted`, waits for its recovery and the probe pod. Never throws; a restore that failed
   * shows as restored: false with the error.
   */
  async finish(interrupted: boolean, signal?: AbortSignal): Promise<void> {
    this.finishing = true;
    // Interrupted: no more waiting (for the pods to go, the recovery, the probe pod); the restore itself is never cut
    // short. Ctrl-C while the recovery is awaited ends that wait too.
    if (interrupted) this.watchAbort.abort();
    signal?.addEventListener('abort', () => this.watchAbort.abort(), { once: true });
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.stopping;
    if (!this.restored && this.restoring === undefined) this.restoring = this.restore();
    await this.restoring;
    if (!this.restored) {
      // One more attempt: the first may have met a passing API error.
      this.restoring = this.restore();
      await this.restoring;
    }
    await this.recovering;
    if (!interrupted && this.watching) await this.watching;
    this.watchAbort.abort();
    await this.watching;
    await this.probe?.remove().catch((error: unknown) => this.errors.push(`removing the probe pod: ${message(error)}`));
  }

  /** Whether the control plane is back (or was never touched). */
  get isRestored(): boolean {
    return this.restored;
  }

  /** Whether the outage began (the step got as far as stopping the control plane). */
  get began(): boolean {
    return this.stopping !== undefined;
  }

  /** The outage as run.json records it, with the phase's traffic by second. */
  record(measured: PhaseSeconds): OutageRecord {
    const startS = this.startMs === null ? null : seconds(this.startMs);
    const restoreS = this.restoreMs === null ? null : seconds(this.restoreMs);
    const { firstOkSecond, trafficRecoveredSecond, ...traffic } = outageTraffic(measured, startS, restoreS);
    const probe = this.probe;
    const restoredAt = this.restoreMs === null ? null : (this.armedAt ?? 0) + this.restoreMs;
    return {
      mesh: this.fault.mesh,
      components: this.components,
      plannedAtS: this.plan.at / 1000,
      plannedDurationS: this.plan.duration / 1000,
      startS,
      restoreS,
      restored: this.restored,
      ...(this.errors.length > 0 ? { error: this.errors.join('; ') } : {}),
      recovery: { controlPlaneReadyS: this.readyMs === null ? null : seconds(this.readyMs), firstOkSecond, trafficRecoveredSecond },
      probePod:
        probe === undefined
          ? null
          : {
              name: probe.name,
              admitted: probe.admitted,
              ...(probe.error === undefined ? {} : { error: probe.error }),
              injected: probe.admitted ? this.probeInjected : null,
              readyDuringOutage: this.probeReadyMs !== null && (restoredAt === null || this.probeReadyMs <= restoredAt),
              readyAfterS: this.probeReadyMs === null || this.probeCreatedMs === null ? null : seconds(this.probeReadyMs - this.probeCreatedMs),
            },
      ...traffic,
    };
  }
}
