import { readFile } from 'node:fs/promises';
import { runSchema, type RunDocument } from './schema.ts';

export class RunFileError extends Error {}

/** Reads and validates a run.json; a missing, unparseable or foreign file throws RunFileError saying which. */
export async function readRunFile(file: string): Promise<RunDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RunFileError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
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
