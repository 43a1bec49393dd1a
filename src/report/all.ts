import type { RunDocument } from '../results/schema.ts';
import { htmlReport } from './html/index.ts';
import { writeReports, type ReportFormat } from './write.ts';

/** Every report format, HTML included, written beside run.json; the paths written, in format order. */
export function writeAllReports(run: RunDocument, runDir: string, formats?: readonly ReportFormat[]): Promise<string[]> {
  return writeReports(run, runDir, formats, htmlReport);
}
