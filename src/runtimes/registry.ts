import type { LoadedScenario } from '../scenario/load.ts';
import { ScenarioError, type Problem } from '../scenario/errors.ts';
import { didYouMean } from '../scenario/suggest.ts';
import { netnsProblems, type HostProbe } from './local/netns/requirements.ts';
import { KUBERNETES_MODES, isKubernetesMode, modeFacts } from './kubernetes/modes.ts';
import { localRuntime } from './local/runtime.ts';
import type { RuntimeCommands, RuntimeFactory } from './types.ts';
import type { Scenario } from '../scenario/schema.ts';
import { UsageError } from '../core/errors.ts';

/**
 * A runtime as a scenario names it: its modes, to check a scenario against, and the runtime itself, loaded when a
 * run needs it. The Kubernetes runtime brings the Kubernetes client, which takes about a second to load: `--version`,
 * `validate` and local runs never pay for it.
 */
export interface RuntimeEntry {
  readonly name: string;
  readonly modes: readonly string[];
  /** Time a phase takes beyond its warmup and window (start-up, idle measurement), for validate's estimate. */
  phaseOverheadMs(scenario: Scenario): number;
  load(): Promise<RuntimeFactory>;
  /** Its doctor, cleanup and render (when it has manifests). */
  commands(): Promise<RuntimeCommands>;
  /** The team's own server it can run in the echo server's place: a process on this host, or a container image. */
  readonly ownWorkload: 'command' | 'image';
  /**
   * faults.controlPlaneOutage: the modes with a control plane the runtime can take down, or why it has none to stop.
   */
  readonly controlPlanes: { modes: readonly string[] } | { none: string; hint: string };
}

const hintOf = (hint: string | undefined): { hint?: string } => (hint === undefined ? {} : { hint });

/** Every runtime meshtax can run on, by the name a scenario's `runtime:` uses. */
const runtimes: Record<string, RuntimeEntry> = {
  local: {
    name: localRuntime.name,
    modes: localRuntime.modes,
    // Processes on this host start in a fraction of a second.
    phaseOverheadMs: () => 200,
    load: () => Promise.resolve(localRuntime),
    ownWorkload: 'command',
    // The local proxies' certificates are issued once, from files, by the per-run CA before the proxies start
    // (local/pki/run-pki.ts); no process serves them or the proxies' configuration while traffic flows.
    controlPlanes: {
      none: 'the local runtime has no control plane to stop: its proxies get their certificates from files issued before they start, and nothing serves them configuration during a phase',
      hint: 'run the outage on Kubernetes (runtime: kubernetes, with Istio or Linkerd), or remove faults.controlPlaneOutage',
    },
    commands: async () => (await import('./local/commands.ts')).localCommands,
  },
  kubernetes: {
    name: 'kubernetes',
    modes: KUBERNETES_MODES,
    // The idle measurement before each phase, and a generator pod's start.
    phaseOverheadMs: (scenario) => scenario.kubernetes.idleWindow + 5000,
    load: async () => (await import('./kubernetes/runtime.ts')).kubernetesRuntime,
    ownWorkload: 'image',
    controlPlanes: { modes: KUBERNETES_MODES.filter((mode) => isKubernetesMode(mode) && modeFacts(mode).mesh !== null) },
    commands: async () => (await import('./kubernetes/commands.ts')).kubernetesCommands,
  },
};

/** The runtime of a scenario that names none (the scenario schema's default), and of doctor without one. */
export const DEFAULT_RUNTIME = 'local';

/** The names a scenario's `runtime:` and the commands' `--runtime` accept. */
export const RUNTIME_NAMES: readonly string[] = Object.keys(runtimes);

/** The runtime of this name, for commands that take `--runtime`; a usage error names the others. */
export function runtimeNamed(name: string): RuntimeEntry {
  const entry = runtimes[name];
  if (!entry) throw new UsageError(`--runtime ${name}: runtimes are ${RUNTIME_NAMES.join(', ')}`);
  return entry;
}

/**
 * The runtime factory for a scenario, after checking that its modes exist there and that this host can give it
 * what it asks for (local.isolation: netns needs root on Linux with iproute2 and iptables); errors carry file:line.
 * `probe` stands in for the host in tests.
 */
export function runtimeFor(loaded: LoadedScenario, probe?: HostProbe): RuntimeEntry {
  const { scenario } = loaded;
  const factory = runtimes[scenario.runtime];
  if (!factory) {
    throw new ScenarioError([
      {
        ...loaded.where(['runtime']),
        message: `runtime '${scenario.runtime}' is not available in this version of meshtax; available: ${Object.keys(runtimes).join(', ')}`,
        hint: 'use runtime: local',
      },
    ]);
  }
  const problems: Problem[] = [];
  scenario.modes.forEach((mode, index) => {
    if (!factory.modes.includes(mode)) {
      problems.push({
        ...loaded.where(['modes', index]),
        message: `mode '${mode}' is not offered by the ${factory.name} runtime; it offers: ${factory.modes.join(', ')}`,
        ...hintOf(didYouMean(mode, factory.modes)),
      });
    }
  });
  // Each runtime runs one kind of server of the team's own: a process here, a container in a cluster.
  for (const [name, entry] of Object.entries(runtimes)) {
    if (name === scenario.runtime || entry.ownWorkload === factory.ownWorkload || scenario.workload[entry.ownWorkload] === undefined) continue;
    problems.push({
      ...loaded.where(['workload', entry.ownWorkload]),
      message: `workload.${entry.ownWorkload}: applies to runtime: ${name}, but this scenario runs on runtime: ${scenario.runtime}`,
      hint: `${factory.ownWorkload === 'command' ? 'run your server locally with workload.command' : 'deploy your server with workload.image'}, or set runtime: ${name}`,
    });
  }
  if (scenario.load.noiseFloor && !scenario.modes.includes('baseline')) {
    problems.push({
      ...loaded.where(['load', 'noiseFloor']),
      message: 'a noise floor compares baseline with a second baseline, but modes has no baseline',
      hint: 'add baseline to modes or set load.noiseFloor: false',
    });
  }
  if (scenario.workload.chain && scenario.load.protocol !== 'http1') {
    // The services forward over HTTP/1.1 (echo-forward.ts); the HTTP/2 and gRPC echo servers do not forward at all.
    problems.push({
      ...loaded.where(['workload', 'chain']),
      message: `workload.chain forwards each request to the next service over HTTP/1.1; load.protocol is ${scenario.load.protocol}`,
      hint: 'set load.protocol: http1 for call chains, or remove workload.chain',
    });
  }
  if (scenario.workload.chain && scenario.runtime === 'local' && scenario.local.isolation === 'netns') {
    problems.push({
      ...loaded.where(['workload', 'chain']),
      message: 'workload.chain runs its services on loopback; local.isolation: netns gives one server pod a namespace and cannot hold a chain',
      hint: 'set local.isolation: loopback, or remove workload.chain',
    });
  }
  problems.push(...outageProblems(loaded, factory));
  problems.push(...netnsProblems(loaded, probe));
  if (problems.length > 0) throw new ScenarioError(problems);
  return factory;
}

/** faults.controlPlaneOutage needs a runtime with a control plane to stop, and a mode that uses it. */
function outageProblems(loaded: LoadedScenario, entry: RuntimeEntry): Problem[] {
  const { scenario } = loaded;
  if (!scenario.faults?.controlPlaneOutage) return [];
  const where = loaded.where(['faults', 'controlPlaneOutage']);
  const planes = entry.controlPlanes;
  if ('none' in planes) return [{ ...where, message: `faults.controlPlaneOutage: ${planes.none}`, hint: planes.hint }];
  if (scenario.modes.some((mode) => planes.modes.includes(mode))) return [];
  return [
    {
      ...where,
      message: `faults.controlPlaneOutage: none of the modes (${scenario.modes.join(', ')}) has a control plane to stop`,
      hint: `add a meshed mode (${planes.modes.join(', ')}), or remove faults.controlPlaneOutage`,
    },
  ];
}
