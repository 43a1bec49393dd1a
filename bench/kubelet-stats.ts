/**
 * How often the real kubelet refreshes the container stats it serves on /metrics/resource: starts the test control
 * plane and a real node (test/helpers/kube/node.ts), runs one pod whose container keeps a CPU busy, scrapes
 * /metrics/resource through the API server's node proxy every 250 ms for SECONDS (default 60) and prints the gaps
 * between the distinct timestamps of that container's container_cpu_usage_seconds_total. Needs root and the node
 * pieces built by scripts/kube-test-env/build.sh.
 *
 *   npm run bench:kubelet-stats [-- SECONDS]
 */
import * as k8s from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { containerKey, parseResourceMetrics } from '../src/runtimes/kubernetes/resources/kubelet-metrics.ts';
import { startControlPlane } from '../test/helpers/kube/cluster.ts';
import { SERVICE_CIDR, startRealNode } from '../test/helpers/kube/node.ts';

const seconds = Number(process.argv[2] ?? 60);
if (!Number.isFinite(seconds) || seconds < 10 || seconds > 600) throw new Error(`SECONDS must be 10-600, got ${process.argv[2]}`);

const plane = await startControlPlane({ serviceCidr: SERVICE_CIDR, gatewayApi: false });
try {
  const node = await startRealNode(plane);
  try {
    const kc = plane.kubeConfig();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'busy' },
        spec: {
          containers: [{ name: 'busy', image: node.image, command: ['node', '-e', 'for (;;) {}'], resources: { limits: { cpu: '200m', memory: '64Mi' } } }],
        },
      },
    });
    for (let attempt = 0; attempt < 120; attempt++) {
      const pod = await core.readNamespacedPod({ name: 'busy', namespace: 'default' });
      if (pod.status?.phase === 'Running') break;
      await sleep(500);
    }
    const key = containerKey('default', 'busy', 'busy');
    const stamps: number[] = [];
    const endAt = Date.now() + seconds * 1000;
    while (Date.now() < endAt) {
      const text = await core.connectGetNodeProxyWithPath({ name: node.name, path: 'metrics/resource' });
      const at = parseResourceMetrics(text, Date.now()).get(key)?.cpuAtMs;
      if (at !== undefined && at !== stamps.at(-1)) stamps.push(at);
      await sleep(250);
    }
    const gaps = stamps.slice(1).map((stamp, i) => (stamp - stamps[i]!) / 1000);
    const sorted = [...gaps].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(`kubelet /metrics/resource over ${seconds} s: ${stamps.length} distinct CPU timestamps for a busy container`);
    console.log(`gaps (s): ${gaps.map((g) => g.toFixed(2)).join(' ')}`);
    if (median !== undefined) console.log(`min ${sorted[0]!.toFixed(2)} s, median ${median.toFixed(2)} s, max ${sorted.at(-1)!.toFixed(2)} s`);
  } finally {
    await node.stop();
  }
} finally {
  await plane.stop();
}
