import { csvField, PHASE_CSV_COLUMNS, phaseRow } from '../csv.ts';
import { junitDocument, junitSuite } from '../junit.ts';
import { smpReport, SMP_VERSION, type SmpEnvironmentConfig, type SmpPerformanceTestResult, type SmpServiceMeshConfig } from '../smp.ts';
import type { PilotService } from './services.ts';

/**
 * The pilot's machine-readable reports, each the run's own format with the service added:
 * - phases.csv: a first column `service`, then the columns of a run's phases.csv, every phase of every service
 *   (chains.csv and nodes.csv likewise, written by write.ts);
 * - junit.xml: one testsuite per service ("meshtax thresholds: <service>", classnames meshtax.<service>.<mode>);
 * - smp.json: the run's SMP wrapper with every service's results and mesh configurations, each labelled
 *   meshtax.dev/service, and one environment configuration per service's run (the SMP spec has no document that
 *   holds several results, so the wrapper is meshtax's own as for a single run).
 */

export const PILOT_CSV_COLUMNS = ['service', ...PHASE_CSV_COLUMNS] as const;

export function pilotCsv(services: readonly PilotService[]): string {
  const rows = services.flatMap((service) => service.run.phases.map((phase) => [service.name, ...phaseRow(phase)].map(csvField).join(',')));
  return `${[PILOT_CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}

export function pilotJunit(services: readonly PilotService[]): string {
  return junitDocument(services.map((service) => junitSuite(service.run, service.name)));
}

export interface SmpPilotDocument {
  smp_version: string;
  source: string;
  results: SmpPerformanceTestResult[];
  service_mesh_configs: SmpServiceMeshConfig[];
  environment_configs: SmpEnvironmentConfig[];
}

export function pilotSmp(services: readonly PilotService[]): SmpPilotDocument {
  const labelled = <T extends { labels: Record<string, string> }>(item: T, service: string): T => ({ ...item, labels: { ...item.labels, 'meshtax.dev/service': service } });
  const documents = services.map((service) => ({ service: service.name, document: smpReport(service.run) }));
  const first = services[0]?.run.tool;
  return {
    smp_version: SMP_VERSION,
    source: first ? `${first.name} ${first.version}` : 'meshtax',
    results: documents.flatMap(({ service, document }) => document.results.map((r) => labelled(r, service))),
    service_mesh_configs: documents.flatMap(({ service, document }) => document.service_mesh_configs.map((c) => labelled(c, service))),
    environment_configs: documents.map(({ service, document }) => labelled(document.environment_config, service)),
  };
}

export const pilotSmpJson = (services: readonly PilotService[]): string => `${JSON.stringify(pilotSmp(services), null, 2)}\n`;
