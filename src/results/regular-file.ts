import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { InputError } from '../core/errors.ts';

/** Thrown when a path names something other than a regular file (a FIFO, a device, a directory, a socket). */
export class NotRegularFile extends InputError {}

/**
 * Reads a regular file as UTF-8. Opened with O_NONBLOCK and checked with fstat before any read: opening a FIFO
 * for reading otherwise waits for a writer forever, and a device can be read forever. Checking the opened
 * descriptor, not the path, leaves no gap for the path to be swapped in between.
 */
export async function readRegularFile(file: string): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new NotRegularFile(`${file} is not a regular file`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * readRegularFile, synchronously, with the same checks: for reading thousands of small files in a row (history),
 * where each asynchronous open, stat, read and close round trip through the thread pool costs more than the read.
 */
export function readRegularFileSync(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new NotRegularFile(`${file} is not a regular file`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
