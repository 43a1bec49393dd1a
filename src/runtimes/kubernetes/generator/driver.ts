import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1ContainerStateTerminated, V1Pod } from '@kubernetes/client-node';
import { LoadError, PhaseInterrupted, type PhaseEvents } from '../../../loadgen/phase.ts';
import type { PhaseMeasurement, PhaseSpec, ProgressEvent } from '../../../loadgen/types.ts';
import type { PhaseDriver } from '../../types.ts';
import type { Cluster } from '../client/connect.ts';
import { during, isNotFound } from '../client/errors.ts';
import { followLog } from '../client/follow-log.ts';
import { namespaceName } from '../labels.ts';
import type { RenderContext } from '../manifests/context.ts';
import { generatorPod, LOADGEN_CONTAINER } from '../manifests/generator.ts';
import { podProblem } from '../pod-status.ts';
import { settledModeProblem } from '../verify-mode.ts';
import { waitFor, WaitTimeout } from '../wait.ts';
import { mergeShards } from './merge.ts';
import { decodeLine, ResultAssembler, type GeneratorMessage } from './protocol.ts';
import { shardSpecs } from './shards.ts';

/** How long a generator waits for the target to answer (the mesh may still be wiring the pod in). */
const TARGET_WAIT_MS = 60_000;
/** How often a generator pod's status is checked while its log streams: a dropped stream must not hang the run. */
const STATUS_POLL_MS = 2000;
/** Times a generator's log is followed before giving up on a stream that keeps dropping. */
const MAX_FOLLOWS = 5;
/** Beyond the phase's own times, how long a generator may take before the phase fails. */
const DEADLINE_SLACK_MS = 60_000;
/** Lines of a generator's other output quoted when it ends without a result (a stack trace, a Node too old). */
const TAIL_LINES = 5;

function lastLines(lines: readonly string[]): string {
  return lines.length > 0 ? `; its last output: ${lines.join(' | ')}` : '';
}

interface ShardState {
  pod: V1Pod;
  name: string;
  progress: ProgressEvent | undefined;
  windowStarted: boolean;
  windowEnded: boolean;
}

/**
 * Runs a phase inside the cluster: one generator pod per shard, in the mode's namespace and on the client node,
 * each running meshtax's engine and reporting through its log, which the CLI reads through the API server. Emits
 * the same events as the local PhaseRunner; the pods are deleted afterwards, whatever happened.
 */
export class KubernetesPhaseDriver extends EventEmitter<PhaseEvents> implements PhaseDriver {
  private phases = 0;
  /** Generator pods of the last phase that succeeded: deleted when the next phase starts (see run()). */
  private finished: string[] = [];
  private readonly cluster: Cluster;
  private readonly context: RenderContext;
  /** The node the next phase's generator pods run on (a call chain's path decides: see place()). */
  private side: 'client' | 'server' = 'client';

  constructor(cluster: Cluster, context: RenderContext) {
    super();
    this.cluster = cluster;
    this.context = context;
  }

  async run(spec: PhaseSpec, signal?: AbortSignal): Promise<PhaseMeasurement> {
    if (signal?.aborted) throw new PhaseInterrupted('interrupted before the phase started');
    await this.deletePods(this.finished);
    this.finished = [];
    const settings = this.context.settings.generator;
    const specs = shardSpecs(spec, settings.maxRatePerPod);
    const phaseId = String(++this.phases);
    const startAtMs = specs.length > 1 ? Date.now() + settings.startDelay : 0;
    const pods = specs.map((shard, index) =>
      generatorPod(this.context, phaseId, index, { spec: shard, startAtMs, startDelayMs: settings.startDelay, targetWaitMs: TARGET_WAIT_MS }, this.side),
    );
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const shards: ShardState[] = pods.map((pod) => ({ pod, name: pod.metadata?.name ?? '', progress: undefined, windowStarted: false, windowEnded: false }));
    let succeeded = false;
    try {
      for (const pod of pods) {
        if (signal?.aborted) throw new PhaseInterrupted('interrupted before the phase started');
        await during(`creating generator pod ${pod.metadata?.name}`, () =>
          this.cluster.core.createNamespacedPod({ namespace: pod.metadata?.namespace ?? '', body: pod }),
        );
      }
      // However a generator hangs, the phase ends: its start, the target's wait, the load and its last timeout.
      const deadlineMs = settings.startDelay + TARGET_WAIT_MS + spec.warmupMs + spec.durationMs + spec.timeoutMs + DEADLINE_SLACK_MS;
      const results = await Promise.all(shards.map((shard) => this.follow(shard, shards, stop.signal, deadlineMs)));
      succeeded = true;
      return mergeShards(spec, results);
    } catch (error) {
      if (signal?.aborted) throw new PhaseInterrupted('interrupted during the phase');
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stop.abort();
      // After a result the pods stay until the next phase: the window's last resource sample, taken as the window
      // ends, must still find them on their node. After a failure or Ctrl-C they go at once; clean-up takes the rest.
      if (succeeded) this.finished = shards.map((s) => s.name);
      else await this.deletePods(shards.map((s) => s.name));
    }
  }

  /** Runs the next phases' generator pods on the client node (the default) or the server node. */
  place(side: 'client' | 'server'): void {
    this.side = side;
  }

  /** Deletes the last phase's generator pods now (their mode is being scaled down to make room for another). */
  async release(): Promise<void> {
    await this.deletePods(this.finished);
    this.finished = [];
  }

  private get namespace(): string {
    return namespaceName(this.context.runId, this.context.mode);
  }

  private async deletePods(names: string[]): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        try {
          // The grace period goes in the body too: @kubernetes/client-node 2.0.1 was seen to drop the query parameter.
          await this.cluster.core.deleteNamespacedPod({ name, namespace: this.namespace, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0 } });
        } catch (error) {
          // Gone already is fine; anything else is left to the namespace's deletion at clean-up.
          if (!isNotFound(error)) return;
        }
      }),
    );
  }

  private async readPod(name: string): Promise<V1Pod> {
    return during(`reading generator pod ${name}`, () => this.cluster.core.readNamespacedPod({ name, namespace: this.namespace }));
  }

  /** Waits for one shard's pod to run, proves the mode on it, and reads its log until its result arrives. */
  private async follow(shard: ShardState, all: readonly ShardState[], signal: AbortSignal, deadlineMs: number): Promise<PhaseMeasurement> {
    const timeout = this.context.settings.timeouts.podStart;
    try {
      await waitFor(`generator pod ${shard.name} to start`, timeout, signal, async () => {
        const pod = await this.readPod(shard.name);
        const problem = podProblem(pod);
        if (problem?.stuck) throw new LoadError(problem.reason);
        const state = pod.status?.containerStatuses?.find((c) => c.name === LOADGEN_CONTAINER)?.state;
        if (state?.running || state?.terminated) {
          shard.pod = pod;
          return true;
        }
        return problem?.reason ?? `pod ${shard.name} is ${pod.status?.phase ?? 'Pending'}`;
      }, 500);
    } catch (error) {
      if (error instanceof WaitTimeout) throw new LoadError(`${error.message}; raise kubernetes.timeouts.podStart if the image pull is slow`);
      throw error;
    }
    const problem = await settledModeProblem(this.context.mode, shard.pod, LOADGEN_CONTAINER, () => this.readPod(shard.name), signal);
    if (problem) throw new LoadError(problem);
    return this.readResult(shard, all, signal, deadlineMs);
  }

  /**
   * Reads a generator's log until its result or failure. A stream that ends while the container still runs (an
   * API server restart, an idle proxy) is followed again from the start: every message is idempotent. Once the
   * container has ended, the whole log is read one last time; without a result, the error carries its last lines.
   */
  private async readResult(shard: ShardState, all: readonly ShardState[], signal: AbortSignal, deadlineMs: number): Promise<PhaseMeasurement> {
    if (signal.aborted) throw new PhaseInterrupted('interrupted during the phase');
    const assembler = new ResultAssembler();
    const tail: string[] = [];
    let outcome: { result: PhaseMeasurement } | { error: Error } | undefined;
    let terminated: V1ContainerStateTerminated | undefined;
    let timedOut = false;
    const stop = new AbortController();
    const settle = (value: { result: PhaseMeasurement } | { error: Error }): void => {
      outcome ??= value;
      stop.abort();
    };
    const onLine = (line: string): void => {
      const message = decodeLine(line);
      if (!message) {
        if (line.trim()) tail.push(line.trim());
        if (tail.length > TAIL_LINES) tail.shift();
        return;
      }
      if (outcome) return;
      this.handle(message, shard, all, assembler, settle);
    };
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const deadline = setTimeout(() => {
      timedOut = true;
      stop.abort();
    }, deadlineMs);
    // The status is watched too: a stream may stay open, silent, after its container ended.
    const poll = setInterval(() => {
      this.cluster.core.readNamespacedPod({ name: shard.name, namespace: this.namespace }).then(
        (pod) => {
          terminated = pod.status?.containerStatuses?.find((c) => c.name === LOADGEN_CONTAINER)?.state?.terminated;
          if (terminated) stop.abort();
        },
        (error: unknown) => {
          // Busy API servers answer 429 or 503 now and then; only a pod that is gone ends the phase.
          if (isNotFound(error)) settle({ error: new LoadError(`generator pod ${shard.name} disappeared (deleted or evicted) during the phase`) });
        },
      );
    }, STATUS_POLL_MS);
    const target = { namespace: this.namespace, pod: shard.name, container: LOADGEN_CONTAINER };
    try {
      for (let follows = 1; !outcome; follows++) {
        try {
          await followLog(this.cluster.config, target, onLine, stop.signal);
        } catch (error) {
          throw new LoadError(`reading the log of generator pod ${shard.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (outcome) break;
        if (signal.aborted) throw new PhaseInterrupted('interrupted during the phase');
        if (timedOut) throw new LoadError(`generator pod ${shard.name} gave no result within ${Math.round(deadlineMs / 1000)} s${lastLines(tail)}`);
        if (terminated || follows >= MAX_FOLLOWS) {
          const text = await during(`reading the log of generator pod ${shard.name}`, () =>
            this.cluster.core.readNamespacedPodLog({ name: shard.name, namespace: this.namespace, container: LOADGEN_CONTAINER }),
          );
          tail.length = 0;
          for (const line of text.split('\n')) onLine(line);
          if (outcome) break;
          const why = terminated ? `its container exited with code ${terminated.exitCode} (${terminated.reason ?? 'no reason'})` : `its log ended ${follows} times`;
          throw new LoadError(`generator pod ${shard.name} ended without a result: ${why}${lastLines(tail)}`);
        }
        await sleep(1000, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    } finally {
      clearTimeout(deadline);
      clearInterval(poll);
      signal.removeEventListener('abort', onAbort);
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.result;
  }

  /** One message of a generator; repeats (a log read again) change nothing. */
  private handle(
    message: GeneratorMessage,
    shard: ShardState,
    all: readonly ShardState[],
    assembler: ResultAssembler,
    settle: (value: { result: PhaseMeasurement } | { error: Error }) => void,
  ): void {
    switch (message.type) {
      case 'progress':
        shard.progress = message.event;
        this.emitProgress(all);
        break;
      case 'window':
        if (message.edge === 'start' && !shard.windowStarted) {
          if (!all.some((s) => s.windowStarted)) this.emit('windowStart');
          shard.windowStarted = true;
        } else if (message.edge === 'end' && !shard.windowEnded) {
          shard.windowEnded = true;
          if (all.every((s) => s.windowEnded)) this.emit('windowEnd');
        }
        break;
      case 'result-chunk': {
        assembler.add(message);
        const result = assembler.complete();
        if (result) settle({ result });
        break;
      }
      case 'failed':
        settle({ error: new LoadError(`generator pod ${shard.name}: ${message.message}`) });
        break;
      case 'ready':
        break;
    }
  }

  private emitProgress(all: readonly ShardState[]): void {
    const known = all.map((s) => s.progress).filter((p): p is ProgressEvent => p !== undefined);
    if (known.length === 0) return;
    const order = { warmup: 0, measure: 1, drain: 2 } as const;
    const slowest = known.reduce((a, b) => (order[b.stage] < order[a.stage] || b.elapsedMs < a.elapsedMs ? b : a));
    this.emit('progress', {
      stage: slowest.stage,
      elapsedMs: slowest.elapsedMs,
      totalMs: slowest.totalMs,
      completed: known.reduce((t, p) => t + p.completed, 0),
      errors: known.reduce((t, p) => t + p.errors, 0),
    });
  }
}
