import { checkEncodedHistogram } from '../core/histogram.ts';
import { HistogramPayloadError } from '../core/histogram-payload.ts';
import { NotRegularFile, readRegularFile, readRegularFileSync } from '../core/regular-file.ts';
import type { z } from 'zod';
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
    throw unreadable(file, error);
  }
}

/** readRunText, synchronously: for reading many run.json files in a row. */
export function readRunTextSync(file: string): string {
  try {
    return readRegularFileSync(file);
  } catch (error) {
    throw unreadable(file, error);
  }
}

function unreadable(file: string, error: unknown): RunFileError {
  if (error instanceof NotRegularFile) return new RunFileError(`${error.message}; give a run.json written by meshtax run`);
  return new RunFileError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
}

/**
 * Parses run.json's text and validates it against the schema this version reads: the whole document by default, or
 * the part of it a command reads (history's).
 */
export function parseRunText(file: string, text: string): RunDocument;
export function parseRunText<S extends z.ZodType>(file: string, text: string, schema: S): z.output<S>;
export function parseRunText(file: string, text: string, schema: z.ZodType = runSchema): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RunFileError(`${file} is not JSON; give a run.json written by meshtax run`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new RunFileError(`${file} is not a meshtax run.json this version reads: ${first?.path.join('.') ?? ''} ${first?.message ?? ''}`.trim());
  }
  return parsed.data;
}

/** What naming and checking a phase's histograms needs; a phase read without its service-time histogram has it unchecked. */
type CheckedPhase = Pick<PhaseRecord, 'mode' | 'rate' | 'repetition' | 'counts' | 'histogram'> & { serviceTimeHistogram?: string };

/**
 * Every phase's histograms are meshtax's compressed V2 HdrHistograms, within its buckets, and hold no more samples
 * than the phase has outcomes; the first that is not is named with its file and phase.
 */
export function checkRunHistograms(file: string, run: { phases: readonly CheckedPhase[] }): void {
  for (const [index, phase] of run.phases.entries()) {
    const outcomes = phase.counts.ok + phase.counts.non2xx + phase.counts.errors + phase.counts.timeouts;
    for (const [field, what] of [
      ['histogram', 'latency histogram'],
      ['serviceTimeHistogram', 'service-time histogram'],
    ] as const) {
      const encoded = phase[field];
      if (encoded === undefined) continue;
      const where = `${file}: phase ${index + 1} (${phaseName(phase)}): ${what}`;
      let total: number;
      try {
        total = checkEncodedHistogram(encoded);
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

function phaseName(phase: CheckedPhase): string {
  return `${phase.mode} @ ${phase.rate === null ? 'closed loop' : `${phase.rate} rps`} rep ${phase.repetition}`;
}
