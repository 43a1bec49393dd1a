import { access, constants, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { startChild, type StartedChild } from '../child.ts';
import { waitForOwnedListeners } from '../netns/listening.ts';
import { setprivWorks, withParentDeath } from '../parent-death.ts';
import { renderHaproxyConfig, type HaproxyConfigOptions } from './haproxy-config.ts';
import type { ProxyImplementation } from './implementation.ts';
import { waitForListeners } from './ready.ts';
import type { ProxySpec } from './types.ts';

/**
 * Where HAProxy is looked for after the PATH: Debian installs it in /usr/sbin, which a non-root user's PATH does
 * not contain.
 */
const SBIN_CANDIDATES = ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'];
/** How long a started HAProxy has to listen on every endpoint. */
const START_TIMEOUT_MS = 10_000;

export interface HaproxyImplementation extends ProxyImplementation {
  /** The haproxy executable that will be run. */
  readonly command: string;
  /**
   * True when HAProxy is started under `setpriv --pdeathsig`, so it stops even if meshtax is killed with SIGKILL;
   * false where setpriv (util-linux ≥ 2.33, Linux only) is missing, leaving only execa's clean-up on exits meshtax
   * observes.
   */
  readonly stopsWithParent: boolean;
}

export interface DetectHaproxyOptions {
  /** The haproxy executable to try first; `haproxy` on the PATH, then /usr/sbin and /usr/local/sbin. */
  command?: string;
  /** Configuration knobs passed to renderHaproxyConfig for every proxy started. */
  config?: HaproxyConfigOptions;
}

/**
 * HAProxy when it is installed, identified by its version (`2.6.12-1+deb12u4`); undefined when it is not.
 *
 * HAProxy does not watch its stdin, so the pipe startChild keeps to every child does not stop it when meshtax is
 * killed hard. A parent-death signal does: HAProxy is started through util-linux's `setpriv --pdeathsig TERM`,
 * which sets PR_SET_PDEATHSIG (Node has no prctl) and then execs HAProxy, so the process meshtax holds, measures in
 * /proc and signals is HAProxy itself, and the kernel sends it SIGTERM the moment the thread that spawned it dies
 * (Node spawns from its main thread, so that is meshtax exiting, by any route). A shell wrapper that watches stdin
 * was the alternative; it puts a shell between meshtax and HAProxy (the pid meshtax measures is then the shell's)
 * and must forward signals and avoid killing a recycled pid. Without setpriv, HAProxy is started directly.
 */
export async function detectHaproxy(options: DetectHaproxyOptions = {}): Promise<HaproxyImplementation | undefined> {
  const candidates = options.command ? [options.command] : ['haproxy', ...SBIN_CANDIDATES];
  for (const command of candidates) {
    const version = await haproxyVersion(command);
    if (version) return haproxyImplementation(command, version, await setprivWorks(), options.config ?? {});
  }
  return undefined;
}

/** `2.6.12-1+deb12u4` from `HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/`. */
export function parseHaproxyVersion(output: string): string | undefined {
  return /^HA-?Proxy version (\S+)/im.exec(output)?.[1];
}

async function haproxyVersion(command: string): Promise<string | undefined> {
  if (command.includes('/')) {
    try {
      await access(command, constants.X_OK);
    } catch {
      return undefined;
    }
  }
  const result = await execa(command, ['-v'], { reject: false, timeout: 5000, stdin: 'ignore' });
  if (result.failed) return undefined;
  return parseHaproxyVersion(`${result.stdout}\n${result.stderr}`);
}

function haproxyImplementation(
  command: string,
  version: string,
  stopsWithParent: boolean,
  config: HaproxyConfigOptions,
): HaproxyImplementation {
  return {
    identity: { kind: 'haproxy', version },
    command,
    stopsWithParent,
    start: async (spec: ProxySpec, workDir: string, signal?: AbortSignal, netns?: string): Promise<StartedChild> => {
      const text = renderHaproxyConfig(spec, config);
      const file = path.join(workDir, `${spec.name}.cfg`);
      await writeFile(file, text, { mode: 0o600 });
      // -db: stay in the foreground (no daemon, no master process), so the pid started is the one serving.
      const haproxyArgs = ['-db', '-f', file];
      const [program, args] = withParentDeath(stopsWithParent, command, haproxyArgs);
      const endpoints = spec.listeners.map((listener) => listener.listen);
      // Ready once HAProxy itself listens on every endpoint: a port taken by another process since it was chosen
      // accepts connections too, while HAProxy is on its way out with "cannot bind socket". In a network
      // namespace (`ip netns exec … setpriv … haproxy`: both exec, so the pid is HAProxy's and the parent-death
      // signal still points at meshtax) a probe from here would land in meshtax's own namespace; the sockets
      // HAProxy holds in its namespace, read from /proc/<pid>/net, say it instead.
      return startChild(`haproxy ${spec.name}`, program, args, {
        // The listener check gives up first, with the endpoints it waited for in its message.
        timeoutMs: START_TIMEOUT_MS + 1000,
        signal,
        netns,
        ready: ({ pid, signal: readySignal }) =>
          netns
            ? waitForOwnedListeners(endpoints, { timeoutMs: START_TIMEOUT_MS, signal: readySignal, owner: pid })
            : waitForListeners(endpoints, { timeoutMs: START_TIMEOUT_MS, signal: readySignal, owner: pid }),
      });
    },
  };
}
