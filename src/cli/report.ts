import path from 'node:path';
import { locateRunFile } from '../results/locate-run.ts';
import { readRunFile } from '../results/read-run.ts';
import { writeAllReports } from '../report/all.ts';
import { REPORT_FILES, type ReportFormat } from '../report/write.ts';
import { EXIT, type ExitCode } from '../core/exit-codes.ts';
import { UsageError } from '../core/errors.ts';

const FORMATS = Object.keys(REPORT_FILES) as ReportFormat[];
/** Other names people type for a format: the file extension. */
const FORMAT_ALIASES: Readonly<Record<string, ReportFormat>> = { md: 'markdown', xml: 'junit' };

export interface ReportFlags {
  out?: string;
  format: string[];
}

/** `meshtax report <run.json | dir | run-id>`: (re)writes the reports of a run, beside it or into --out. */
export async function reportCommand(target: string, flags: ReportFlags): Promise<ExitCode> {
  const formats = flags.format.flatMap((entry) => entry.split(',')).map((entry) => entry.trim());
  for (const format of formats) {
    if (!FORMATS.includes(format as ReportFormat) && !(format in FORMAT_ALIASES)) {
      throw new UsageError(`--format ${format} is not a report format; formats: ${FORMATS.join(', ')} (md is markdown)`);
    }
  }
  const file = await locateRunFile(target);
  const run = await readRunFile(file);
  const chosen = [...new Set(formats.map((format) => FORMAT_ALIASES[format] ?? (format as ReportFormat)))];
  const written = await writeAllReports(run, flags.out ?? path.dirname(file), chosen.length > 0 ? chosen : undefined);
  process.stdout.write(`${written.join('\n')}\n`);
  return EXIT.ok;
}
