import type { ChildProcess } from 'node:child_process';

/**
 * Resolves when a helper process of a test prints `ready` on its stdout; rejects if it exits first or stays silent
 * for `timeoutMs`, with what it wrote on stderr.
 */
export function untilReady(child: ChildProcess, what: string, timeoutMs = 10_000): Promise<void> {
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} not ready in ${timeoutMs / 1000} s: ${output}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${output}`));
    });
  });
}
