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
    made = await makeMissing(dir);
    await writeFile(probe, '');
  } catch (error) {
    throw new UsageError(`cannot write to ${flag} ${dir}: ${writeFailureReason(error)}`);
  } finally {
    await rm(made ?? probe, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Makes the directories of `dir` that do not exist, one at a time from the nearest one that does, and returns the
 * first one made (undefined when `dir` existed). Not Node's recursive mkdir: under /proc it retries forever at full
 * CPU (mkdir there says ENOENT although the parent exists), and on a read-only file system it reports ENOENT for
 * the real cause further up. One plain mkdir per level gets each level's own error.
 */
async function makeMissing(dir: string): Promise<string | undefined> {
  const missing: string[] = [];
  let at = path.resolve(dir);
  while ((await stat(at).catch(() => undefined)) === undefined && path.dirname(at) !== at) {
    missing.unshift(at);
    at = path.dirname(at);
  }
  let made = 0;
  try {
    for (const level of missing) {
      await mkdir(level);
      made++;
    }
  } catch (error) {
    if (made > 0) await rm(missing[0]!, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  return missing[0];
}
