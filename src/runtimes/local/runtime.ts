import os from 'node:os';
import type { Scenario } from '../../scenario/schema.ts';
import { RuntimeFailure, type PhaseResources, type PreparedMode, type Runtime, type RuntimeFactory } from '../types.ts';
import { startChild, type StartedChild } from './child.ts';
import { APP_BIND_HOST, APP_PORT, netnsAddressing, podNamespace } from './netns/addressing.ts';
import { createModeNetwork, type ModeNetwork } from './netns/mode-network.ts';
import { removeRules } from './netns/redirect.ts';
import { createRunPki } from './pki/run-pki.ts';
import { chooseProxy } from './proxy/choose.ts';
import type { ProxyImplementation } from './proxy/implementation.ts';
import type { Endpoint } from './proxy/types.ts';
import { procfsPhaseResources } from './resources/phase-resources.ts';
import type { ResourceTarget } from './resources/types.ts';
import { script } from './scripts.ts';
import { createWorkDir, type WorkDir } from './work-dir.ts';
import {
  APP_PLACEMENT,
  LOADGEN_PLACEMENT,
  LOCAL_MODES,
  identitiesOf,
  isLocalMode,
  loopbackAddressing,
  planChain,
  podsOf,
  type LocalMode,
  type Placement,
} from './topology.ts';

interface RunningProcess {
  name: string;
  placement: Placement;
  child: StartedChild;
}

interface RunningMode {
  processes: RunningProcess[];
  workDir: WorkDir;
  /** The mode's namespaces, links and rules with `local.isolation: netns`. */
  network?: ModeNetwork;
}

/**
 * The local runtime: each mode's "pods" are processes on this host, its proxies real proxy processes (HAProxy or
 * the built-in one) with mTLS between them from a per-run CA.
 *
 * With `local.isolation: loopback` every process listens on the loopback address and the load generator sends to
 * the first proxy's port. With `netns` the server pod (and a waypoint) get network namespaces joined to the root
 * namespace by veth pairs; meshtax itself stays in the root namespace as the client pod and node A, sends to the
 * server pod's address on port 8080 in every mode, and an iptables REDIRECT in the root namespace hands that
 * traffic to the client sidecar or node A's proxy, the way meshes intercept it (see netns/).
 */
class LocalRuntime implements Runtime {
  readonly name = 'local';
  private readonly modes = new Map<string, RunningMode>();
  private proxy: ProxyImplementation | undefined;
  private readonly scenario: Scenario;
  private readonly runId: string;

  constructor(scenario: Scenario, runId: string) {
    this.scenario = scenario;
    this.runId = runId;
  }

  private get netns(): boolean {
    return this.scenario.local.isolation === 'netns';
  }

  describe(): Record<string, unknown> {
    const { local } = this.scenario;
    const networks = [...this.modes].flatMap(([mode, running]) =>
      running.network ? [[mode, running.network.describe()] as const] : [],
    );
    return {
      name: 'local',
      bindAddress: local.bindAddress,
      isolation: local.isolation,
      ...(this.netns ? { namespaces: Object.fromEntries(networks) } : {}),
      mtls: local.mtls,
      proxy: this.proxy ? { ...this.proxy.identity } : { kind: local.proxy, version: 'not started' },
      echoServer: `node:http on Node ${process.version}`,
      hostname: os.hostname(),
    };
  }

  async prepare(modes: readonly string[], signal: AbortSignal): Promise<PreparedMode[]> {
    const needsProxy = modes.some((mode) => isLocalMode(mode) && identitiesOf(mode).length > 0);
    if (needsProxy) this.proxy = await chooseProxy(this.scenario.local.proxy);
    const prepared: PreparedMode[] = [];
    for (const mode of modes) {
      if (!isLocalMode(mode)) throw new RuntimeFailure(`mode ${mode} is not a local mode`);
      const running: RunningMode = { processes: [], workDir: createWorkDir(this.runId, mode) };
      this.modes.set(mode, running);
      try {
        prepared.push(await this.prepareMode(mode, running, signal));
      } catch (error) {
        // Undo this mode before the error goes on; if that fails too, cleanup() tries again.
        const removed = await this.teardown(running).then(
          () => true,
          () => false,
        );
        if (removed) this.modes.delete(mode);
        throw error;
      }
    }
    return prepared;
  }

  private async prepareMode(mode: LocalMode, running: RunningMode, signal: AbortSignal): Promise<PreparedMode> {
    const { local } = this.scenario;
    const network = this.netns
      ? await createModeNetwork({ runId: this.runId, mode, withWaypoint: podsOf(mode).includes('waypoint'), signal })
      : undefined;
    running.network = network;
    const app = await startChild(`echo server (${mode})`, process.execPath, this.echoArgs(network), {
      signal,
      netns: network?.server.namespace,
    });
    running.processes.push({ name: 'echo', placement: APP_PLACEMENT, child: app });
    const identities = identitiesOf(mode);
    const pki =
      local.mtls && identities.length > 0
        ? await createRunPki(running.workDir.path, this.runId, mode, identities)
        : undefined;
    const addressing = network
      ? netnsAddressing(network, local.bindAddress)
      : loopbackAddressing({ host: local.bindAddress, port: Number(app.announcement.port) });
    const topology = await planChain(mode, addressing, pki, this.scenario.load.protocol !== 'http1');
    for (const planned of topology.proxies) {
      const namespace = network ? podNamespace(planned.placement.pod, network) : undefined;
      const child = await this.proxy!.start(planned.spec, running.workDir.path, signal, namespace);
      running.processes.push({ name: planned.spec.name, placement: planned.placement, child });
    }
    // Interception last, once every hop listens: until then the server pod's port 8080 is the app itself.
    if (network && topology.outbound) {
      await network.intercept({ destination: network.server.ip, port: APP_PORT, toPort: topology.outbound.port });
    }
    return { mode, targetUrl: url(topology.entry) };
  }

  checkHealth(mode: string): void {
    for (const process of this.modes.get(mode)?.processes ?? []) {
      const exited = process.child.exited();
      if (exited === undefined) continue;
      const tail = process.child.stderrTail();
      throw new RuntimeFailure(
        `${process.name} of mode ${mode} (pod ${process.placement.pod}) exited (${exited})${tail ? `; its stderr ends:\n${tail}` : ''}`,
      );
    }
  }

  resources(mode: string): PhaseResources {
    const targets: ResourceTarget[] = [{ ...LOADGEN_PLACEMENT, pid: process.pid }];
    for (const running of this.modes.get(mode)?.processes ?? []) {
      // No process here forks (HAProxy runs with -db, without master-worker), so no /proc scan for descendants.
      // `ip netns exec` exec()s its command, so a namespaced child's pid is the process itself.
      targets.push({ ...running.placement, pid: running.child.pid });
    }
    return procfsPhaseResources(targets);
  }

  async cleanup(): Promise<void> {
    const modes = [...this.modes];
    this.modes.clear();
    const problems: string[] = [];
    await Promise.all(
      modes.map(async ([mode, running]) => {
        try {
          await this.teardown(running);
        } catch (error) {
          problems.push(`mode ${mode}: ${error instanceof Error ? error.message : String(error)}`);
          // Keep it for a second cleanup() (and the exit hook, which retries what is still recorded).
          this.modes.set(mode, running);
        }
      }),
    );
    if (this.netns) {
      // Every rule went with its mode; this sweeps up any the run made that a mode did not account for.
      await removeRules(this.runId).catch((error: unknown) => {
        problems.push(`iptables rules meshtax:${this.runId}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    if (problems.length > 0) throw new RuntimeFailure(`clean-up left something behind: ${problems.join('; ')}`);
  }

  /** Stops a mode's processes (client side first, like a mesh draining), then removes its network and files. */
  private async teardown(running: RunningMode): Promise<void> {
    for (const process of [...running.processes].reverse()) await process.child.stop();
    running.processes = [];
    try {
      await running.network?.remove();
    } finally {
      await running.workDir.remove();
    }
  }

  private echoArgs(network: ModeNetwork | undefined): string[] {
    const { local, workload } = this.scenario;
    return [
      script('echo-server'),
      '--host',
      network ? APP_BIND_HOST : local.bindAddress,
      '--port',
      network ? String(APP_PORT) : '0',
      '--payload-bytes',
      String(workload.payloadBytes),
      '--delay-ms',
      String(workload.responseDelay),
      '--protocol',
      this.scenario.load.protocol,
    ];
  }
}

function url(endpoint: Endpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `http://${host}:${endpoint.port}/`;
}

export const localRuntime: RuntimeFactory = {
  name: 'local',
  modes: LOCAL_MODES,
  create: (scenario, runId) => new LocalRuntime(scenario, runId),
};
