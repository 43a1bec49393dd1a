import os from 'node:os';
import type { Scenario } from '../../scenario/schema.ts';
import { RuntimeFailure, type PhaseResources, type PreparedMode, type Runtime, type RuntimeFactory } from '../types.ts';
import { startChild, type StartedChild } from './child.ts';
import { createRunPki } from './pki/run-pki.ts';
import { chooseProxy } from './proxy/choose.ts';
import type { ProxyImplementation } from './proxy/implementation.ts';
import { procfsPhaseResources } from './resources/phase-resources.ts';
import type { ResourceTarget } from './resources/types.ts';
import { script } from './scripts.ts';
import { createWorkDir, type WorkDir } from './work-dir.ts';
import { APP_PLACEMENT, LOADGEN_PLACEMENT, LOCAL_MODES, identitiesOf, isLocalMode, planTopology, type Placement } from './topology.ts';

interface RunningProcess {
  name: string;
  placement: Placement;
  child: StartedChild;
}

interface RunningMode {
  processes: RunningProcess[];
  workDir: WorkDir;
}

/**
 * The local runtime: each mode's "pods" are processes on this host, its proxies real proxy processes (HAProxy or
 * the built-in one) with mTLS between them from a per-run CA.
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

  describe(): Record<string, unknown> {
    const { local } = this.scenario;
    return {
      name: 'local',
      bindAddress: local.bindAddress,
      isolation: local.isolation,
      mtls: local.mtls,
      proxy: this.proxy ? { ...this.proxy.identity } : { kind: local.proxy, version: 'not started' },
      echoServer: `node:http on Node ${process.version}`,
      hostname: os.hostname(),
    };
  }

  async prepare(modes: readonly string[], signal: AbortSignal): Promise<PreparedMode[]> {
    const { local } = this.scenario;
    const needsProxy = modes.some((mode) => mode !== 'baseline');
    if (needsProxy) this.proxy = await chooseProxy(local.proxy);
    const prepared: PreparedMode[] = [];
    for (const mode of modes) {
      if (!isLocalMode(mode)) throw new RuntimeFailure(`mode ${mode} is not a local mode`);
      const running: RunningMode = { processes: [], workDir: createWorkDir(this.runId, mode) };
      this.modes.set(mode, running);
      const app = await startChild(`echo server (${mode})`, process.execPath, this.echoArgs(), { signal });
      running.processes.push({ name: 'echo', placement: APP_PLACEMENT, child: app });
      const host = local.bindAddress;
      const identities = identitiesOf(mode);
      const pki =
        local.mtls && identities.length > 0
          ? await createRunPki(running.workDir.path, this.runId, mode, identities)
          : undefined;
      const topology = await planTopology(mode, { host, port: Number(app.announcement.port) }, pki);
      for (const planned of topology.proxies) {
        const child = await this.proxy!.start(planned.spec, running.workDir.path, signal);
        running.processes.push({ name: planned.spec.name, placement: planned.placement, child });
      }
      const entryHost = topology.entry.host.includes(':') ? `[${topology.entry.host}]` : topology.entry.host;
      prepared.push({ mode, targetUrl: `http://${entryHost}:${topology.entry.port}/` });
    }
    return prepared;
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
      targets.push({ ...running.placement, pid: running.child.pid });
    }
    return procfsPhaseResources(targets);
  }

  async cleanup(): Promise<void> {
    const modes = [...this.modes.values()];
    this.modes.clear();
    await Promise.all(
      modes.map(async (running) => {
        // Client side first, like a mesh draining: proxies were started server side first.
        for (const process of [...running.processes].reverse()) await process.child.stop();
        await running.workDir.remove();
      }),
    );
  }

  private echoArgs(): string[] {
    const { local, workload } = this.scenario;
    return [
      script('echo-server'),
      '--host',
      local.bindAddress,
      '--payload-bytes',
      String(workload.payloadBytes),
      '--delay-ms',
      String(workload.responseDelay),
    ];
  }
}

export const localRuntime: RuntimeFactory = {
  name: 'local',
  modes: LOCAL_MODES,
  create: (scenario, runId) => new LocalRuntime(scenario, runId),
};
