import { makeDirectory, writeFileAtomically } from '../results/atomic-write.ts';
import path from 'node:path';
import type { RunDocument } from '../results/schema.ts';
import { phasesCsv } from './csv.ts';
import { junitReport } from './junit.ts';
import { markdownReport } from './markdown.ts';
import { resultCsvFiles } from './result-csv.ts';
import { smpJson } from './smp.ts';

/** The report files meshtax writes beside run.json (csv also writes chains.csv and nodes.csv when the run has their rows). */
export const REPORT_FILES = {
  markdown: 'report.md',
  junit: 'junit.xml',
  csv: 'phases.csv',
  smp: 'smp.json',
  html: 'report.html',
} as const;

export type ReportFormat = keyof typeof REPORT_FILES;
export const DEFAULT_REPORT_FORMATS: readonly ReportFormat[] = ['markdown', 'junit', 'csv', 'smp'];

const WRITERS: Record<Exclude<ReportFormat, 'html'>, (run: RunDocument) => string> = {
  markdown: markdownReport,
  junit: junitReport,
  csv: phasesCsv,
  smp: smpJson,
};

/**
 * Writes the reports into runDir, each atomically (temporary file, then rename), and returns the paths written in
 * the order of `formats`. The default is every format but html, which is written when an `html` renderer is given
 * (as a default format too) or when 'html' is asked for (an error without a renderer).
 */
export async function writeReports(
  run: RunDocument,
  runDir: string,
  formats?: readonly ReportFormat[],
  html?: (run: RunDocument) => string,
): Promise<string[]> {
  const wanted = formats ?? (html ? [...DEFAULT_REPORT_FORMATS, 'html'] : DEFAULT_REPORT_FORMATS);
  const unique = [...new Set(wanted)];
  if (unique.includes('html') && !html) throw new Error('report.html needs an HTML renderer; none was given');
  // Render everything first, so a renderer that throws leaves no partial set of reports behind.
  const rendered = unique.flatMap((format) => {
    const text = format === 'html' ? html!(run) : WRITERS[format](run);
    const main = { file: path.join(runDir, REPORT_FILES[format]), text };
    // The csv format also writes the results that are not phases (chains.csv, nodes.csv) when the run has them.
    const extra = format === 'csv' ? resultCsvFiles([{ run }]).map((csv) => ({ file: path.join(runDir, csv.file), text: csv.text })) : [];
    return [main, ...extra];
  });
  await makeDirectory(runDir);
  const written: string[] = [];
  for (const { file, text } of rendered) {
    await writeFileAtomically(file, text);
    written.push(file);
  }
  return written;
}
