import { Writable } from 'node:stream';

/** A writable that hands each complete line to `onLine`, and says when the stream ends. */
export class LineSink extends Writable {
  private rest = '';
  private readonly onLine: (line: string) => void;

  constructor(onLine: (line: string) => void) {
    super();
    this.onLine = onLine;
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = this.rest + chunk.toString();
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.rest) this.onLine(this.rest);
    this.rest = '';
    callback();
  }
}
