import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFailureReason } from '../results/atomic-write.ts';
import { UsageError } from '../core/errors.ts';

/**
 * Checks, before anything starts, that results can be written under `dir`: it is a directory (or can be made) and a
 * file can be created in it. What the check made is removed again, so input found invalid later leaves nothing. `flag` names where the directory came from (--out or the scenario's
 * output.dir). An unusable directory is invalid input (exit 2), said in one line.
 */
export async function requireWritableDir(dir: string, flag: string): Promise<void> {
  const found = await stat(dir).catch(() => undefined);
  if (found && !found.isDirectory()) throw new UsageError(`${flag} ${dir} is a file, not a directory; give a directory for the results`);
  const probe = path.join(dir, `.meshtax-write-check-${process.pid}-${randomBytes(3).toString('hex')}`);
  let made: string | undefined;
  try {
    made = await mkdir(dir, { recursive: true }).catch(firstRealError(dir));
    await writeFile(probe, '');
  } catch (error) {
    throw new UsageError(`cannot write to ${flag} ${dir}: ${writeFailureReason(error)}`);
  } finally {
    await rm(made ?? probe, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Node's recursive mkdir reports ENOENT when the real cause is further up (a read-only file system gives EROFS
 * only for the first directory it may not create): that first directory is made alone to get the real error.
 */
function firstRealError(dir: string): (error: unknown) => Promise<never> {
  return async (error) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    let missing = path.resolve(dir);
    while ((await stat(path.dirname(missing)).catch(() => undefined)) === undefined && path.dirname(missing) !== missing) {
      missing = path.dirname(missing);
    }
    await mkdir(missing);
    throw error;
  };
}
