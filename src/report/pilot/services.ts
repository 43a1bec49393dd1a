import { comparisonValidityOf, validityText } from '../../analysis/validity.ts';
import { formatRate, metadataName, modeLabel } from '../../core/format.ts';
import { LOW_RELIABILITY, reliabilityMark, shownDelta, type DeltaKey, type ShownDelta } from '../uncertainty.ts';
import { UsageError } from '../../core/errors.ts';
import type { Comparison, RunDocument } from '../../results/schema.ts';

/**
 * A pilot: several runs, one per service a platform team measures (an HTTP service, a gRPC one, a chatty one …),
 * reported together. A service is a run; its name is the scenario's metadata.name, so two runs of one scenario cannot
 * be told apart in a pilot and are refused.
 */

export interface PilotService {
  /** The scenario's metadata.name. */
  name: string;
  run: RunDocument;
  /** Where its run.json is, so a pilot report can point at the run's own reports. */
  file: string;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The runs as the services of one pilot, in the order given; a name given twice is a usage error naming both files. */
export function pilotServices(runs: readonly { run: RunDocument; file: string }[]): PilotService[] {
  const seen = new Map<string, string>();
  return runs.map(({ run, file }) => {
    const name = metadataName(run) ?? run.scenarioSource;
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new UsageError(
        `${earlier} and ${file} are both runs of scenario ${name}: a pilot reports one run per service, named by metadata.name; give one of them, or rename the scenario of the other`,
      );
    }
    seen.set(name, file);
    return { name, run, file };
  });
}

/** What the service speaks: load.protocol, http1 by default. */
export function serviceProtocol(run: RunDocument): string {
  const protocol = record(run.scenario['load'])['protocol'];
  return typeof protocol === 'string' ? protocol : 'http1';
}

/** What the service speaks and what answered it: "grpc · meshtax's echo server", "http1 · your server: node server.js". */
export function serviceLine(run: RunDocument): string {
  const workload = record(run.scenario['workload']);
  const command = record(workload['command']);
  const image = record(workload['image']);
  const server = Array.isArray(command['argv'])
    ? `your server: ${command['argv'].map(String).join(' ')}`
    : typeof image['name'] === 'string'
      ? `your image: ${image['name']}`
      : "meshtax's echo server";
  return `${serviceProtocol(run)} · ${server}`;
}

/** The scenario's own description of the service, when it has one. */
export function serviceDescription(run: RunDocument): string | undefined {
  const description = record(run.scenario['metadata'])['description'];
  return typeof description === 'string' && description !== '' ? description : undefined;
}

/** How a summary row built on an invalid phase begins, in the first delta column, the other three left empty. */
export const INVALID_PREFIX = 'invalid measurement, not mesh tax: ';

export const SUMMARY_HEAD = ['service', 'protocol', 'mode', 'rate', 'rounds', 'Δp50', 'Δp99', 'mesh CPU', 'mesh memory'] as const;

/**
 * The pilot's headline: per service, mode and rate, the deltas against that service's own baseline with their
 * intervals, written by `cell` (each report lays a delta out its own way); a comparison built on an invalid phase
 * shows why instead of figures, as in every report.
 */
export function summaryRows(services: readonly PilotService[], cell: (delta: ShownDelta) => string): string[][] {
  return services.flatMap((service) => {
    const protocol = serviceProtocol(service.run);
    // In the run's own order of comparisons, valid or not.
    const rows = service.run.comparisons.map((comparison) => {
      const reliability = reliabilityMark(comparison);
      const head = [service.name, protocol, modeLabel(comparison), formatRate(comparison.rate), reliability ? `${comparison.repetitions} (${LOW_RELIABILITY})` : String(comparison.repetitions)];
      const validity = comparisonValidityOf(comparison, service.run.phases);
      return validity.valid
        ? [...head, ...SUMMARY_KEYS.map((key) => cell(shownDelta(comparison, key)))]
        : [...head, `${INVALID_PREFIX}${validityText(validity)}`, '', '', ''];
    });
    return rows.length > 0 ? rows : [[service.name, protocol, '—', '—', '—', 'no comparison against baseline in this run', '', '', '']];
  });
}

const SUMMARY_KEYS: readonly DeltaKey[] = ['p50', 'p99', 'meshCpuCores', 'meshMemoryBytes'];

/** Every comparison of every service, for the legend under the summary. */
export const allComparisons = (services: readonly PilotService[]): Comparison[] => services.flatMap((service) => service.run.comparisons);
