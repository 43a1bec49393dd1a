import { rename, rm, writeFile } from 'node:fs/promises';

/**
 * Writes a file whole or not at all: a temporary file beside it, then rename, so a reader (or a crash) never sees
 * half a file. Used for run.json after every phase and for every report.
 */
export async function writeFileAtomically(target: string, text: string): Promise<void> {
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o644 });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
