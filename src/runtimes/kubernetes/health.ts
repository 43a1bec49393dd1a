import type { Cluster } from './client/connect.ts';
import { APP_NAME, ROLE_LABEL } from './labels.ts';

const POLL_MS = 2000;

export interface WatchedMode {
  namespace: string;
  /** The mode's sidecar container, watched beside the app. */
  sidecar: string | null;
}

/**
 * Watches the echo pods of every mode in the background (runtimes answer checkHealth synchronously): a restart or
 * a pod that stops being ready is a failure of that mode, said with the reason Kubernetes gives.
 */
export class HealthWatch {
  private readonly problems = new Map<string, string>();
  private readonly restarts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly cluster: Cluster;
  private watched: readonly WatchedMode[];

  constructor(cluster: Cluster, watched: readonly WatchedMode[]) {
    this.cluster = cluster;
    this.watched = watched;
  }

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Watches these modes from now on (those whose echo server is deployed); a mode watched anew starts clean, as its
   * pods are new.
   */
  watch(watched: readonly WatchedMode[]): void {
    const before = new Set(this.watched.map((w) => w.namespace));
    for (const { namespace } of watched) {
      if (before.has(namespace)) continue;
      this.problems.delete(namespace);
      for (const key of [...this.restarts.keys()]) if (key.startsWith(`${namespace}/`)) this.restarts.delete(key);
    }
    this.watched = watched;
  }

  problem(namespace: string): string | undefined {
    return this.problems.get(namespace);
  }

  private async poll(): Promise<void> {
    for (const { namespace, sidecar } of this.watched) {
      try {
        const pods = await this.cluster.core.listNamespacedPod({ namespace, labelSelector: `${ROLE_LABEL}=app` });
        const live = pods.items.filter((p) => !p.metadata?.deletionTimestamp);
        if (live.length === 0) {
          this.problems.set(namespace, `the echo server of ${namespace} has no pod`);
          continue;
        }
        for (const pod of live) {
          // The app and its sidecar, classic or native: a restart of either is a failure of the mode.
          const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
          for (const status of statuses.filter((c) => c.name === APP_NAME || c.name === sidecar)) {
            const key = `${namespace}/${pod.metadata?.name}/${status.name}`;
            const restarts = status.restartCount ?? 0;
            const before = this.restarts.get(key);
            if (before === undefined) this.restarts.set(key, restarts);
            else if (restarts > before) {
              const last = status.lastState?.terminated;
              this.problems.set(namespace, `container ${status.name} of echo pod ${pod.metadata?.name} restarted${last ? ` (${last.reason ?? 'exit'} ${last.exitCode})` : ''}`);
            }
          }
        }
      } catch {
        // A failed poll is not a failed mode; the API server may be briefly busy. The next poll decides.
      }
    }
  }
}
