import { stat } from 'node:fs/promises';
import path from 'node:path';
import { loadFleetFile } from '../estimate/fleet-load.ts';
import { EstimateInputError, selectMeasurements, type RunSource } from '../estimate/measured.ts';
import { estimate } from '../estimate/project.ts';
import type { EstimateResult } from '../estimate/result-schema.ts';
import { writeFileAtomically } from '../results/atomic-write.ts';
import { readRunFile } from '../results/read-run.ts';
import { estimateHtml } from '../report/estimate/html.ts';
import { estimateMarkdown } from '../report/estimate/markdown.ts';
import { estimateTerminal } from '../report/estimate/terminal.ts';
import { EXIT, type ExitCode } from '../core/exit-codes.ts';
import { UsageError } from '../core/errors.ts';

const RENDER: Record<string, (result: EstimateResult) => string> = {
  table: estimateTerminal,
  md: estimateMarkdown,
  html: estimateHtml,
  json: (result) => `${JSON.stringify(result, null, 2)}\n`,
};
export const ESTIMATE_FORMATS = Object.keys(RENDER);

export interface EstimateFlags {
  fleet: string;
  mode: string[];
  rate?: string;
  format: string;
  out?: string;
}

/** A run directory stands for the run.json in it. */
async function runFilePath(given: string): Promise<string> {
  const info = await stat(given).catch(() => undefined);
  return info?.isDirectory() ? path.join(given, 'run.json') : given;
}

function parseRate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const rate = Number(text);
  if (!Number.isFinite(rate) || rate <= 0) throw new UsageError(`--rate ${text} is not a rate; give the requests per second of a measured comparison, e.g. --rate 1000`);
  return rate;
}

/** Checks --out before any work: its directory must exist and it must not be a directory itself. */
async function checkOut(out: string | undefined): Promise<void> {
  if (out === undefined) return;
  const dir = await stat(path.dirname(path.resolve(out))).catch(() => undefined);
  if (!dir?.isDirectory()) throw new UsageError(`--out ${out}: directory ${path.dirname(out)} does not exist; create it or give another path`);
  if ((await stat(out).catch(() => undefined))?.isDirectory()) throw new UsageError(`--out ${out} is a directory; give a file name, e.g. ${path.join(out, 'estimate.md')}`);
}

/** `meshtax estimate <run.json…> --fleet FILE`: what each measured mode would cost the fleet per month. */
export async function estimateCommand(files: readonly string[], flags: EstimateFlags): Promise<ExitCode> {
  const render = RENDER[flags.format];
  if (!render) throw new UsageError(`--format ${flags.format} is not an estimate format; formats: ${ESTIMATE_FORMATS.join(', ')}`);
  const rate = parseRate(flags.rate);
  await checkOut(flags.out);
  const fleet = await loadFleetFile(flags.fleet);
  const sources: RunSource[] = [];
  for (const given of files) {
    const file = await runFilePath(given);
    sources.push({ file, run: await readRunFile(file) });
  }
  let selected;
  try {
    selected = selectMeasurements(sources, { modes: flags.mode, ...(rate === undefined ? {} : { rate }) });
  } catch (error) {
    if (error instanceof EstimateInputError) throw new UsageError(error.message);
    throw error;
  }
  const text = render(estimate(fleet, flags.fleet, selected.measured, selected.unused));
  if (flags.out === undefined) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  try {
    await writeFileAtomically(flags.out, text);
  } catch (error) {
    process.stderr.write(`meshtax: cannot write ${flags.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return EXIT.runFailed;
  }
  process.stderr.write(`wrote ${flags.out}\n`);
  return EXIT.ok;
}
