import os from 'node:os';
import type { Scenario } from '../../scenario/schema.ts';
import { RuntimeFailure, type PreparedMode, type Runtime, type RuntimeFactory } from '../types.ts';
import { startChild, type StartedChild } from './child.ts';

/** Scripts this runtime starts, beside this file: .ts when running from source, .js from dist. */
function script(name: string): string {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, import.meta.url).pathname;
}

/**
 * The local runtime: each mode's "pods" are processes on this host. Baseline is the load generator talking to the
 * echo server directly over loopback.
 */
class LocalRuntime implements Runtime {
  readonly name = 'local';
  private readonly servers = new Map<string, StartedChild>();
  private readonly scenario: Scenario;

  constructor(scenario: Scenario) {
    this.scenario = scenario;
  }

  describe(): Record<string, unknown> {
    return {
      name: 'local',
      bindAddress: this.scenario.local.bindAddress,
      echoServer: `node:http on Node ${process.version}`,
      hostname: os.hostname(),
    };
  }

  async prepare(modes: readonly string[], signal: AbortSignal): Promise<PreparedMode[]> {
    const prepared: PreparedMode[] = [];
    for (const mode of modes) {
      const server = await startChild(
        `echo server (${mode})`,
        process.execPath,
        [
          script('echo-server'),
          '--host',
          this.scenario.local.bindAddress,
          '--payload-bytes',
          String(this.scenario.workload.payloadBytes),
          '--delay-ms',
          String(this.scenario.workload.responseDelay),
        ],
        { signal },
      );
      this.servers.set(mode, server);
      const host = this.scenario.local.bindAddress.includes(':')
        ? `[${this.scenario.local.bindAddress}]`
        : this.scenario.local.bindAddress;
      prepared.push({ mode, targetUrl: `http://${host}:${String(server.announcement.port)}/` });
    }
    return prepared;
  }

  checkHealth(mode: string): void {
    const server = this.servers.get(mode);
    const exited = server?.exited();
    if (server && exited !== undefined) {
      const tail = server.stderrTail();
      throw new RuntimeFailure(`the echo server of mode ${mode} exited (${exited})${tail ? `:\n${tail}` : ''}`);
    }
  }

  async cleanup(): Promise<void> {
    const servers = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(servers.map((server) => server.stop()));
  }
}

export const localRuntime: RuntimeFactory = {
  name: 'local',
  modes: ['baseline'],
  create: (scenario) => new LocalRuntime(scenario),
};
