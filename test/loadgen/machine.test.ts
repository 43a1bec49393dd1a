import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuFractions, parseProcStat, readCpuTimes, sampleMachine, type CpuTimes, type MachineProbe } from '../../src/loadgen/machine.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/proc-stat/${name}`, import.meta.url), 'utf8');

describe('machine state over the measured window', () => {
  it('reads the aggregate cpu line of /proc/stat: guest time is already in user, iowait is idle', () => {
    // user 10132153 + nice 290696 + system 3084719 + irq 0 + softirq 25195; idle 46828483 + iowait 16683.
    expect(parseProcStat(fixture('start.txt'))).toEqual({ busy: 13_532_763, idle: 46_845_166, steal: 1000 });
  });

  it('treats a kernel without a steal column as no steal, and rejects what is not /proc/stat', () => {
    expect(parseProcStat('cpu  100 0 50 800 10 0 5\ncpu0 100 0 50 800 10 0 5\n')).toEqual({ busy: 155, idle: 810, steal: 0 });
    expect(parseProcStat('cpu0 1 2 3 4\n')).toBeUndefined();
    expect(parseProcStat('cpu  1 2 x 4\n')).toBeUndefined();
    expect(parseProcStat('cpu  1 2\n')).toBeUndefined();
    expect(parseProcStat('')).toBeUndefined();
    expect(readCpuTimes('/nonexistent/proc/stat')).toBeUndefined();
  });

  it('differences two readings into busy and steal fractions of all CPU time', () => {
    const start = parseProcStat(fixture('start.txt'));
    const end = parseProcStat(fixture('end.txt'));
    // Deltas: user 600, system 200, softirq 100 → busy 900; idle 1000 + iowait 200 → 1200; steal 200. Total 2300.
    expect(cpuFractions(start, end)).toEqual({ cpuBusyFraction: 0.391, stealFraction: 0.087 });
    expect(cpuFractions(undefined, end)).toEqual({ cpuBusyFraction: null, stealFraction: null });
    expect(cpuFractions(end, end)).toEqual({ cpuBusyFraction: null, stealFraction: null });
    // Counters that went backwards (a different machine, a reset) give no figure rather than a wrong one.
    expect(cpuFractions(end, start)).toEqual({ cpuBusyFraction: null, stealFraction: null });
  });

  it('records the load average at both ends of the window and the CPU fractions between them', () => {
    const readings: (CpuTimes | undefined)[] = [parseProcStat(fixture('start.txt')), parseProcStat(fixture('end.txt'))];
    const loads = [1.25, 2.5];
    const probe: MachineProbe = { cpuTimes: () => readings.shift(), loadAverage1m: () => loads.shift() ?? null, cores: () => 2 };
    const window = sampleMachine(probe);
    expect(window.end()).toEqual({ cores: 2, loadAverage1m: { start: 1.25, end: 2.5 }, cpuBusyFraction: 0.391, stealFraction: 0.087 });
    // Where nothing can be read (no /proc, no load average) the figures are null, not zero.
    const blind = sampleMachine({ cpuTimes: () => undefined, loadAverage1m: () => null, cores: () => 8 }).end();
    expect(blind).toEqual({ cores: 8, loadAverage1m: { start: null, end: null }, cpuBusyFraction: null, stealFraction: null });
  });
});
