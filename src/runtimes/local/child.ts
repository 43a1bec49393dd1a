import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { MeshtaxError } from '../../core/errors.ts';

/** How much of a child's stderr is kept for error messages. */
const STDERR_TAIL_BYTES = 4096;
const KILL_GRACE_MS = 2000;

export interface StartedChild {
  readonly pid: number;
  /**
   * First JSON line the child printed on stdout (its announcement, e.g. the port it listens on); empty for a child
   * started with a `ready` check instead.
   */
  readonly announcement: Record<string, unknown>;
  /** The last few KiB of stderr. */
  stderrTail(): string;
  /** How it exited once it has; undefined while it runs. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

/** What a `ready` check is given: the child's pid, and a signal that aborts once the start has failed. */
export interface ReadyContext {
  pid: number;
  signal: AbortSignal;
}

export interface StartChildOptions {
  /** How long the child has to announce itself or pass `ready`; 10 s unless told. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Decides readiness instead of the JSON announcement line, for children that print none (HAProxy): start
   * resolves when it resolves and fails with its message when it rejects. Its signal aborts once start has failed
   * another way (the child exited, the timeout passed, the caller aborted), so a poll can stop.
   */
  ready?: (context: ReadyContext) => Promise<void>;
  /**
   * A network namespace (made by `ip netns add`) to run the child in: the command is started as
   * `ip netns exec <netns> <command> <args…>`. iproute2 enters the namespace and exec()s the command without
   * forking, so the pid meshtax holds, signals and measures in /proc is still the command's own.
   */
  netns?: string;
  /** Environment variables added to meshtax's own for the child. */
  env?: Readonly<Record<string, string>>;
}

export class ChildStartError extends MeshtaxError {}

/**
 * Starts a helper process (the echo server, the proxies) and waits until it is ready: by default for its one-line
 * JSON announcement on stdout, or until `options.ready` resolves. A child that exits first fails the start with
 * the tail of its stderr. execa's `cleanup` kills the child when meshtax exits by any route it can observe; the
 * child's stdin stays a pipe so a child that watches it can exit when it closes, which covers the route meshtax
 * cannot observe (being killed with SIGKILL). Children that do not watch stdin need their own arrangement (HAProxy:
 * a parent-death signal, see haproxy.ts).
 */
export function startChild(
  name: string,
  command: string,
  args: readonly string[],
  options: StartChildOptions = {},
): Promise<StartedChild> {
  const [program, argv] = options.netns ? ['ip', ['netns', 'exec', options.netns, command, ...args]] : [command, args];
  const subprocess = execa(program, argv, {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: true,
    forceKillAfterDelay: KILL_GRACE_MS,
    ...(options.env ? { env: { ...options.env } } : {}),
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
    const { ready } = options;
    const readyAbort = new AbortController();
    const lines = ready ? undefined : createInterface({ input: subprocess.stdout });
    // Nobody reads a ready-checked child's stdout: drain it so the child never blocks writing to a full pipe.
    if (ready) subprocess.stdout.resume();
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
      lines?.close();
      readyAbort.abort();
      void handle.stop().then(() => {
        const tail = handle.stderrTail();
        reject(new ChildStartError(`${name} did not start: ${reason}${tail ? `\n${tail}` : ''}`));
      });
    };
    const waitingFor = ready ? 'not ready' : 'no announcement';
    const timer = setTimeout(() => fail(`${waitingFor} within ${timeoutMs} ms`), timeoutMs);
    const onAbort = (): void => fail('interrupted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    void finished.then(() => fail(`exited with ${exitedAs}`));
    if (ready) {
      const context: ReadyContext = { pid: handle.pid, signal: readyAbort.signal };
      const passed = (): void => {
        if (settle()) resolve(handle);
      };
      const failed = (error: unknown): void => fail(error instanceof Error ? error.message : String(error));
      Promise.resolve()
        .then(() => ready(context))
        .then(passed, failed);
      return;
    }
    lines?.once('line', (line) => {
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
