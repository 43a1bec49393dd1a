import { stat } from 'node:fs/promises';
import path from 'node:path';
import { RunFileError } from './read-run.ts';
import { RUN_FILE } from './run-file.ts';

/** Where `meshtax run` writes when the scenario does not say otherwise (output.dir's default), relative to the working directory. */
export const DEFAULT_RESULTS_DIR = 'results';

const kind = async (file: string): Promise<'file' | 'dir' | undefined> => {
  try {
    const info = await stat(file);
    return info.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
};

/**
 * The run.json a user means by `target`: a run.json (any file), a run directory holding one, or a run id looked up
 * under `resultsDir` (<resultsDir>/<run-id>/run.json, as `meshtax run` writes it). What was tried is said when none fits.
 */
export async function locateRunFile(target: string, resultsDir: string = DEFAULT_RESULTS_DIR): Promise<string> {
  const found = await kind(target);
  if (found === 'file') return target;
  if (found === 'dir') {
    const file = path.join(target, RUN_FILE);
    if ((await kind(file)) === 'file') return file;
    throw new RunFileError(`${target} is a directory without a ${RUN_FILE}; give a run directory (<out>/<run-id>) or its ${RUN_FILE}`);
  }
  // Only a bare name can be a run id: a path that does not exist is just missing.
  if (!target.includes('/') && !target.includes(path.sep) && target !== '' && target !== '.' && target !== '..') {
    const file = path.join(resultsDir, target, RUN_FILE);
    if ((await kind(file)) === 'file') return file;
    throw new RunFileError(`no run ${target}: neither a file nor a directory here, and ${file} does not exist (give --results DIR if the run was written elsewhere)`);
  }
  throw new RunFileError(`cannot read ${target}: ENOENT`);
}
