import { describe, expect, it } from 'vitest';
import { smpJson, smpReport } from '../../src/report/smp.ts';
import { fixtureRun } from './fixture.ts';

describe('smpReport', () => {
  const doc = smpReport(fixtureRun);

  it('emits one result per mode and rate with latencies in milliseconds, pooled over repetitions', () => {
    expect(doc.smp_version).toBe('v0.0.1');
    expect(doc.results.map((r) => r.id)).toEqual([
      '20250301-100000-ab12-baseline-1000',
      '20250301-100000-ab12-sidecar-1000',
      '20250301-100000-ab12-ambient-1000',
    ]);
    const sidecar = doc.results[1]!;
    expect(sidecar.latencies_ms).toEqual({ min: 0.56, average: 0.645, p50: 0.58, p90: 0.58, p99: 1.3, max: 2 });
    expect(Object.keys(sidecar.latencies_ms)).toEqual(['min', 'average', 'p50', 'p90', 'p99', 'max']);
    expect(doc.results[0]!.latencies_ms).toEqual({ min: 0.4, average: 0.4574, p50: 0.42, p90: 0.42, p99: 0.82, max: 1.6 });
    expect(sidecar.actual_QPS).toBe(999.8);
    expect(sidecar.start_time).toBe('2025-03-01T10:02:00.000Z');
    expect(sidecar.end_time).toBe('2025-03-01T10:03:10.000Z');
    expect(sidecar.labels['meshtax.dev/repetitions']).toBe('2');
    expect(sidecar.labels['meshtax.dev/latency-pooling']).toBe('merged histograms');
  });

  it('describes each mode\'s mesh cost as a ServiceMeshConfig', () => {
    expect(doc.service_mesh_configs[1]).toEqual({
      smp_version: 'v0.0.1',
      id: '20250301-100000-ab12-sidecar-1000',
      labels: { 'meshtax.dev/mode': 'sidecar' },
      sidecar: { count: 2, cpu_mCores: 185, mem_mb: 18, rps: 1000 },
      mtls_enabled: true,
      proxy_build: 'haproxy 2.8.5',
    });
    expect(doc.service_mesh_configs[0]!.sidecar).toBeUndefined();
    expect(doc.environment_config.node).toEqual([{ type: 'linux-x64', cores: 8, mem_mb: 16384 }]);
  });

  it('falls back to per-repetition means when histograms are unreadable, leaving out what is unknown', () => {
    const run = structuredClone(fixtureRun);
    for (const phase of run.phases) phase.histogram = '';
    const sidecar = smpReport(run).results[1]!;
    expect(sidecar.latencies_ms).toEqual({ average: 0.645, p50: 0.57, p90: 0.57, p99: 1.25, max: 2 });
    expect(sidecar.labels['meshtax.dev/latency-pooling']).toBe('mean of repetitions');
    expect(sidecar.labels['meshtax.dev/missing']).toBe('min');
  });

  it('serialises as indented JSON', () => {
    expect(JSON.parse(smpJson(fixtureRun))).toEqual(doc);
    expect(smpJson(fixtureRun).endsWith('}\n')).toBe(true);
  });
});
