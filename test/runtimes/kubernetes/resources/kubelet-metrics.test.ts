import { describe, expect, it } from 'vitest';
import { parseResourceMetrics } from '../../../../src/runtimes/kubernetes/resources/kubelet-metrics.ts';
import { parseQuantity } from '../../../../src/runtimes/kubernetes/resources/quantity.ts';

const TEXT = `# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{container="echo",namespace="ns-a",pod="echo-1"} 12.5 1764590400000
container_cpu_usage_seconds_total{namespace="ns-a",pod="echo-1",container="istio-proxy"} 3.25 1764590401500
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{container="echo",namespace="ns-a",pod="echo-1"} 4.2e+07 1764590400000
node_cpu_usage_seconds_total 9999 1764590400000
container_start_time_seconds{container="echo",namespace="ns-a",pod="echo-1"} 1.7e+09 1764590400000
`;

describe('the kubelet resource metrics parser', () => {
  it('reads cumulative CPU with its own timestamp and the working set, per container, whatever the label order', () => {
    const samples = parseResourceMetrics(TEXT, 1);
    expect([...samples.keys()]).toEqual(['ns-a/echo-1/echo', 'ns-a/echo-1/istio-proxy']);
    expect(samples.get('ns-a/echo-1/echo')).toEqual({ namespace: 'ns-a', pod: 'echo-1', container: 'echo', cpuSeconds: 12.5, cpuAtMs: 1764590400000, workingSetBytes: 42_000_000 });
    expect(samples.get('ns-a/echo-1/istio-proxy')).toEqual({ namespace: 'ns-a', pod: 'echo-1', container: 'istio-proxy', cpuSeconds: 3.25, cpuAtMs: 1764590401500 });
  });

  it('uses the scrape time when a sample has no timestamp', () => {
    const samples = parseResourceMetrics('container_cpu_usage_seconds_total{container="c",namespace="n",pod="p"} 1\n', 777);
    expect(samples.get('n/p/c')?.cpuAtMs).toBe(777);
  });
});

describe('Kubernetes quantities', () => {
  it.each([
    ['250000000n', 0.25],
    ['1500m', 1.5],
    ['2', 2],
    ['16Ki', 16384],
    ['64Mi', 67108864],
    ['1G', 1e9],
  ])('%s is %d', (text, value) => expect(parseQuantity(text)).toBeCloseTo(value, 12));

  it('is NaN for what is not a quantity', () => expect(parseQuantity('lots')).toBeNaN());
});
