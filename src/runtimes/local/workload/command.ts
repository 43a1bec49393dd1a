import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkloadCommand } from '../../../scenario/workload-schema.ts';
import { RuntimeFailure } from '../../types.ts';
import { startChild, type StartedChild } from '../child.ts';
import { withParentDeath } from '../parent-death.ts';
import { formatEndpoint } from '../proxy/ready.ts';
import type { Endpoint } from '../proxy/types.ts';
import { readProcessTree, readStat } from '../resources/procfs.ts';
import { accepting, waitUntilReady } from './ready.ts';

/** How long the server's own children have to exit after a SIGTERM before they are killed. */
const DESCENDANT_GRACE_MS = 2000;
/** How often the processes a server started are looked for while it runs. */
const TRACK_INTERVAL_MS = 500;

/** Where meshtax puts the team's server, and where it checks that it is ready. */
export interface CommandPlacement {
  /** Address the server binds: the loopback address, or 0.0.0.0 inside the server pod's namespace. */
  host: string;
  port: number;
  /** Where the readiness check connects: the same address on loopback, the pod's address with netns. */
  probe: Endpoint;
  /** Network namespace of the server pod with `local.isolation: netns`. */
  netns?: string;
  /** Started under a parent-death signal (setpriv), so it stops even if meshtax is killed hard. */
  stopsWithParent: boolean;
}

/** `{port}` and `{host}` in a scenario's argv or env value, replaced by the address meshtax gives the server. */
export function substitute(text: string, placement: Pick<CommandPlacement, 'host' | 'port'>): string {
  return text.replaceAll('{port}', String(placement.port)).replaceAll('{host}', placement.host);
}

/** The environment the server gets: PORT and HOST (unless the scenario sets them), then the scenario's own. */
export function commandEnv(command: WorkloadCommand, placement: Pick<CommandPlacement, 'host' | 'port'>): Record<string, string> {
  const own = Object.fromEntries(Object.entries(command.env).map(([name, value]) => [name, substitute(value, placement)]));
  return { PORT: String(placement.port), HOST: placement.host, ...own };
}

/**
 * Starts the team's own server (`workload.command`) as the app of a mode's server pod and waits for its readiness
 * check. It is supervised like the echo server: a death during the run fails the phase with its stderr, and stop()
 * sends SIGTERM (SIGKILL after 2 s). A server may start helpers of its own (a shell, a process manager, worker
 * processes): those are measured with it (role app) and are sent SIGTERM with it, then SIGKILL if they outlive it
 * by 2 s, also when the server itself died first.
 */
export async function startCommand(name: string, command: WorkloadCommand, placement: CommandPlacement, signal: AbortSignal): Promise<StartedChild> {
  const fixed = command.port !== undefined;
  if (fixed && placement.netns === undefined && (await accepting(placement.probe))) {
    throw new RuntimeFailure(
      `${name} cannot start: workload.command.port ${command.port} is already taken on ${formatEndpoint(placement.probe)} by another process; stop it, or let meshtax choose the port (remove workload.command.port and pass {port} or PORT to the server)`,
    );
  }
  const [program, ...args] = command.argv.map((arg) => substitute(arg, placement));
  const [file, argv] = withParentDeath(placement.stopsWithParent, program!, args);
  // The tracker starts with the process, so helpers it starts are stopped too when it never gets ready.
  let tracker: ReturnType<typeof descendantTracker> | undefined;
  let child: StartedChild;
  try {
    child = await startChild(name, file, argv, {
      signal,
      env: commandEnv(command, placement),
      // The readiness check gives up first, with what its last probe saw.
      timeoutMs: command.startTimeout + 1000,
      ...(placement.netns === undefined ? {} : { netns: placement.netns }),
      ready: async ({ pid, signal: readySignal }) => {
        tracker = descendantTracker(pid);
        await waitUntilReady(placement.probe, command.ready, { timeoutMs: command.startTimeout, signal: readySignal });
        tracker.scan();
      },
    });
  } catch (error) {
    // startChild stopped the server itself; what it started goes too.
    await tracker?.stopTree(async () => {});
    throw error;
  }
  const started = child;
  const tree = tracker ?? descendantTracker(child.pid);
  return {
    pid: started.pid,
    announcement: started.announcement,
    stderrTail: () => started.stderrTail(),
    exited: () => started.exited(),
    stop: () => tree.stopTree(() => started.stop()),
  };
}

interface Known {
  pid: number;
  startTime: number;
}

/**
 * The processes a server started, remembered as they appear: read at once, when it is ready and then every 500 ms while it runs, so
 * a helper still counts after the server died and it was re-parented (the tree by parent pid no longer shows it
 * then). A pid counts only with the start time it had when seen, so a pid reused since is left alone.
 */
function descendantTracker(root: number): { scan: () => void; stopTree: (stopRoot: () => Promise<void>) => Promise<void> } {
  const known = new Map<number, Known>();
  const scan = (): void => {
    for (const pid of readProcessTree(root).slice(1)) {
      const stat = readStat(pid);
      if (stat && !known.has(pid)) known.set(pid, { pid, startTime: stat.startTime });
    }
  };
  scan();
  const timer = setInterval(scan, TRACK_INTERVAL_MS);
  timer.unref();
  const alive = (process: Known): boolean => {
    const stat = readStat(process.pid);
    return stat !== undefined && stat.startTime === process.startTime && stat.state !== 'Z';
  };
  const signalAll = (name: NodeJS.Signals): void => {
    for (const descendant of [...known.values()].filter(alive)) {
      try {
        process.kill(descendant.pid, name);
      } catch {
        // gone between the check and the signal
      }
    }
  };
  return {
    scan,
    stopTree: async (stopRoot) => {
      clearInterval(timer);
      scan();
      signalAll('SIGTERM');
      await stopRoot();
      const deadline = performance.now() + DESCENDANT_GRACE_MS;
      while ([...known.values()].some(alive) && performance.now() < deadline) await sleep(50);
      signalAll('SIGKILL');
    },
  };
}
