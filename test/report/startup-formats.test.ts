import { describe, expect, it } from 'vitest';
import { startupCsv, startupHtml, startupJunit } from '../../src/report/startup-formats.ts';
import { startupSchema, type StartupResult } from '../../src/startup/schema.ts';

const MIB = 1024 * 1024;

/**
 * A Kubernetes start-up result: baseline and istio-sidecar, 3 pods × 2 rounds, one sidecar pod that never started
 * (nor answered); first answers measured for both.
 */
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
    {
      mode: 'baseline',
      samples: 6,
      failed: 0,
      startupMs: { p50: 900, p90: 1100, p99: 1200, max: 1200 },
      perRoundP50Ms: [880, 920],
      p50IntervalMs: { low: 650, high: 1150 },
      deltaP50Ms: null,
      firstAnswer: { measured: true, samples: 6, unanswered: 0, firstTry: 1, startupMs: { p50: 950, p90: 1150, p99: 1250, max: 1250 }, perRoundP50Ms: [930, 970], p50IntervalMs: { low: 700, high: 1200 }, deltaP50Ms: null, clockErrorMs: 1.5, pollIntervalMs: 25 },
      added: null,
      podsPerNode: 8,
    },
    {
      mode: 'istio-sidecar',
      samples: 5,
      failed: 1,
      startupMs: { p50: 1500, p90: 1900, p99: 2100, max: 2100 },
      perRoundP50Ms: [1400, 1600],
      p50IntervalMs: { low: 130, high: 2870 },
      deltaP50Ms: { estimate: 600, interval: { low: -670, high: 1870 } },
      firstAnswer: {
        measured: true,
        samples: 5,
        unanswered: 1,
        firstTry: 0,
        startupMs: { p50: 1700, p90: 2000, p99: 2300, max: 2300 },
        perRoundP50Ms: [1650, 1750],
        p50IntervalMs: { low: 1050, high: 2350 },
        deltaP50Ms: { estimate: 750, interval: { low: 115, high: 1385 } },
        clockErrorMs: 2.25,
        pollIntervalMs: 25,
      },
      added: { injectedContainers: ['istio-init', 'istio-proxy'], requests: { cpuCores: 0.1, memoryBytes: 128 * MIB }, limits: { cpuCores: 2, memoryBytes: null } },
      podsPerNode: 7,
    },
  ],
});

describe('the start-up results beside startup.json', () => {
  it('startup.csv: a row per mode, one value per field, nulls empty', () => {
    expect(startupCsv(result).split('\n')).toEqual([
      'mode,started,failed,p50Ms,p90Ms,p99Ms,maxMs,roundMedianMs,roundMedianLowMs,roundMedianHighMs,deltaP50Ms,deltaP50LowMs,deltaP50HighMs,' +
        'firstAnswerMeasured,answered,unanswered,answeredFirstTry,firstAnswerP50Ms,firstAnswerP90Ms,firstAnswerP99Ms,firstAnswerMaxMs,firstAnswerRoundMedianMs,firstAnswerRoundMedianLowMs,firstAnswerRoundMedianHighMs,firstAnswerDeltaP50Ms,firstAnswerDeltaP50LowMs,firstAnswerDeltaP50HighMs,firstAnswerClockErrorMs,' +
        'addedRequestsCpuCores,addedRequestsMemoryBytes,addedLimitsCpuCores,addedLimitsMemoryBytes,injectedContainers,podsPerNode',
      'baseline,6,0,900,1100,1200,1200,900,650,1150,,,,true,6,0,1,950,1150,1250,1250,950,700,1200,,,,1.5,,,,,,8',
      `istio-sidecar,5,1,1500,1900,2100,2100,1500,130,2870,600,-670,1870,true,5,1,0,1700,2000,2300,2300,1700,1050,2350,750,115,1385,2.25,0.1,${128 * MIB},2,,istio-init istio-proxy,7`,
      '',
    ]);
  });

  it('startup.csv: a mode whose first answers were not measured has them empty, and says so', () => {
    const missing = startupSchema.parse({ ...result, modes: [{ ...result.modes[0]!, firstAnswer: { measured: false, reason: 'no prober' } }] });
    expect(startupCsv(missing).split('\n')[1]).toBe('baseline,6,0,900,1100,1200,1200,900,650,1150,,,,false,,,,,,,,,,,,,,,,,,,,8');
  });

  it('startup.html: the table of the terminal and startup.md, with intervals, escaped', () => {
    const html = startupHtml(result);
    expect(html).toContain('<code>scenarios/&lt;pilot&gt;.yaml</code>');
    expect(html).not.toContain('<pilot>');
    expect(html).toContain('<th scope="col">Δ median vs baseline</th>');
    expect(html).toContain(
      '<tr><td>istio-sidecar</td><td class="num">5 (1 failed)</td><td class="num">1.50 s</td><td class="num">1.90 s</td><td class="num">2.10 s</td><td class="num">2.10 s</td><td class="num">1.50 s [130 ms, 2.87 s]</td><td class="num">+600 ms [-670 ms, 1.87 s]</td>' +
        '<td class="num">5 (1 unanswered)</td><td class="num">1.70 s</td><td class="num">2.00 s</td><td class="num">1.70 s [1.05 s, 2.35 s]</td><td class="num">+750 ms [115 ms, 1.39 s]</td>' +
        '<td>0.10 cores, 128 MiB</td><td>2.00 cores, unbounded</td><td>istio-init, istio-proxy</td><td class="num">7 (-1)</td></tr>',
    );
    expect(html).toContain('<th scope="col">Δ first answer vs baseline</th>');
    expect(html).toContain('pods per node for worker-1');
    // What the first answer times, how well the clocks agree, and which times are only upper bounds.
    expect(html).toContain('first answer: from each pod&#39;s create request to its first 2xx through the mesh, asked every 25 ms by a prober pod in the mode&#39;s namespace (taken by the mesh as its clients are) from when the pod had an address, on the prober&#39;s clock carried over within ±2.25 ms; 1 pod answered the first request, so its time is an upper bound');
  });

  it('junit.xml: a test case per mode for start-up and one for the first answer, failed where a pod did not start or answer, the table in system-out', () => {
    const junit = startupJunit(result);
    expect(junit).toContain('<testsuites name="meshtax" tests="4" failures="2" errors="0" skipped="0">');
    expect(junit).toContain('<testcase classname="meshtax.startup.baseline" name="pods start within the timeout" time="0"/>');
    expect(junit).toContain('<testcase classname="meshtax.startup.baseline" name="pods answer through the mesh within the timeout" time="0"/>');
    expect(junit).toContain('<failure message="1 of 6 pods did not start within the timeout" type="startup">');
    expect(junit).toContain('<failure message="1 of 6 pods did not answer through the mesh within the timeout" type="startup">');
    expect(junit).toContain('mode: istio-sidecar; pods: 5 (1 failed); p50: 1.50 s;');
    expect(junit).toContain('answered: 5 (1 unanswered); first answer p50: 1.70 s;');
  });

  it('junit.xml and the note: first answers not measured are skipped with the reason, never shown as figures', () => {
    const missing = startupSchema.parse({ ...result, modes: [{ ...result.modes[0]!, firstAnswer: { measured: false, reason: 'the prober pod is Ready but answered no request' } }] });
    const junit = startupJunit(missing);
    expect(junit).toContain('<testsuites name="meshtax" tests="2" failures="0" errors="0" skipped="1">');
    expect(junit).toContain('<skipped message="not measured: the prober pod is Ready but answered no request"/>');
    expect(junit).toContain('answered: not measured; first answer p50: —;');
    expect(startupHtml(missing)).toContain('first answer not measured for baseline: the prober pod is Ready but answered no request');
  });

  it('a local result, whose start-up already is the first answer, has no second set of columns', () => {
    const local = startupSchema.parse({ ...result, runtime: 'local', measures: 'start-to-first-answer', node: null, modes: result.modes.map((m) => ({ ...m, added: null, podsPerNode: null })) });
    expect(startupHtml(local)).not.toContain('first answer p50');
    expect(startupJunit(local)).toContain('tests="2"');
  });
});
