import { phaseValidity } from '../analysis/validity.ts';
import type { PhaseMeasurement } from '../loadgen/types.ts';
import type { PhaseRecord, ResourceRecord } from '../results/schema.ts';

/** A measurement from the engine, labelled with what it measured, as run.json stores it (`modelledErrorShare`: workload.errorRate). */
export function phaseRecord(
  mode: string,
  repetition: number,
  measurement: PhaseMeasurement,
  resources: ResourceRecord[] = [],
  depth?: number,
  modelledErrorShare = 0,
): PhaseRecord {
  const { rate, loop, connections, startedAt, durationS, achievedRps, counts, bytesReceived } = measurement;
  const warnings = [...measurement.warnings];
  return {
    mode,
    rate,
    repetition,
    ...(depth === undefined ? {} : { depth }),
    loop,
    connections,
    startedAt,
    durationS,
    achievedRps,
    counts,
    bytesReceived,
    latencyUs: measurement.latencyUs,
    serviceTimeUs: measurement.serviceTimeUs,
    histogram: measurement.histogram,
    serviceTimeHistogram: measurement.serviceTimeHistogram,
    generator: measurement.generator,
    ...(measurement.protocol && measurement.protocol !== 'http1' ? { protocol: measurement.protocol } : {}),
    ...(measurement.endpoints ? { endpoints: measurement.endpoints } : {}),
    machine: measurement.machine,
    resources,
    warnings,
    validity: phaseValidity({ loop, rate, achievedRps, counts, warnings }, modelledErrorShare),
  };
}
