import { describe, expect, it } from 'vitest';
import { parseRunText, RunFileError } from '../../src/results/read-run.ts';
import type { RunDocument } from '../../src/results/schema.ts';
import { runtimeFacts } from '../../src/runtimes/descriptions.ts';
import { kubernetesDescription, localDescription } from '../helpers/runtime-descriptions.ts';
import { fixtureRun } from '../report/fixture.ts';

/** run.json's text with environment.runtime replaced. */
const withRuntime = (runtime: unknown): string => JSON.stringify({ ...fixtureRun, environment: { ...fixtureRun.environment, runtime } });

const readBack = (runtime: unknown): RunDocument => parseRunText('run.json', withRuntime(runtime));

describe("run.json's runtime description is validated on read", () => {
  it('reads back what each runtime writes, and the reports say it', () => {
    expect(runtimeFacts(readBack(localDescription()).environment.runtime).line).toBe('proxy: haproxy 2.8.5 (mTLS on)');
    const cluster = readBack(kubernetesDescription({ context: 'kind', kubernetesVersion: 'v1.37.2', meshes: [{ mesh: 'istio', namespace: 'istio-system', version: '1.28.0' }] }));
    expect(runtimeFacts(cluster.environment.runtime).line).toBe('cluster: kind (Kubernetes v1.37.2); meshes: istio 1.28.0; server ?, client ?');
  });

  it('a renamed field is a schema error naming it, not a blank line in a report', () => {
    const { proxy, ...rest } = localDescription();
    expect(() => readBack({ ...rest, proxyImplementation: proxy })).toThrow(RunFileError);
    expect(() => readBack({ ...rest, proxyImplementation: proxy })).toThrow(/environment\.runtime/);
    const { kubernetesVersion, ...cluster } = kubernetesDescription({ kubernetesVersion: 'v1.37.2' });
    expect(() => readBack({ ...cluster, version: kubernetesVersion })).toThrow(/environment\.runtime/);
  });

  it('an unknown runtime or a value of the wrong kind is refused', () => {
    expect(() => readBack({ ...localDescription(), name: 'nomad' })).toThrow(/environment\.runtime/);
    expect(() => readBack(localDescription({ proxy: { kind: 'envoy' as 'haproxy', version: '1.31.2' } }))).toThrow(/environment\.runtime\.proxy\.kind/);
  });

  it('only a kept Kubernetes run has something to remove, said by the runtime itself', () => {
    const kept = kubernetesDescription({ kept: true, namespaces: ['meshtax-r-baseline', 'meshtax-r-linkerd'] });
    expect(runtimeFacts(kept).keptNote('r')).toBe('kept meshtax-r-baseline, meshtax-r-linkerd; remove them with meshtax cleanup --run-id r');
    expect(runtimeFacts({ ...kept, kept: false }).keptNote('r')).toBeUndefined();
    expect(runtimeFacts(localDescription()).keptNote('r')).toBeUndefined();
  });
});
