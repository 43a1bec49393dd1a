import { comparisonValidityOf, validityOf } from '../analysis/validity.ts';
import { decodeHistogram, mergeHistograms, summarize } from '../core/histogram.ts';
import type { Comparison, PhaseRecord, RunDocument } from '../results/schema.ts';
import { runtimeFacts } from '../runtimes/descriptions.ts';
import { metadataName } from '../core/format.ts';
import { sharedRoles } from './shared-roles.ts';

/**
 * smp.json: the run in the Service Mesh Performance (SMP) result format, spec version v0.0.1.
 *
 * Followed: service-mesh-performance/service-mesh-performance, protos/service_mesh_performance.proto (package smp,
 * read at commit 1a82110241f20665364b972f76af8901a09ce73f), messages PerformanceTestResult (smp_version, id, labels,
 * start_time, end_time, latencies_ms {min, average, p50, p90, p99, max}, actual_QPS, details_uri, testId,
 * meshConfigId, envId), ServiceMeshConfig (sidecar {count, cpu_mCores, mem_mb, rps}, mtls_enabled, proxy_build) and
 * EnvironmentConfig (node {type, cores, mem_mb}); "v0.0.1" is the smp_version the project's own examples use.
 * Field names are the proto field names (proto3 JSON parsers accept them as well as lowerCamelCase); timestamps are
 * RFC 3339 strings, as proto3 JSON writes google.protobuf.Timestamp.
 *
 * The spec has no document that holds several results, so smp.json is a wrapper of meshtax's own:
 * { smp_version, source, results: PerformanceTestResult[], service_mesh_configs: ServiceMeshConfig[],
 * environment_config: EnvironmentConfig }.
 *
 * One PerformanceTestResult per mode and rate, pooled over repetitions: latencies_ms are percentiles, min, max and
 * mean of the phases' HdrHistograms merged (exact: same-shape HdrHistograms add without loss), in milliseconds (µs /
 * 1000, not rounded). When a histogram cannot be decoded the per-repetition summaries are used instead: p50/p90/p99
 * the mean over repetitions, average the mean weighted by responses, max the largest; min is then unknown. A value
 * the data cannot give (too few samples for p99, min without histograms) is left out rather than written as 0
 * (proto3 reads a missing double as 0, so a consumer must check labels["meshtax.dev/missing"]). actual_QPS is the
 * mean achieved rate over repetitions. ServiceMeshConfig memory is in MiB (the spec says "MB"), CPU in millicores,
 * both means over repetitions of the mesh roles (sidecar, node-proxy, waypoint), from run.comparisons.
 *
 * The spec has no notion of a measurement that does not hold up, so meshtax labels every result
 * "meshtax.dev/valid" ("true" or "false"; false when a repetition fell below 99% of its rate, lost more than 0.1% of
 * its requests, or had the generator's lateness as its tail) with the reasons in "meshtax.dev/invalid-reasons"; a
 * ServiceMeshConfig whose comparison with baseline is invalid carries the same two labels: its cost is not mesh tax.
 * A ServiceMeshConfig whose mode has rows shared with the rest of the cluster (ztunnel, a control plane) names their
 * roles in "meshtax.dev/shared-roles": its sidecar figures charge those only their increase over idle, which the
 * spec has no field to say.
 */
export const SMP_VERSION = 'v0.0.1';

export interface SmpLatencies {
  min?: number;
  average: number;
  p50?: number;
  p90?: number;
  p99?: number;
  max: number;
}

export interface SmpPerformanceTestResult {
  smp_version: string;
  id: string;
  labels: Record<string, string>;
  start_time: string;
  end_time: string;
  latencies_ms: SmpLatencies;
  actual_QPS: number;
  testId: string;
  meshConfigId: string;
  envId: string;
}

export interface SmpServiceMeshConfig {
  smp_version: string;
  id: string;
  labels: Record<string, string>;
  sidecar?: { count: number; cpu_mCores: number; mem_mb: number; rps: number };
  mtls_enabled?: boolean;
  proxy_build?: string;
}

export interface SmpEnvironmentConfig {
  smp_version: string;
  id: string;
  labels: Record<string, string>;
  node: { type: string; cores: number; mem_mb: number }[];
}

export interface SmpDocument {
  smp_version: string;
  source: string;
  results: SmpPerformanceTestResult[];
  service_mesh_configs: SmpServiceMeshConfig[];
  environment_config: SmpEnvironmentConfig;
}

const MIB = 1024 * 1024;
const ms = (us: number): number => us / 1000;
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

interface PooledLatency {
  min: number | null;
  mean: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number;
  method: string;
}

function pooledLatency(phases: readonly PhaseRecord[]): PooledLatency {
  try {
    const merged = mergeHistograms(phases.map((phase) => decodeHistogram(phase.histogram)));
    if (merged.totalCount > 0) {
      const summary = summarize(merged);
      return {
        min: merged.minNonZeroValue,
        mean: merged.mean,
        p50: summary.p50,
        p90: summary.p90,
        p99: summary.p99,
        max: summary.max,
        method: 'merged histograms',
      };
    }
  } catch {
    // fall through to the per-repetition summaries
  }
  const percentile = (key: 'p50' | 'p90' | 'p99'): number | null => {
    const values = phases.map((phase) => phase.latencyUs[key]);
    return values.every((value) => value !== null) ? mean(values) : null;
  };
  const weights = phases.map((phase) => phase.counts.ok + phase.counts.non2xx);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  return {
    min: null,
    mean: totalWeight > 0 ? phases.reduce((total, phase, i) => total + phase.latencyUs.mean * weights[i]!, 0) / totalWeight : 0,
    p50: percentile('p50'),
    p90: percentile('p90'),
    p99: percentile('p99'),
    max: Math.max(...phases.map((phase) => phase.latencyUs.max)),
    method: 'mean of repetitions',
  };
}

function groupId(run: RunDocument, mode: string, rate: number | null): string {
  return `${run.runId}-${mode}-${rate === null ? 'closed' : String(rate)}`;
}

function result(run: RunDocument, phases: readonly PhaseRecord[]): SmpPerformanceTestResult {
  const first = phases[0]!;
  const latency = pooledLatency(phases);
  const starts = phases.map((phase) => Date.parse(phase.startedAt));
  const ends = phases.map((phase) => Date.parse(phase.startedAt) + phase.durationS * 1000);
  // In the proto's field order: min, average, p50, p90, p99, max; unknown values left out and listed in a label.
  const missing = (['min', 'p50', 'p90', 'p99'] as const).filter((key) => latency[key] === null);
  const optional = (value: number | null): number | undefined => (value === null ? undefined : ms(value));
  const latencies: SmpLatencies = {
    min: optional(latency.min),
    average: ms(latency.mean),
    p50: optional(latency.p50),
    p90: optional(latency.p90),
    p99: optional(latency.p99),
    max: ms(latency.max),
  };
  for (const key of missing) delete latencies[key];
  const id = groupId(run, first.mode, first.rate);
  const labels: Record<string, string> = {
    'meshtax.dev/run-id': run.runId,
    'meshtax.dev/mode': first.mode,
    'meshtax.dev/rate': first.rate === null ? 'closed' : String(first.rate),
    'meshtax.dev/loop': first.loop,
    'meshtax.dev/repetitions': String(phases.length),
    'meshtax.dev/latency-pooling': latency.method,
  };
  const scenario = metadataName(run);
  if (scenario) labels['meshtax.dev/scenario'] = scenario;
  const reasons = phases.flatMap((phase) => validityOf(phase).reasons.map((reason) => `rep ${phase.repetition}: ${reason.message}`));
  labels['meshtax.dev/valid'] = String(reasons.length === 0);
  if (reasons.length > 0) labels['meshtax.dev/invalid-reasons'] = reasons.join('; ');
  if (missing.length > 0) labels['meshtax.dev/missing'] = missing.join(',');
  return {
    smp_version: SMP_VERSION,
    id,
    labels,
    start_time: new Date(Math.min(...starts)).toISOString(),
    end_time: new Date(Math.max(...ends)).toISOString(),
    latencies_ms: latencies,
    actual_QPS: mean(phases.map((phase) => phase.achievedRps)),
    testId: run.runId,
    meshConfigId: id,
    envId: run.runId,
  };
}

function meshConfig(run: RunDocument, phases: readonly PhaseRecord[], comparison: Comparison | undefined): SmpServiceMeshConfig {
  const first = phases[0]!;
  const { proxy, mtls } = runtimeFacts(run.environment.runtime);
  const config: SmpServiceMeshConfig = {
    smp_version: SMP_VERSION,
    id: groupId(run, first.mode, first.rate),
    labels: { 'meshtax.dev/mode': first.mode },
  };
  const shared = [...sharedRoles(phases)];
  if (shared.length > 0) config.labels['meshtax.dev/shared-roles'] = shared.join(',');
  if (comparison) {
    const validity = comparisonValidityOf(comparison, run.phases);
    if (!validity.valid) {
      config.labels['meshtax.dev/valid'] = 'false';
      config.labels['meshtax.dev/invalid-reasons'] = validity.reasons.map((reason) => reason.message).join('; ');
    }
    config.sidecar = {
      count: comparison.proxies,
      cpu_mCores: Math.round(comparison.meshCpuCores * 1000),
      mem_mb: Math.round(comparison.meshMemoryBytes / MIB),
      rps: Math.round(mean(phases.map((phase) => phase.achievedRps))),
    };
    if (mtls !== undefined) config.mtls_enabled = mtls;
    if (proxy) config.proxy_build = `${proxy.kind}${proxy.version ? ` ${proxy.version}` : ''}`;
  }
  return config;
}

/** The SMP document as an object; see the file comment for the fields and how repetitions are pooled. */
export function smpReport(run: RunDocument): SmpDocument {
  const groups = new Map<string, PhaseRecord[]>();
  for (const phase of run.phases) {
    const key = groupId(run, phase.mode, phase.rate);
    groups.set(key, [...(groups.get(key) ?? []), phase]);
  }
  const results: SmpPerformanceTestResult[] = [];
  const configs: SmpServiceMeshConfig[] = [];
  for (const phases of groups.values()) {
    const first = phases[0]!;
    const comparison = run.comparisons.find((c) => c.mode === first.mode && c.rate === first.rate);
    results.push(result(run, phases));
    configs.push(meshConfig(run, phases, comparison));
  }
  const env = run.environment;
  return {
    smp_version: SMP_VERSION,
    source: `${run.tool.name} ${run.tool.version}`,
    results,
    service_mesh_configs: configs,
    environment_config: {
      smp_version: SMP_VERSION,
      id: run.runId,
      labels: { 'meshtax.dev/node': env.node, 'meshtax.dev/cpu-model': env.cpus.model },
      node: [{ type: `${env.os.platform}-${env.os.arch}`, cores: env.cpus.count, mem_mb: Math.round(env.memoryBytes / MIB) }],
    },
  };
}

/** smp.json's text: the document, two-space indented, with a final newline. */
export function smpJson(run: RunDocument): string {
  return `${JSON.stringify(smpReport(run), null, 2)}\n`;
}
