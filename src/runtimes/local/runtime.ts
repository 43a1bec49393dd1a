import os from 'node:os';
import type { Scenario } from '../../scenario/schema.ts';
import { RuntimeFailure, type PhaseResources, type PreparedMode, type Runtime, type RuntimeFactory } from '../types.ts';
import { startChild, type StartedChild } from './child.ts';
import { APP_BIND_HOST, APP_PORT, netnsAddressing, podNamespace } from './netns/addressing.ts';
import { createModeNetwork, type ModeNetwork } from './netns/mode-network.ts';
import { removeRules } from './netns/redirect.ts';
import { createRunPki } from './pki/run-pki.ts';
import { chooseProxy } from './proxy/choose.ts';
import { freePort } from './proxy/free-port.ts';
import { chainIdentities, planServiceChain } from './chain-topology.ts';
import { singleHopNode } from './nodes.ts';
import type { ProxyImplementation } from './proxy/implementation.ts';
import type { Endpoint } from './proxy/types.ts';
import { procfsPhaseResources } from './resources/phase-resources.ts';
import type { ResourceTarget } from './resources/types.ts';
import { script } from './scripts.ts';
import { createWorkDir, type WorkDir } from './work-dir.ts';
import type { LocalDescription } from './description.ts';
import { echoModel } from './echo-model.ts';
import { setprivWorks } from './parent-death.ts';
import { startCommand } from './workload/command.ts';
import { describeReadiness } from './workload/ready.ts';
import {
  APP_PLACEMENT,
  COMMAND_PLACEMENT,
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
  /** In a call chain: the service whose pod it is in (its app or its sidecar). */
  service?: number;
  /** Measure the process with everything it started (the team's own server may run helpers). */
  includeDescendants?: boolean;
}

interface RunningMode {
  processes: RunningProcess[];
  /** With workload.chain: the chain's depth and the client pod's node for the path of each depth. */
  chain?: { depth: number; clientNodes: string[] };
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
  /** Whether the team's server runs under a parent-death signal; decided when the first one starts. */
  private stopsWithParent: boolean | undefined;
  private readonly scenario: Scenario;
  private readonly runId: string;

  constructor(scenario: Scenario, runId: string) {
    this.scenario = scenario;
    this.runId = runId;
  }

  private get netns(): boolean {
    return this.scenario.local.isolation === 'netns';
  }

  describe(): LocalDescription {
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
      ...(this.scenario.workload.command
        ? { workload: { kind: 'command', argv: this.scenario.workload.command.argv, ready: describeReadiness(this.scenario.workload.command.ready) } }
        : { echoServer: `node:http on Node ${process.version}`, workload: { kind: 'echo', ...echoModel(this.scenario.workload) } }),
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
    if (this.scenario.workload.chain) return this.prepareChain(mode, running, this.scenario.workload.chain, signal);
    const network = this.netns
      ? await createModeNetwork({ runId: this.runId, mode, withWaypoint: podsOf(mode).includes('waypoint'), signal })
      : undefined;
    running.network = network;
    const app = await this.startApp(mode, network, signal);
    running.processes.push(app);
    const identities = identitiesOf(mode);
    const pki =
      local.mtls && identities.length > 0
        ? await createRunPki(running.workDir.path, this.runId, mode, identities)
        : undefined;
    const addressing = network ? netnsAddressing(network, local.bindAddress, app.port) : loopbackAddressing({ host: local.bindAddress, port: app.port });
    const topology = await planChain(mode, addressing, pki, this.scenario.load.protocol !== 'http1');
    for (const planned of topology.proxies) {
      const namespace = network ? podNamespace(planned.placement.pod, network) : undefined;
      const child = await this.proxy!.start(planned.spec, running.workDir.path, signal, namespace);
      running.processes.push({ name: planned.spec.name, placement: planned.placement, child });
    }
    // Interception last, once every hop listens: until then the server pod's port 8080 is the app itself.
    if (network && topology.outbound) {
      await network.intercept({ destination: network.server.ip, port: app.port, toPort: topology.outbound.port });
    }
    return { mode, targetUrl: url(topology.entry) };
  }

  /** A call chain of services (see chain-topology.ts), on loopback: apps from the last, then proxies. */
  private async prepareChain(
    mode: LocalMode,
    running: RunningMode,
    chain: { depth: number; fanOut: number },
    signal: AbortSignal,
  ): Promise<PreparedMode> {
    const { local } = this.scenario;
    const identities = chainIdentities(mode, chain.depth);
    const pki = local.mtls && identities.length > 0 ? await createRunPki(running.workDir.path, this.runId, mode, identities) : undefined;
    const topology = await planServiceChain(mode, chain.depth, local.bindAddress, pki, () => freePort(local.bindAddress));
    running.chain = { depth: chain.depth, clientNodes: topology.clientNodes };
    for (const service of [...topology.services].reverse()) {
      const args = this.echoArgs(local.bindAddress, service.listen.port);
      if (service.forward) args.push('--forward', url(service.forward), '--fan-out', String(chain.fanOut));
      const child = await startChild(`echo server ${service.pod} (${mode})`, process.execPath, args, { signal });
      const placement = { ...APP_PLACEMENT, pod: service.pod, node: service.node };
      running.processes.push({ name: `${service.pod} echo`, placement, child, service: service.index });
    }
    for (const planned of topology.proxies) {
      const child = await this.proxy!.start(planned.spec, running.workDir.path, signal);
      running.processes.push({ name: planned.spec.name, placement: planned.placement, child, ...(planned.service === undefined ? {} : { service: planned.service }) });
    }
    return { mode, targetUrl: url(topology.entries.at(-1)!), chainUrls: topology.entries.map(url) };
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

  resources(mode: string, depth?: number): PhaseResources {
    const running = this.modes.get(mode);
    const chain = running?.chain;
    // The path of depth d is the chain's last d services: the others' apps and sidecars idle and are left out.
    const first = chain && depth !== undefined ? chain.depth - depth + 1 : 1;
    const clientNode = chain && depth !== undefined ? chain.clientNodes[depth - 1] : singleHopNode(LOADGEN_PLACEMENT.pod);
    const targets: ResourceTarget[] = [{ ...LOADGEN_PLACEMENT, ...nodeOf(clientNode), pid: process.pid }];
    for (const { placement, child, service, includeDescendants } of running?.processes ?? []) {
      if (service !== undefined && service < first) continue;
      // Neither the echo server nor a proxy forks (HAProxy runs with -db, without master-worker), so only the team's
      // own server is measured with its descendants. `ip netns exec` and setpriv exec() their command, so a child's
      // pid is the process itself.
      const node = placement.pod === LOADGEN_PLACEMENT.pod && clientNode ? clientNode : (placement.node ?? singleHopNode(placement.pod));
      targets.push({ ...placement, ...nodeOf(node), pid: child.pid, ...(includeDescendants ? { includeDescendants: true } : {}) });
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

  /**
   * Starts the mode's app in the server pod: the team's own server (workload.command) or the echo server. With netns
   * the app binds 0.0.0.0 in the pod's namespace (the pod address for baseline, loopback for a server-side proxy) on
   * port 8080 unless the scenario fixes one; on loopback it binds local.bindAddress on a free port.
   */
  private async startApp(mode: LocalMode, network: ModeNetwork | undefined, signal: AbortSignal): Promise<RunningProcess & { port: number }> {
    const { local, workload } = this.scenario;
    const host = network ? APP_BIND_HOST : local.bindAddress;
    if (workload.command) {
      const port = workload.command.port ?? (network ? APP_PORT : await freePort(local.bindAddress));
      this.stopsWithParent ??= await setprivWorks();
      const child = await startCommand(`workload.command (${mode})`, workload.command, {
        host,
        port,
        probe: { host: network ? network.server.ip : local.bindAddress, port },
        ...(network ? { netns: network.server.namespace } : {}),
        stopsWithParent: this.stopsWithParent,
      }, signal);
      return { name: 'app', placement: COMMAND_PLACEMENT, child, port, includeDescendants: true };
    }
    const args = this.echoArgs(host, network ? APP_PORT : 0);
    const child = await startChild(`echo server (${mode})`, process.execPath, args, { signal, netns: network?.server.namespace });
    return { name: 'echo', placement: APP_PLACEMENT, child, port: network ? APP_PORT : Number(child.announcement.port) };
  }

  /** The echo server's command line: its address (port 0: any free one, announced on stdout) and its model. */
  private echoArgs(host: string, port: number): string[] {
    return [script('echo-server'), '--host', host, '--port', String(port), '--model', JSON.stringify(echoModel(this.scenario.workload)), '--protocol', this.scenario.load.protocol];
  }
}

const nodeOf = (node: string | undefined): { node?: string } => (node === undefined ? {} : { node });

function url(endpoint: Endpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `http://${host}:${endpoint.port}/`;
}

export const localRuntime: RuntimeFactory = {
  name: 'local',
  modes: LOCAL_MODES,
  create: (scenario, runId) => new LocalRuntime(scenario, runId),
};
