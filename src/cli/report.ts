import path from 'node:path';
import { locateRunFile } from '../results/locate-run.ts';
import { readRunFile } from '../results/read-run.ts';
import { writeAllReports } from '../report/all.ts';
import { REPORT_FILES, type ReportFormat } from '../report/write.ts';
import { EXIT, type ExitCode } from '../core/exit-codes.ts';
import { MeshtaxError, UsageError } from '../core/errors.ts';
import { WriteError } from '../results/atomic-write.ts';
import { pilotServices } from '../report/pilot/services.ts';
import { pilotSummary, writePilotReports } from '../report/pilot/write.ts';
import { requireWritableDir } from './out-dir.ts';

const FORMATS = Object.keys(REPORT_FILES) as ReportFormat[];
/** Other names people type for a format: the file extension. */
const FORMAT_ALIASES: Readonly<Record<string, ReportFormat>> = { md: 'markdown', xml: 'junit' };

export interface ReportFlags {
  out?: string;
  /** Where a run id is looked up (as for show). */
  results?: string;
  format: string[];
}

/**
 * `meshtax report <run…>`: (re)writes the reports of a run, beside it or into --out. Given several runs (one per
 * service of a pilot), writes the pilot's reports into --out: every service's mesh tax in one table, then each
 * service's results, in every format, and prints the pilot's table.
 */
export async function reportCommand(targets: readonly string[], flags: ReportFlags): Promise<ExitCode> {
  const formats = flags.format.flatMap((entry) => entry.split(',')).map((entry) => entry.trim());
  for (const format of formats) {
    if (!FORMATS.includes(format as ReportFormat) && !(format in FORMAT_ALIASES)) {
      throw new UsageError(`--format ${format} is not a report format; formats: ${FORMATS.join(', ')} (md is markdown)`);
    }
  }
  const chosen = [...new Set(formats.map((format) => FORMAT_ALIASES[format] ?? (format as ReportFormat)))];
  if (targets.length > 1) return pilotReport(targets, flags, chosen.length > 0 ? chosen : FORMATS);
  const file = await locateRunFile(targets[0]!, flags.results);
  const run = await readRunFile(file);
  // Checked before rendering: an --out that is a file or cannot be written is a mistake in the command, said in one line.
  if (flags.out !== undefined) await requireWritableDir(flags.out, '--out');
  const written = await writeAllReports(run, flags.out ?? path.dirname(file), chosen.length > 0 ? chosen : undefined).catch((error: unknown) => {
    // Beside the run is only the default: a run directory another job left read-only can be reported elsewhere.
    if (flags.out === undefined && error instanceof WriteError) throw new MeshtaxError(`${error.message}; give --out DIR to write the reports elsewhere`);
    throw error;
  });
  process.stdout.write(`${written.join('\n')}\n`);
  return EXIT.ok;
}

async function pilotReport(targets: readonly string[], { out, results }: ReportFlags, formats: readonly ReportFormat[]): Promise<ExitCode> {
  if (out === undefined) {
    throw new UsageError(`${targets.length} runs make a pilot report, which needs a directory of its own: give --out DIR (e.g. --out results/pilot)`);
  }
  const files = [];
  for (const target of targets) files.push(await locateRunFile(target, results));
  const inside = files.find((file) => path.resolve(path.dirname(file)) === path.resolve(out));
  if (inside !== undefined) {
    throw new UsageError(`--out ${out} is the directory of ${inside}: the pilot's reports would replace that run's own; give the directory above it, or another`);
  }
  const runs = [];
  for (const file of files) runs.push({ file, run: await readRunFile(file) });
  await requireWritableDir(out, '--out');
  const services = pilotServices(runs);
  const written = await writePilotReports(services, out, formats);
  process.stdout.write(`${pilotSummary(services)}\n${written.join('\n')}\n`);
  return EXIT.ok;
}
