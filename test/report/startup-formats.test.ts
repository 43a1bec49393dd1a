import { describe, expect, it } from 'vitest';
import { startupCsv, startupHtml, startupJunit } from '../../src/report/startup-formats.ts';
import { startupSchema, type StartupResult } from '../../src/startup/schema.ts';

const MIB = 1024 * 1024;

/** A Kubernetes start-up result: baseline and istio-sidecar, 3 pods × 2 rounds, one sidecar pod that never started. */
const result: StartupResult = startupSchema.parse({
  schemaVersion: 1,
  runId: '20261202-070000-abcd',
  startedAt: '2026-12-02T07:00:00.000Z',
  finishedAt: '2026-12-02T07:02:00.000Z',
  runtime: 'kubernetes',
  measures: 'creation-to-ready',
  scenarioSource: 'scenarios/<pilot>.yaml',
  pods: 3,
  rounds: 2,
  node: { name: 'worker-1', cpuCores: 8, memoryBytes: 16 * 1024 * MIB, maxPods: 110 },
  modes: [
    { mode: 'baseline', samples: 6, failed: 0, startupMs: { p50: 900, p90: 1100, p99: 1200, max: 1200 }, perRoundP50Ms: [880, 920], p50IntervalMs: { low: 650, high: 1150 }, deltaP50Ms: null, added: null, podsPerNode: 8 },
    {
      mode: 'istio-sidecar',
      samples: 5,
      failed: 1,
      startupMs: { p50: 1500, p90: 1900, p99: 2100, max: 2100 },
      perRoundP50Ms: [1400, 1600],
      p50IntervalMs: { low: 130, high: 2870 },
      deltaP50Ms: { estimate: 600, interval: { low: -670, high: 1870 } },
      added: { injectedContainers: ['istio-init', 'istio-proxy'], requests: { cpuCores: 0.1, memoryBytes: 128 * MIB }, limits: { cpuCores: 2, memoryBytes: null } },
      podsPerNode: 7,
    },
  ],
});

describe('the start-up results beside startup.json', () => {
  it('startup.csv: a row per mode, one value per field, nulls empty', () => {
    expect(startupCsv(result).split('\n')).toEqual([
      'mode,started,failed,p50Ms,p90Ms,p99Ms,maxMs,roundMedianMs,roundMedianLowMs,roundMedianHighMs,deltaP50Ms,deltaP50LowMs,deltaP50HighMs,addedRequestsCpuCores,addedRequestsMemoryBytes,addedLimitsCpuCores,addedLimitsMemoryBytes,injectedContainers,podsPerNode',
      'baseline,6,0,900,1100,1200,1200,900,650,1150,,,,,,,,,8',
      `istio-sidecar,5,1,1500,1900,2100,2100,1500,130,2870,600,-670,1870,0.1,${128 * MIB},2,,istio-init istio-proxy,7`,
      '',
    ]);
  });

  it('startup.html: the table of the terminal and startup.md, with intervals, escaped', () => {
    const html = startupHtml(result);
    expect(html).toContain('<code>scenarios/&lt;pilot&gt;.yaml</code>');
    expect(html).not.toContain('<pilot>');
    expect(html).toContain('<th scope="col">Δ median vs baseline</th>');
    expect(html).toContain(
      '<tr><td>istio-sidecar</td><td class="num">5 (1 failed)</td><td class="num">1.50 s</td><td class="num">1.90 s</td><td class="num">2.10 s</td><td class="num">2.10 s</td><td class="num">1.50 s [130 ms, 2.87 s]</td><td class="num">+600 ms [-670 ms, 1.87 s]</td><td>0.10 cores, 128 MiB</td><td>2.00 cores, unbounded</td><td>istio-init, istio-proxy</td><td class="num">7 (-1)</td></tr>',
    );
    expect(html).toContain('pods per node for worker-1');
  });

  it('junit.xml: a test case per mode, failed where a pod did not start, the table in system-out', () => {
    const junit = startupJunit(result);
    expect(junit).toContain('<testsuites name="meshtax" tests="2" failures="1" errors="0" skipped="0">');
    expect(junit).toContain('<testcase classname="meshtax.startup.baseline" name="pods start within the timeout" time="0"/>');
    expect(junit).toContain('<failure message="1 of 6 pods did not start within the timeout" type="startup">');
    expect(junit).toContain('mode: istio-sidecar; pods: 5 (1 failed); p50: 1.50 s;');
  });
});
