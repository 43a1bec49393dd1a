import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { InputError } from './errors.ts';

/** Thrown when a path names something other than a regular file (a FIFO, a device, a directory, a socket). */
export class NotRegularFile extends InputError {
  /** What the path is instead, for messages: "it is a directory", "it is a FIFO (named pipe)", … */
  readonly kind: string;
  readonly file: string;

  constructor(file: string, stats: Stats) {
    super(`${file} is not a regular file`);
    this.file = file;
    this.kind = stats.isDirectory()
      ? 'it is a directory'
      : stats.isFIFO()
        ? 'it is a FIFO (named pipe)'
        : stats.isSocket()
          ? 'it is a socket'
          : stats.isCharacterDevice() || stats.isBlockDevice()
            ? 'it is a device'
            : 'it is not a regular file';
  }
}

/** Thrown when a regular file is larger than its reader accepts; nothing of it was read. */
export class FileTooLarge extends InputError {
  readonly bytes: number;

  constructor(file: string, bytes: number, limit: number) {
    super(`${file} holds ${bytes} bytes; at most ${limit} are read here`);
    this.bytes = bytes;
  }
}

/**
 * Reads a regular file as UTF-8, refusing one over `maxBytes` before reading it. Opened with O_NONBLOCK and checked
 * with fstat before any read: opening a FIFO for reading otherwise waits for a writer forever (and Ctrl-C cannot end
 * that wait: the open blocks a thread-pool thread), and a device can be read forever. Checking the opened
 * descriptor, not the path, leaves no gap for the path to be swapped in between.
 */
export async function readRegularFile(file: string, maxBytes = Infinity): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new NotRegularFile(file, stats);
    if (stats.size > maxBytes) throw new FileTooLarge(file, stats.size, maxBytes);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * readRegularFile's bytes, synchronously, with the same checks: for reading thousands of small files in a row
 * (history), where each asynchronous open, stat, read and close round trip through the thread pool costs more than
 * the read, and for files read where the caller is synchronous (request bodies).
 */
export function readRegularBytesSync(file: string, maxBytes = Infinity): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new NotRegularFile(file, stats);
    if (stats.size > maxBytes) throw new FileTooLarge(file, stats.size, maxBytes);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** readRegularBytesSync as UTF-8 text. */
export function readRegularFileSync(file: string, maxBytes = Infinity): string {
  return readRegularBytesSync(file, maxBytes).toString('utf8');
}

/**
 * Throws NotRegularFile unless `file` is a regular file, without reading it: for files a library then reads itself
 * (protobufjs and a .proto's imports). The library's own read comes later, so a path swapped in between is not
 * caught; what this stops is the everyday mistake of a FIFO or device named where a file belongs.
 */
export function requireRegularFileSync(file: string): void {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new NotRegularFile(file, stats);
  } finally {
    closeSync(fd);
  }
}
