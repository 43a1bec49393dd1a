import { setTimeout as sleep } from 'node:timers/promises';
import { round } from '../../../core/numbers.ts';
import type { ResourceRecord } from '../../../results/schema.ts';
import type { PhaseResources, SampledResources } from '../../types.ts';
import { apiMessage } from '../client/errors.ts';
import { containerKey } from './kubelet-metrics.ts';
import type { MetricsSource, Samples } from './sources.ts';
import { type Role } from '../../../core/modes.ts';
import { type Warning } from '../../../core/warning.ts';

/** A container whose CPU and memory a phase records, and what it does. */
export interface ResourceTarget {
  namespace: string;
  pod: string;
  container: string;
  role: Role;
  node: string;
  /** A generator pod's container: it may end as the window closes, which is no failure. */
  ephemeral: boolean;
  /** Serves other workloads too (ztunnel, a control plane): charged as its increase over idle. */
  shared?: boolean;
}

/** How often memory is sampled inside the window (CPU needs only the two ends: it is a counter). */
const MEMORY_EVERY_MS = 5000;

interface Idle {
  cpuCores: number | null;
  memoryBytes: number | null;
}

/**
 * CPU and memory of a phase on Kubernetes: cumulative CPU counters differenced over the measured window, using the
 * kubelet's own timestamps (its stats refresh every few seconds); memory as the working set, averaged over samples
 * taken through the window; the idle level measured before the load over `idleWindowMs`. With the metrics API as
 * the source, CPU is the mean of its averaged gauges instead, and a warning says so.
 */
export class KubernetesPhaseResources implements PhaseResources {
  private targets: ResourceTarget[] = [];
  private readonly idle = new Map<string, Idle>();
  private first: Samples | undefined;
  private firstAtMs = 0;
  private readonly memory = new Map<string, number[]>();
  private readonly gauges = new Map<string, number[]>();
  private starting: Promise<void> | undefined;
  private stopped = false;
  private memoryTimer: NodeJS.Timeout | undefined;
  private readonly warnings: Warning[] = [];
  private readonly source: MetricsSource;
  private readonly scope: () => Promise<ResourceTarget[]>;
  private readonly idleWindowMs: number;
  private readonly warmupMs: number;

  constructor(source: MetricsSource, scope: () => Promise<ResourceTarget[]>, idleWindowMs: number, warmupMs: number) {
    this.source = source;
    this.scope = scope;
    this.idleWindowMs = idleWindowMs;
    this.warmupMs = warmupMs;
  }

  private async sample(targets: readonly ResourceTarget[]): Promise<Samples> {
    const nodes = [...new Set(targets.map((t) => t.node).filter((n) => n !== ''))];
    const namespaces = [...new Set(targets.map((t) => t.namespace))];
    return this.source.sample(nodes, namespaces);
  }

  async measureIdle(ms: number, signal?: AbortSignal): Promise<void> {
    const window = Math.max(ms, this.idleWindowMs);
    if (this.idleWindowMs === 0) return;
    let targets: ResourceTarget[];
    let before: Samples;
    let after: Samples;
    try {
      targets = await this.scope();
      before = await this.sample(targets);
      await sleep(window, undefined, { signal });
      after = await this.sample(targets);
    } catch (error) {
      if (signal?.aborted) throw error;
      // Without an idle level the phase is still worth measuring; the rows say null and a warning says why.
      this.warnings.push({ code: 'resources-idle-unavailable', message: `the idle level could not be read: ${apiMessage(error)}` });
      return;
    }
    for (const target of targets) {
      const key = containerKey(target.namespace, target.pod, target.container);
      const a = before.get(key);
      const b = after.get(key);
      let cpuCores: number | null = null;
      if (b?.cpuCoresGauge !== undefined) cpuCores = b.cpuCoresGauge;
      else if (a?.cpuSeconds !== undefined && b?.cpuSeconds !== undefined && b.cpuAtMs! > a.cpuAtMs!) {
        cpuCores = Math.max(0, (b.cpuSeconds - a.cpuSeconds) / ((b.cpuAtMs! - a.cpuAtMs!) / 1000));
      }
      this.idle.set(key, { cpuCores, memoryBytes: b?.workingSetBytes ?? null });
    }
  }

  start(): void {
    this.starting = (async () => {
      this.targets = await this.scope();
      this.first = await this.sample(this.targets);
      this.firstAtMs = Date.now();
      this.record(this.first);
      // stop() may come first (Ctrl-C, a failed generator): then no sampling starts at all.
      if (this.stopped) return;
      this.memoryTimer = setInterval(() => {
        void this.sample(this.targets).then(
          (samples) => this.record(samples),
          () => undefined,
        );
      }, MEMORY_EVERY_MS);
      this.memoryTimer.unref();
    })();
    // The failure, if any, is stop()'s to report; until then it must not count as unhandled.
    this.starting.catch(() => undefined);
  }

  private record(samples: Samples): void {
    for (const [key, sample] of samples) {
      if (sample.workingSetBytes !== undefined) this.memory.set(key, [...(this.memory.get(key) ?? []), sample.workingSetBytes]);
      if (sample.cpuCoresGauge !== undefined) this.gauges.set(key, [...(this.gauges.get(key) ?? []), sample.cpuCoresGauge]);
    }
  }

  async stop(): Promise<SampledResources> {
    this.stopped = true;
    clearInterval(this.memoryTimer);
    let last: Samples;
    try {
      await this.starting;
      clearInterval(this.memoryTimer);
      last = await this.sample(this.targets);
    } catch (error) {
      const reason = apiMessage(error);
      return {
        rows: [],
        exited: [],
        warnings: [{ code: 'resources-unavailable', message: `CPU and memory of this phase could not be read: ${reason}`, hint: 'meshtax doctor --runtime kubernetes checks the metrics sources' }],
      };
    }
    const endAtMs = Date.now();
    this.record(last);
    const rows: ResourceRecord[] = [];
    const exited: string[] = [];
    let shortest = Number.POSITIVE_INFINITY;
    let earliestStart = Number.POSITIVE_INFINITY;
    for (const target of this.targets) {
      const key = containerKey(target.namespace, target.pod, target.container);
      const a = this.first?.get(key);
      const b = last.get(key);
      if (!b) {
        if (a && !target.ephemeral) exited.push(`${target.pod}/${target.container}`);
        continue;
      }
      let cpuCores = 0;
      const gauges = this.gauges.get(key);
      if (gauges && gauges.length > 0) {
        cpuCores = gauges.reduce((t, v) => t + v, 0) / gauges.length;
      } else if (a?.cpuSeconds !== undefined && b.cpuSeconds !== undefined && b.cpuAtMs! > a.cpuAtMs!) {
        const spanMs = b.cpuAtMs! - a.cpuAtMs!;
        shortest = Math.min(shortest, spanMs);
        earliestStart = Math.min(earliestStart, a.cpuAtMs!);
        cpuCores = Math.max(0, (b.cpuSeconds - a.cpuSeconds) / (spanMs / 1000));
      } else {
        shortest = 0;
      }
      const memory = this.memory.get(key) ?? [];
      const idle = this.idle.get(key);
      rows.push({
        pod: target.pod,
        container: target.container,
        role: target.role,
        // The pod's spec.nodeName: per-node cost sums the mesh containers by it.
        ...(target.node === '' ? {} : { node: target.node }),
        cpuCores: round(cpuCores, 4),
        memoryBytes: memory.length > 0 ? Math.round(memory.reduce((t, v) => t + v, 0) / memory.length) : 0,
        memoryBytesMax: memory.length > 0 ? Math.max(...memory) : 0,
        memoryKind: 'working-set',
        idleCpuCores: idle?.cpuCores === null || idle?.cpuCores === undefined ? null : round(idle.cpuCores, 4),
        idleMemoryBytes: idle?.memoryBytes ?? null,
        ...(target.shared ? { shared: true } : {}),
      });
    }
    const windowMs = endAtMs - this.firstAtMs;
    if (this.source.name === 'metrics.k8s.io') {
      this.warnings.push({
        code: 'resource-source-fallback',
        message: 'CPU comes from metrics.k8s.io, averaged gauges, because the kubelet\'s resource metrics did not answer through the node proxy',
        hint: 'grant get on nodes/proxy for counters differenced over the measured window (meshtax doctor --runtime kubernetes)',
      });
    } else if (shortest < windowMs * 0.5) {
      this.warnings.push({
        code: 'resource-coverage',
        message: `the kubelet's CPU counters covered ${Math.round(shortest / 1000)} s of the ${Math.round(windowMs / 1000)} s measured window (its stats refresh on its housekeeping interval, 10 s by default)`,
        hint: 'use a load.duration of 60s or more on Kubernetes so the CPU figures rest on most of the window',
      });
    }
    if (earliestStart < this.firstAtMs - this.warmupMs) {
      this.warnings.push({
        code: 'resource-coverage',
        message: 'the kubelet\'s first CPU counter of the window predates the warmup, so it includes idle time',
        hint: 'raise load.warmup to 15s or more on Kubernetes',
      });
    }
    return { rows, warnings: this.warnings, exited };
  }
}
