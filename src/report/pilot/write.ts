import path from 'node:path';
import Table from 'cli-table3';
import { makeDirectory, writeFileAtomically } from '../../results/atomic-write.ts';
import { resultCsvFiles } from '../result-csv.ts';
import { legend, MissingReasons } from '../uncertainty.ts';
import { REPORT_FILES, type ReportFormat } from '../write.ts';
import { pilotHtml } from './html.ts';
import { pilotCsv, pilotJunit, pilotSmpJson } from './machine.ts';
import { pilotMarkdown } from './markdown.ts';
import { allComparisons, INVALID_PREFIX, SUMMARY_HEAD, summaryRows, type PilotService } from './services.ts';

/** The pilot's reports under the run's file names, written into one directory. */
const RENDERERS: Record<ReportFormat, (services: readonly PilotService[], outDir: string) => string> = {
  markdown: pilotMarkdown,
  junit: pilotJunit,
  csv: pilotCsv,
  smp: pilotSmpJson,
  html: pilotHtml,
};

/** Renders every format first (a renderer that throws leaves nothing half-written), then writes each atomically. */
export async function writePilotReports(services: readonly PilotService[], outDir: string, formats: readonly ReportFormat[]): Promise<string[]> {
  const rendered = [...new Set(formats)].flatMap((format) => [
    { file: path.join(outDir, REPORT_FILES[format]), text: RENDERERS[format](services, outDir) },
    ...(format === 'csv'
      ? resultCsvFiles(services.map((service) => ({ run: service.run, label: service.name })), 'service').map((csv) => ({ file: path.join(outDir, csv.file), text: csv.text }))
      : []),
  ]);
  await makeDirectory(outDir);
  for (const { file, text } of rendered) await writeFileAtomically(file, text);
  return rendered.map(({ file }) => file);
}

/** Breaks `text` into lines of at most `width` characters at spaces (a longer word keeps its own line). */
export function wrap(text: string, width: number): string {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.join('\n');
}

/** The terminal's pilot table: per service, mode and rate the deltas, each with its interval and mark under it. */
export function pilotSummary(services: readonly PilotService[]): string {
  const missing = new MissingReasons();
  const rows = summaryRows(services, (delta) => [delta.value, delta.range, delta.mark && `${delta.mark}${missing.mark(delta)}`].filter(Boolean).join('\n'));
  const table = new Table({
    head: [...SUMMARY_HEAD],
    style: { head: [], border: [] },
    colAligns: ['left', 'left', 'left', 'right', 'left', 'right', 'right', 'right', 'right'],
  });
  for (const row of rows) {
    // An invalid comparison's reason spans the four delta columns, wrapped, instead of widening one of them.
    const reason = row[5]!;
    table.push(reason.startsWith(INVALID_PREFIX) ? [...row.slice(0, 5), { colSpan: 4, hAlign: 'left' as const, content: wrap(reason, 72) }] : row);
  }
  return [`meshtax pilot: ${services.map((service) => service.name).join(', ')}`, table.toString(), legend(allComparisons(services)), ...missing.notes()].join('\n');
}
