import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { currentOwner, OWNER_FILE } from './owner.ts';

/**
 * A mode's own temporary directory (mode 0700): proxy configuration, certificates and keys, and owner.json naming
 * the meshtax process that made it (cleanup leaves a run alone while that process lives).
 */
export interface WorkDir {
  readonly path: string;
  /** Removes the directory and everything in it; safe to call twice. */
  remove(): Promise<void>;
}

/** Directories still on disk, removed synchronously if the process exits before remove() ran. */
const pending = new Set<string>();
process.on('exit', () => {
  for (const dir of pending) rmSync(dir, { recursive: true, force: true });
});

export function createWorkDir(runId: string, mode: string): WorkDir {
  // mkdtemp creates the directory with mode 0700.
  const dir = mkdtempSync(path.join(os.tmpdir(), `meshtax-${runId}-${mode}-`));
  pending.add(dir);
  writeFileSync(path.join(dir, OWNER_FILE), `${JSON.stringify(currentOwner())}\n`);
  return {
    path: dir,
    remove: async () => {
      await rm(dir, { recursive: true, force: true });
      pending.delete(dir);
    },
  };
}
