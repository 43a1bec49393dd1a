import { mkdir } from 'node:fs/promises';
import { writeFileAtomically } from './atomic-write.ts';
import path from 'node:path';
import type { RunDocument } from './schema.ts';

export const RUN_FILE = 'run.json';

/**
 * Writes run.json atomically: a temporary file beside it, then rename, so a reader (or a crash) never sees half a
 * file. Called after every phase, so a later failure or Ctrl-C loses no completed phase.
 */
export async function writeRunFile(runDir: string, run: RunDocument): Promise<string> {
  await mkdir(runDir, { recursive: true });
  const target = path.join(runDir, RUN_FILE);
  await writeFileAtomically(target, `${JSON.stringify(run, null, 2)}\n`);
  return target;
}
