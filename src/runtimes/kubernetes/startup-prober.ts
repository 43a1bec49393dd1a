import type { KubeConfig } from '@kubernetes/client-node';
import { estimateOffset, type ClockOffset, type ClockReading } from '../../startup/clock-offset.ts';
import type { ProbedPod } from '../../startup/first-answer.ts';
import { getThroughPodProxy } from './client/pod-proxy.ts';
import { PROBER_NAME, PROBER_PORT } from './manifests/startup.ts';

/** Clock readings per estimate: the shortest of eight exchanges bounds the offset well on a quiet API server. */
const CLOCK_READINGS = 8;

/**
 * meshtax's side of the start-up prober (src/pod/prober-server.ts): its control requests, sent through the API
 * server's pod proxy (`pods/startup-prober:8081/proxy/...`), the way meshtax already reads the mesh proxies'
 * counters, so it works wherever the CLI runs and the prober needs no credentials.
 */
export class ProberClient {
  private readonly config: KubeConfig;
  readonly namespace: string;

  constructor(config: KubeConfig, namespace: string) {
    this.config = config;
    this.namespace = namespace;
  }

  private async get(path: string): Promise<unknown> {
    const text = await getThroughPodProxy(this.config, { namespace: this.namespace, pod: PROBER_NAME, port: PROBER_PORT, path });
    return JSON.parse(text) as unknown;
  }

  /** The prober's clock, milliseconds. */
  async now(): Promise<number> {
    const answer = (await this.get('clock')) as { nowMs?: unknown };
    if (typeof answer.nowMs !== 'number') throw new Error(`the prober answered /clock without a time: ${JSON.stringify(answer)}`);
    return answer.nowMs;
  }

  /**
   * The prober's clock relative to this process's performance.now(), from CLOCK_READINGS exchanges (the one with
   * the shortest round trip; its error is at most half that round trip).
   */
  async offset(): Promise<ClockOffset> {
    const readings: ClockReading[] = [];
    for (let i = 0; i < CLOCK_READINGS; i++) {
      const sentMs = performance.now();
      const remoteMs = await this.now();
      readings.push({ sentMs, receivedMs: performance.now(), remoteMs });
    }
    return estimateOffset(readings)!;
  }

  /** Start polling pod `name` at `ip`, `port`, with Host `host`, for at most `timeoutMs`. */
  async probe(target: { name: string; ip: string; port: number; host: string; timeoutMs: number }): Promise<void> {
    const query = new URLSearchParams({ name: target.name, ip: target.ip, port: String(target.port), path: '/', host: target.host, timeoutMs: String(Math.round(target.timeoutMs)) });
    await this.get(`probe?${query.toString()}`);
  }

  /** What the prober recorded per pod, on its clock, and whether it is still polling it. */
  async results(): Promise<Record<string, ProbedPod & { done: boolean }>> {
    const answer = (await this.get('results')) as { targets?: Record<string, ProbedPod & { done: boolean }> };
    return answer.targets ?? {};
  }

  /** Stop polling and forget the round's pods. */
  async reset(): Promise<void> {
    await this.get('reset');
  }
}
