import { randomBytes } from 'node:crypto';
import { writeFileSync, renameSync, rmSync, openSync, fstatSync, ftruncateSync, writeSync, closeSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { MeshtaxError } from '../core/errors.ts';

/** A file meshtax could not write, named with the reason in words (a full disk, a read-only file system, …). */
export class WriteError extends MeshtaxError {
  readonly code: string | undefined;

  constructor(target: string, error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    super(`cannot write ${target}: ${describeCode(code, error)}`);
    this.code = code;
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'a directory is in the way',
  ENOTDIR: 'a file is in the way of a directory',
  EIO: 'input/output error',
  ENOENT: 'no such file or directory',
};

/** Why a file-system call failed, in words with its code, e.g. "read-only file system (EROFS)". */
export function writeFailureReason(error: unknown): string {
  return describeCode((error as NodeJS.ErrnoException).code, error);
}

function describeCode(code: string | undefined, error: unknown): string {
  const reason = code === undefined ? undefined : REASONS[code];
  if (reason !== undefined) return `${reason} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/** Makes `dir` and its parents for files about to be written; a failure is a WriteError naming the directory. */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new WriteError(dir, error);
  }
}

/**
 * Writes a file whole or not at all: a temporary file beside it, then rename, so a reader (or a crash) never sees
 * half a file. Used for run.json after every phase and for every report. A failure is a WriteError naming the file.
 */
export async function writeFileAtomically(target: string, text: string): Promise<void> {
  // A name of its own per write: an exit-time synchronous write must not share a temporary file with one in flight.
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o644 });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new WriteError(target, error);
  }
}

/** writeFileAtomically, synchronously: for the last words of a process about to exit. */
export function writeFileAtomicallySync(target: string, text: string): void {
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, text, { mode: 0o644 });
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new WriteError(target, error);
  }
}

/**
 * Overwrites an existing file in place, for when the atomic write failed for want of space: the file's own blocks
 * are reused, so a text no longer than the file fits on a full disk. Not atomic; only for the final state of a file
 * that could not be written otherwise. A text longer than the file is refused before a byte is written, so the file
 * is never left half old, half new; a short write is continued until every byte is down.
 */
export function overwriteInPlaceSync(target: string, text: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(target, 'r+');
    const bytes = Buffer.from(text);
    const size = fstatSync(fd).size;
    if (bytes.length > size) {
      throw Object.assign(new Error(`the final state (${bytes.length} bytes) is longer than the file it would replace (${size} bytes)`), { code: 'ENOSPC' });
    }
    for (let written = 0; written < bytes.length; ) {
      const wrote = writeSync(fd, bytes, written, bytes.length - written, written);
      if (wrote === 0) throw Object.assign(new Error('the file system took no more bytes'), { code: 'ENOSPC' });
      written += wrote;
    }
    ftruncateSync(fd, bytes.length);
  } catch (error) {
    throw new WriteError(target, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
