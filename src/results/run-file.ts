import { mkdir } from 'node:fs/promises';
import { mkdirSync, readFileSync } from 'node:fs';
import { overwriteInPlaceSync, writeFileAtomically, writeFileAtomicallySync, WriteError } from './atomic-write.ts';
import path from 'node:path';
import type { RunDocument } from './schema.ts';

export const RUN_FILE = 'run.json';

async function makeRunDir(runDir: string): Promise<void> {
  try {
    await mkdir(runDir, { recursive: true });
  } catch (error) {
    throw new WriteError(runDir, error);
  }
}

/**
 * Writes run.json atomically: a temporary file beside it, then rename, so a reader (or a crash) never sees half a
 * file. Called after every phase, so a later failure or Ctrl-C loses no completed phase. Throws WriteError.
 */
export async function writeRunFile(runDir: string, run: RunDocument): Promise<string> {
  await makeRunDir(runDir);
  const target = path.join(runDir, RUN_FILE);
  await writeFileAtomically(target, `${JSON.stringify(run, null, 2)}\n`);
  return target;
}

/**
 * Writes run.json's final state. When the atomic write fails (a full disk has no room for the temporary copy), the
 * existing run.json is overwritten in place: the whole final state in compact form if it fits in the file's own
 * blocks, else the state last written (indented, so its compact form is shorter) with the final status, error and
 * end time; phases measured after the disk filled could not be kept either way, and the error says so. The run
 * still ends "failed" with its error on disk. Throws the first WriteError if nothing works.
 */
export async function writeFinalRunFile(runDir: string, run: RunDocument): Promise<string> {
  try {
    return await writeRunFile(runDir, run);
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    const target = path.join(runDir, RUN_FILE);
    try {
      overwriteInPlaceSync(target, `${JSON.stringify(run)}\n`);
      return target;
    } catch {
      try {
        const written = JSON.parse(readFileSync(target, 'utf8')) as RunDocument;
        const lost = run.phases.length - written.phases.length;
        const note = lost > 0 ? `; the last ${lost} measured phase(s) could not be saved` : '';
        const final: RunDocument = { ...written, status: run.status, error: `${run.error ?? error.message}${note}`, finishedAt: run.finishedAt };
        overwriteInPlaceSync(target, `${JSON.stringify(final)}\n`);
        return target;
      } catch {
        throw error;
      }
    }
  }
}

/** writeRunFile, synchronously: for a process that must exit now (a third Ctrl-C). */
export function writeRunFileSync(runDir: string, run: RunDocument): void {
  try {
    mkdirSync(runDir, { recursive: true });
  } catch (error) {
    throw new WriteError(runDir, error);
  }
  writeFileAtomicallySync(path.join(runDir, RUN_FILE), `${JSON.stringify(run, null, 2)}\n`);
}
