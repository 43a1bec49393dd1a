import { createInterface } from 'node:readline';
import { execa } from 'execa';

/** How much of a child's stderr is kept for error messages. */
const STDERR_TAIL_BYTES = 4096;
const KILL_GRACE_MS = 2000;

export interface StartedChild {
  readonly pid: number;
  /** First JSON line the child printed on stdout (its announcement, e.g. the port it listens on). */
  readonly announcement: Record<string, unknown>;
  /** The last few KiB of stderr. */
  stderrTail(): string;
  /** How it exited once it has; undefined while it runs. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

export class ChildStartError extends Error {}

/**
 * Starts a helper process (the echo server, later the proxies) and waits for its one-line JSON announcement.
 * execa's `cleanup` kills the child when meshtax exits by any route it can observe; the child's stdin stays a pipe
 * and the child exits when it closes, which covers the route it cannot (meshtax killed with SIGKILL).
 */
export function startChild(
  name: string,
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<StartedChild> {
  const subprocess = execa(command, args, {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: true,
    forceKillAfterDelay: KILL_GRACE_MS,
  });
  let stderr = '';
  let exitedAs: string | undefined;
  subprocess.stderr.setEncoding('utf8');
  subprocess.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
  });
  const finished = subprocess.then((result) => {
    exitedAs = result.signal
      ? `signal ${result.signal}`
      : result.failed && result.exitCode === undefined
        ? (result.originalMessage ?? 'failed to start')
        : `code ${result.exitCode}`;
  });
  const handle: StartedChild = {
    pid: subprocess.pid ?? -1,
    announcement: {},
    stderrTail: () => stderr.trim(),
    exited: () => exitedAs,
    stop: async () => {
      if (exitedAs === undefined) subprocess.kill('SIGTERM');
      await finished;
    },
  };
  return new Promise((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const lines = createInterface({ input: subprocess.stdout });
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (reason: string): void => {
      if (!settle()) return;
      lines.close();
      void handle.stop().then(() => {
        const tail = handle.stderrTail();
        reject(new ChildStartError(`${name} did not start: ${reason}${tail ? `\n${tail}` : ''}`));
      });
    };
    const timer = setTimeout(() => fail(`no announcement within ${timeoutMs} ms`), timeoutMs);
    const onAbort = (): void => fail('interrupted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    void finished.then(() => fail(`exited with ${exitedAs}`));
    lines.once('line', (line) => {
      try {
        Object.assign(handle.announcement, JSON.parse(line) as Record<string, unknown>);
      } catch {
        fail(`printed '${line.slice(0, 200)}' instead of its JSON announcement`);
        return;
      }
      if (settle()) resolve(handle);
    });
  });
}
