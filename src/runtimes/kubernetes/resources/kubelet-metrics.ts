import { parseSeries } from './prometheus-text.ts';

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

export function parseResourceMetrics(text: string, scrapedAtMs: number): Map<string, ContainerSample> {
  const samples = new Map<string, ContainerSample>();
  for (const { name, labels, value, timestampMs } of parseSeries(text, ['container_cpu_usage_seconds_total', 'container_memory_working_set_bytes'])) {
    const { namespace, pod, container } = labels;
    if (!namespace || !pod || !container) continue;
    const key = containerKey(namespace, pod, container);
    const sample = samples.get(key) ?? { namespace, pod, container };
    if (name === 'container_cpu_usage_seconds_total') {
      sample.cpuSeconds = value;
      sample.cpuAtMs = timestampMs ?? scrapedAtMs;
    } else {
      sample.workingSetBytes = value;
    }
    samples.set(key, sample);
  }
  return samples;
}
