import os from 'node:os';
import type { RunDocument } from '../results/schema.ts';
import type { RuntimeDescription } from '../runtimes/descriptions.ts';

/** The machine the run happened on, as recorded in run.json. */
export function describeEnvironment(runtime: RuntimeDescription): RunDocument['environment'] {
  const cpus = os.cpus();
  return {
    node: process.version,
    os: { platform: os.platform(), release: os.release(), arch: os.arch() },
    cpus: { count: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown' },
    memoryBytes: os.totalmem(),
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
    runtime,
  };
}
