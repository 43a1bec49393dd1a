import { createHash } from 'node:crypto';
import type { RunDocument } from '../results/schema.ts';
import { runtimeFacts } from '../runtimes/descriptions.ts';
import { formatCount, scenarioName } from '../core/format.ts';
import { flatSettings } from './compare-runs.ts';

/**
 * Which runs belong on one trend line: the same scenario name and the same settings that change the numbers.
 * An HAProxy run beside a built-in-proxy run, or mTLS on beside off, is a different experiment, not a regression.
 * Settings that only change how long or how often something is measured (durations, repetitions, order, seed,
 * timeouts, thresholds, output) are left out, so a longer nightly run still lines up with a short one; anything else
 * in the resolved scenario, including settings a later version adds, splits the group rather than mixing it.
 */
export interface ScenarioGroup {
  scenario: string;
  /** 8 hex digits of a hash over the settings that change the numbers. */
  fingerprint: string;
  /** Those settings in a line people read: runtime, proxy, mTLS, modes, rates, connections, payload. */
  settings: string;
}

/** Paths (and everything under them) that change how long or how often a thing is measured, not what it costs. */
const IGNORED = [
  'apiVersion', 'kind', 'metadata', 'thresholds', 'output',
  'load.duration', 'load.warmup', 'load.repetitions', 'load.order', 'load.seed', 'load.timeout', 'load.noiseFloor', 'load.onPhaseFailure',
  'kubernetes.timeouts', 'kubernetes.context', 'kubernetes.keep',
];
const ignored = (path: string): boolean => IGNORED.some((prefix) => path === prefix || path.startsWith(`${prefix}.`));

/** A run as far as its runtime's description goes. */
type Described = { environment: Pick<RunDocument['environment'], 'runtime'> };

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The proxy that really carried the traffic and whether mTLS was on: `proxy: auto` resolves per machine. */
function resolvedRuntime(run: Described): { proxy: string | null; mtls: boolean | null } {
  const { proxy, mtls } = runtimeFacts(run.environment.runtime);
  return { proxy: proxy === undefined ? null : `${proxy.kind} ${proxy.version}`, mtls: mtls ?? null };
}

function settingsLine(scenario: Record<string, unknown>, resolved: { proxy: string | null; mtls: boolean | null }): string {
  const load = record(scenario['load']);
  const workload = record(scenario['workload']);
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  const rates = list(load['rates']).map((rate) => (typeof rate === 'number' ? formatCount(rate) : String(rate)));
  return [
    typeof scenario['runtime'] === 'string' ? scenario['runtime'] : '',
    resolved.proxy ?? '',
    resolved.mtls === null ? '' : `mTLS ${resolved.mtls ? 'on' : 'off'}`,
    list(scenario['modes']).length > 0 ? `modes ${list(scenario['modes']).join(', ')}` : '',
    rates.length > 0 ? `${rates.join(', ')} rps` : '',
    typeof load['connections'] === 'number' ? `${formatCount(load['connections'])} connections` : '',
    typeof workload['payloadBytes'] === 'number' ? `${formatCount(workload['payloadBytes'])} B payload` : '',
  ]
    .filter((part) => part !== '')
    .join(', ');
}

export function scenarioGroup(run: Described & Pick<RunDocument, 'scenario' | 'scenarioSource'>): ScenarioGroup {
  const resolved = resolvedRuntime(run);
  const hash = createHash('sha256');
  const settings = flatSettings(run);
  settings.set('resolved.mtls', JSON.stringify(resolved.mtls));
  for (const path of [...settings.keys()].sort()) if (!ignored(path)) hash.update(`${path}=${settings.get(path)}\n`);
  return { scenario: scenarioName(run), fingerprint: hash.digest('hex').slice(0, 8), settings: settingsLine(run.scenario, resolved) };
}

/**
 * scenarioGroup, remembered by what it is computed from (the scenario, its source and the runtime's description, as
 * JSON): a results directory holds thousands of runs of a few settings, and flattening and hashing each one's
 * scenario cost more than reading it.
 */
export function scenarioGrouper(): (run: Described & Pick<RunDocument, 'scenario' | 'scenarioSource'>) => ScenarioGroup {
  const known = new Map<string, ScenarioGroup>();
  return (run) => {
    const key = JSON.stringify([run.scenarioSource, run.scenario, run.environment.runtime]);
    let group = known.get(key);
    if (!group) {
      group = scenarioGroup(run);
      known.set(key, group);
    }
    return group;
  };
}
