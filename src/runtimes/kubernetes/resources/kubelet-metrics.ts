/**
 * The kubelet's resource metrics (GET /metrics/resource, Prometheus text format), reached through the API server's
 * node proxy. Per container: cumulative CPU seconds and the memory working set, each with the timestamp (ms) of the
 * stats it came from; the kubelet refreshes them every few seconds, so rates use these timestamps, not the scrape's.
 */
export interface ContainerSample {
  namespace: string;
  pod: string;
  container: string;
  cpuSeconds?: number;
  cpuAtMs?: number;
  workingSetBytes?: number;
}

export function containerKey(namespace: string, pod: string, container: string): string {
  return `${namespace}/${pod}/${container}`;
}

const LINE = /^(container_cpu_usage_seconds_total|container_memory_working_set_bytes)\{([^}]*)\}\s+(\S+)(?:\s+(\d+))?\s*$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

export function parseResourceMetrics(text: string, scrapedAtMs: number): Map<string, ContainerSample> {
  const samples = new Map<string, ContainerSample>();
  for (const raw of text.split('\n')) {
    const match = LINE.exec(raw.trim());
    if (!match) continue;
    const [, metric, labelText, valueText, timestamp] = match;
    const labels: Record<string, string> = {};
    for (const label of labelText!.matchAll(LABEL)) labels[label[1]!] = label[2]!;
    const { namespace, pod, container } = labels;
    const value = Number(valueText);
    if (!namespace || !pod || !container || !Number.isFinite(value)) continue;
    const key = containerKey(namespace, pod, container);
    const sample = samples.get(key) ?? { namespace, pod, container };
    if (metric === 'container_cpu_usage_seconds_total') {
      sample.cpuSeconds = value;
      sample.cpuAtMs = timestamp ? Number(timestamp) : scrapedAtMs;
    } else {
      sample.workingSetBytes = value;
    }
    samples.set(key, sample);
  }
  return samples;
}
