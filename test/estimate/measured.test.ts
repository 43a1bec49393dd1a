import { describe, expect, it } from 'vitest';
import { EstimateInputError, selectMeasurements } from '../../src/estimate/measured.ts';
import { NODE_PROXY, SIDECAR, syntheticRun } from './fixture.ts';

describe('which comparison each mode is estimated from', () => {
  it('takes the highest valid rate; an invalid comparison is listed as not used, never as a cost', () => {
    const run = syntheticRun([
      { ...SIDECAR, rate: 500 },
      { ...SIDECAR, rate: 1000 },
      { ...SIDECAR, rate: 2000, achievedRps: 1500, invalid: true },
    ]);
    const { measured, unused } = selectMeasurements([{ file: 'a.json', run }], {});
    expect(measured.map((m) => [m.mode, m.rate])).toEqual([['sidecar', 1000]]);
    expect(unused).toEqual([{ mode: 'sidecar', rate: 2000, file: 'a.json', reason: expect.stringMatching(/^invalid measurement, not mesh tax: .*achieved 1500 of 2000/) }]);
  });

  it('takes the newer run when two measured a mode at the same rate, and names the file it used', () => {
    const old = syntheticRun([SIDECAR], { runId: '20261101-000000-aaaa', startedAt: '2026-11-01T00:00:00.000Z' });
    const recent = syntheticRun([SIDECAR, NODE_PROXY], { runId: '20261130-000000-bbbb', startedAt: '2026-11-30T00:00:00.000Z' });
    const { measured } = selectMeasurements([{ file: 'old.json', run: old }, { file: 'new.json', run: recent }], {});
    expect(measured.map((m) => [m.mode, m.file, m.runId])).toEqual([
      ['sidecar', 'new.json', '20261130-000000-bbbb'],
      ['node-proxy', 'new.json', '20261130-000000-bbbb'],
    ]);
  });

  it('sums each role over its proxies and averages over repetitions, idle apart', () => {
    const { measured } = selectMeasurements([{ file: 'a.json', run: syntheticRun([SIDECAR]) }], {});
    expect(measured[0]?.roles).toEqual([{ role: 'sidecar', proxies: 2, cpuCores: 0.5, memoryBytes: 120 * 1024 * 1024, idleCpuCores: 0.4, idleMemoryBytes: 100 * 1024 * 1024, idleChargedCpuCores: 0.4, idleChargedMemoryBytes: 100 * 1024 * 1024 }]);
    expect(measured[0]?.achievedRps).toBe(1000);
  });

  it('narrows to --mode and --rate', () => {
    const run = syntheticRun([SIDECAR, NODE_PROXY, { ...NODE_PROXY, rate: 500 }]);
    const { measured } = selectMeasurements([{ file: 'a.json', run }], { modes: ['node-proxy'], rate: 500 });
    expect(measured.map((m) => [m.mode, m.rate])).toEqual([['node-proxy', 500]]);
  });
});

describe('input it refuses (exit 2 at the command)', () => {
  const run = syntheticRun([SIDECAR]);
  const refuse = (f: () => unknown, message: RegExp) => {
    expect(f).toThrow(EstimateInputError);
    expect(f).toThrow(message);
  };

  it('a run without comparisons', () => {
    const lone = { ...run, comparisons: [] };
    refuse(() => selectMeasurements([{ file: 'lone.json', run: lone }], {}), /lone\.json has no comparisons/);
  });

  it('a mode no run measured, naming those it did', () => {
    refuse(() => selectMeasurements([{ file: 'a.json', run }], { modes: ['linkerd'] }), /no run given measured mode linkerd; the runs have: sidecar/);
  });

  it('the A/A baseline, which is no mesh mode', () => {
    refuse(() => selectMeasurements([{ file: 'a.json', run }], { modes: ['baseline-aa'] }), /baseline-aa is the A\/A measurement of the noise/);
  });

  it('a rate the mode was not measured at', () => {
    refuse(() => selectMeasurements([{ file: 'a.json', run }], { rate: 750 }), /sidecar was not measured at 750 rps; it was at 1000 rps/);
  });

  it('a mode asked for whose only comparison is invalid, with the reason', () => {
    const invalid = syntheticRun([{ ...SIDECAR, invalid: true }]);
    refuse(() => selectMeasurements([{ file: 'bad.json', run: invalid }], { modes: ['sidecar'] }), /mode sidecar has no comparison .* invalid measurement/);
  });

  it('runs in which nothing is usable', () => {
    const invalid = syntheticRun([{ ...SIDECAR, invalid: true }]);
    refuse(() => selectMeasurements([{ file: 'bad.json', run: invalid }], {}), /no comparison in the runs given can be used as a cost/);
  });
});
