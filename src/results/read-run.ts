import { checkEncodedHistogram } from '../core/histogram.ts';
import { HistogramPayloadError } from '../core/histogram-payload.ts';
import { NotRegularFile, readRegularFile } from './regular-file.ts';
import { runSchema, type PhaseRecord, type RunDocument } from './schema.ts';
import { InputError } from '../core/errors.ts';

export class RunFileError extends InputError {}

/**
 * Reads and validates a run.json; a missing, unparseable or foreign file throws RunFileError saying which. run.json
 * files travel between CI jobs and people, so every histogram in it is checked before anything decodes it.
 */
export async function readRunFile(file: string): Promise<RunDocument> {
  const run = parseRunText(file, await readRunText(file));
  checkRunHistograms(file, run);
  return run;
}

/** The text of a run.json: only a regular file is read (a FIFO named run.json would block forever). */
export async function readRunText(file: string): Promise<string> {
  try {
    return await readRegularFile(file);
  } catch (error) {
    if (error instanceof NotRegularFile) throw new RunFileError(`${error.message}; give a run.json written by meshtax run`);
    throw new RunFileError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** Parses and validates run.json's text against the schema this version reads. */
export function parseRunText(file: string, text: string): RunDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RunFileError(`${file} is not JSON; give a run.json written by meshtax run`);
  }
  const parsed = runSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new RunFileError(`${file} is not a meshtax run.json this version reads: ${first?.path.join('.') ?? ''} ${first?.message ?? ''}`.trim());
  }
  return parsed.data;
}

/**
 * Every phase's histograms are meshtax's compressed V2 HdrHistograms, within its buckets, and hold no more samples
 * than the phase has outcomes; the first that is not is named with its file and phase.
 */
export function checkRunHistograms(file: string, run: RunDocument): void {
  for (const [index, phase] of run.phases.entries()) {
    const outcomes = phase.counts.ok + phase.counts.non2xx + phase.counts.errors + phase.counts.timeouts;
    for (const [field, what] of [
      ['histogram', 'latency histogram'],
      ['serviceTimeHistogram', 'service-time histogram'],
    ] as const) {
      const where = `${file}: phase ${index + 1} (${phaseName(phase)}): ${what}`;
      let total: number;
      try {
        total = checkEncodedHistogram(phase[field]);
      } catch (error) {
        if (error instanceof HistogramPayloadError) throw new RunFileError(`${where}: ${error.message}; the file is damaged or was not written by meshtax`);
        throw error;
      }
      if (total > outcomes) {
        throw new RunFileError(`${where} holds ${total} samples but the phase counts ${outcomes} requests; the file is damaged or was not written by meshtax`);
      }
    }
  }
}

function phaseName(phase: PhaseRecord): string {
  return `${phase.mode} @ ${phase.rate === null ? 'closed loop' : `${phase.rate} rps`} rep ${phase.repetition}`;
}
