import path from 'node:path';
import { readRunFile } from '../results/read-run.ts';
import { writeAllReports } from '../report/all.ts';
import { REPORT_FILES, type ReportFormat } from '../report/write.ts';
import { EXIT, UsageError, type ExitCode } from './exit-codes.ts';

const FORMATS = Object.keys(REPORT_FILES) as ReportFormat[];

export interface ReportFlags {
  out?: string;
  format: string[];
}

/** `meshtax report <run.json>`: (re)writes the reports of a run, beside it or into --out. */
export async function reportCommand(file: string, flags: ReportFlags): Promise<ExitCode> {
  const formats = flags.format.flatMap((entry) => entry.split(',')).map((entry) => entry.trim());
  for (const format of formats) {
    if (!FORMATS.includes(format as ReportFormat)) {
      throw new UsageError(`--format ${format} is not a report format; formats: ${FORMATS.join(', ')}`);
    }
  }
  const run = await readRunFile(file);
  const written = await writeAllReports(run, flags.out ?? path.dirname(file), formats.length > 0 ? (formats as ReportFormat[]) : undefined);
  process.stdout.write(`${written.join('\n')}\n`);
  return EXIT.ok;
}
