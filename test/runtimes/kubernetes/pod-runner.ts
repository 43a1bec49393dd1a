import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { TestCluster } from '../../helpers/kube/cluster.ts';
import type { LogRequest } from '../../helpers/kube/kubelet.ts';
import { INPUT_ENV, type GeneratorInput } from '../../../src/runtimes/kubernetes/generator/protocol.ts';

const LOADGEN = path.resolve(import.meta.dirname, '../../../dist/pod/loadgen.js');

export interface PodRunner {
  /** Every log request the API server passed on to the fake kubelet. */
  logRequests: LogRequest[];
  /** Generator pods as they were when their container "started". */
  generatorPods: k8s.V1Pod[];
  /** Generator processes still running. */
  running(): number;
  stop(): Promise<void>;
}

/**
 * Plays the container runtime of the fake nodes for meshtax's generator pods: when the API server asks the node
 * for a generator's log, the bundled generator (dist/pod/loadgen.js, the very file the ConfigMap ships) runs here
 * with the pod's own input, its target rewritten to `targetUrl` (there is no Service network), and its stdout is
 * the log. Resource metrics are cumulative counters that grow with each container's age.
 */
export function runPodsLocally(cluster: TestCluster, targetUrl: string): PodRunner {
  const core = cluster.kubeConfig().makeApiClient(k8s.CoreV1Api);
  const children = new Map<string, { child: ChildProcess; output: string; done: boolean }>();
  const logRequests: LogRequest[] = [];
  const generatorPods: k8s.V1Pod[] = [];
  const started = Date.now();

  cluster.kubelet.onLogs((request, response) => {
    logRequests.push(request);
    if (request.container !== 'loadgen') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end();
      return;
    }
    const key = `${request.namespace}/${request.pod}`;
    const existing = children.get(key);
    if (existing) {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(existing.output);
      return;
    }
    void core.readNamespacedPod({ name: request.pod, namespace: request.namespace }).then((pod) => {
      generatorPods.push(pod);
      // A mesh's injector may put its proxy first (Linkerd's and Istio's classic layout with hold-until-ready).
      const raw = pod.spec?.containers.find((c) => c.name === 'loadgen')?.env?.find((e) => e.name === INPUT_ENV)?.value ?? '{}';
      const input = JSON.parse(raw) as GeneratorInput;
      // The path names the generator pod and its node, so a MeshTraffic echo handler (proxy-admin.ts) can count
      // what each mesh proxy would have seen; other handlers ignore it.
      input.spec.url = new URL(`meshtax/${request.namespace}/${request.pod}/${pod.spec?.nodeName ?? ''}`, targetUrl).href;
      const child = spawn(process.execPath, [LOADGEN], { env: { ...process.env, [INPUT_ENV]: JSON.stringify(input) }, stdio: ['ignore', 'pipe', 'inherit'] });
      const entry = { child, output: '', done: false };
      children.set(key, entry);
      response.writeHead(200, { 'content-type': 'text/plain' });
      child.stdout?.on('data', (chunk: Buffer) => {
        entry.output += chunk.toString();
        response.write(chunk);
      });
      child.on('close', () => {
        entry.done = true;
        response.end();
      });
      // The API server dropping the stream (meshtax deleted the pod) stops the "container".
      response.on('close', () => {
        if (!entry.done) child.kill('SIGTERM');
      });
    });
  });

  cluster.kubelet.onMetrics((node, response) => {
    void core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }).then((pods) => {
      const now = Date.now();
      const lines: string[] = ['# TYPE container_cpu_usage_seconds_total counter'];
      for (const pod of pods.items) {
        const created = pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() : started;
        for (const container of pod.spec?.containers ?? []) {
          const labels = `container="${container.name}",namespace="${pod.metadata?.namespace}",pod="${pod.metadata?.name}"`;
          // A quarter of a core for the generator, a tenth for everything else, since the pod was created.
          const cores = container.name === 'loadgen' ? 0.25 : 0.1;
          lines.push(`container_cpu_usage_seconds_total{${labels}} ${(((now - created) / 1000) * cores).toFixed(6)} ${now}`);
          lines.push(`container_memory_working_set_bytes{${labels}} ${32 * 1024 * 1024} ${now}`);
        }
      }
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(`${lines.join('\n')}\n`);
    });
  });

  return {
    logRequests,
    generatorPods,
    running: () => [...children.values()].filter((c) => !c.done).length,
    async stop() {
      for (const { child, done } of children.values()) if (!done) child.kill('SIGKILL');
      cluster.kubelet.reset();
    },
  };
}
