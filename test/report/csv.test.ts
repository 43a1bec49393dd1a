import { describe, expect, it } from 'vitest';
import { csvField, phasesCsv } from '../../src/report/csv.ts';
import { fixtureRun } from './fixture.ts';

const HEADER =
  'mode,rate,depth,repetition,loop,connections,startedAt,durationS,achievedRps,ok,non2xx,errors,timeouts,' +
  'latencyP50Us,latencyP90Us,latencyP95Us,latencyP99Us,latencyP999Us,latencyMaxUs,latencyMeanUs,' +
  'serviceTimeP50Us,serviceTimeP99Us,generatorCpuCores,slipP99Us,meshCpuCores,meshMemoryBytes,valid,invalidReasons';

describe('phasesCsv', () => {
  it('writes a header and one row per phase, nulls empty, mesh roles summed', () => {
    expect(phasesCsv(fixtureRun)).toBe(
      [
        HEADER,
        'baseline,1000,,1,open,16,2025-03-01T10:00:00.000Z,10,999.5,9998,1,1,0,400,400,800,800,,1500,447,350,750,0.25,85,0,0,true,',
        'baseline,1000,,2,open,16,2025-03-01T10:01:00.000Z,10,1000.1,9998,1,1,0,420,420,820,820,,1600,467.8,370,770,0.25,85,0,0,true,',
        'sidecar,1000,,1,open,16,2025-03-01T10:02:00.000Z,10,999.5,9998,1,1,0,560,560,1200,1200,,1900,631,510,1150,0.25,85,0.19,18350080,true,',
        'sidecar,1000,,2,open,16,2025-03-01T10:03:00.000Z,10,1000.1,9998,1,1,0,580,580,1300,1300,,2000,659,530,1250,0.25,85,0.18,19188940.8,true,',
        'ambient,1000,,1,open,16,2025-03-01T10:04:00.000Z,10,999.5,9998,1,1,0,450,450,900,900,,1700,503,400,850,0.25,85,0.09,33554432,true,',
        'ambient,1000,,2,open,16,2025-03-01T10:05:00.000Z,10,1000.1,9998,1,1,0,440,440,910,910,,1800,495.9,390,860,0.25,85,0.1,34603008,true,',
        '',
      ].join('\n'),
    );
  });

  it('charges a shared node proxy only its increase over idle, as the comparisons do', () => {
    const run = structuredClone(fixtureRun);
    const ambient = run.phases[4]!;
    // ztunnel used 0.05 cores and 12 MiB over the phase, 0.03 cores and 10 MiB of it before the load: the mode's is
    // 0.02 cores and 2 MiB, beside the waypoint's 0.04 cores and 20 MiB.
    ambient.resources = ambient.resources.map((row) =>
      row.role === 'node-proxy' ? { ...row, shared: true, idleCpuCores: 0.03, idleMemoryBytes: 10 * 2 ** 20 } : row,
    );
    run.phases = [ambient];
    const fields = phasesCsv(run).split('\n')[1]!.split(',');
    expect(fields.slice(-4, -2)).toEqual(['0.06', String(22 * 2 ** 20)]);
  });

  it('quotes fields with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(1.5)).toBe('1.5');
  });

  it('writes the depth of a call chain\'s phase', () => {
    const run = structuredClone(fixtureRun);
    run.phases = [{ ...run.phases[0]!, depth: 3 }];
    expect(phasesCsv(run).split('\n')[1]).toMatch(/^baseline,1000,3,1,open,/);
  });

  it('leaves the closed loop rate empty', () => {
    const run = structuredClone(fixtureRun);
    run.phases = [{ ...run.phases[0]!, rate: null, loop: 'closed' }];
    expect(phasesCsv(run).split('\n')[1]).toMatch(/^baseline,,,1,closed,/);
  });
});
