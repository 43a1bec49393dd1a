/**
 * Stand-ins for the metrics endpoints of the meshes' proxies, reached the way meshtax reaches the real ones: through
 * the API server's pod proxy to the pod's address (kubelet.ts routes the pod network into its namespace and relays
 * the metrics ports here). What they count is the test's own data path: the generators (pod-runner.ts) send to
 * `/meshtax/NAMESPACE/POD/NODE` on the test's echo server, which records every request and connection by the
 * generator pod it came from; each stand-in reports what its proxy would have seen of that traffic, in its proxy's
 * own format:
 *
 * - Envoy (istio-proxy of a sidecar pod or of a waypoint), `:15090/stats/prometheus`: `istio_requests_total`, one
 *   per request, reporter="source" in the client's proxy, "destination" in the server's, "waypoint" in a waypoint,
 *   with Istio's standard labels (istio/proxy testdata/metric/client_request_total.yaml.tmpl:1-60,
 *   server_request_total.yaml.tmpl:7-8, server_waypoint_proxy_request_total.yaml.tmpl:1-8).
 * - ztunnel, `:15020/metrics`: OpenMetrics text (prometheus-client's encoder: `# TYPE` without the suffix, the
 *   sample with `_total`, a final `# EOF`), `istio_tcp_connections_opened_total` per connection opened
 *   (istio/ztunnel src/proxy/metrics.rs:354-358, 662; tests/namespaced.rs:1907), labelled with the reporter and the
 *   source/destination workload namespaces (src/proxy/metrics.rs:259-281).
 * - Linkerd's proxy, `:4191/metrics`: `request_total` by direction (linkerd/linkerd2-proxy
 *   linkerd/http/metrics/src/requests/report.rs:20-23; linkerd/app/core/src/metrics.rs:314-320, 459-468) with
 *   target_addr, target_ip and target_port (linkerd/app/core/src/transport/labels.rs:175-184); every scrape of the
 *   admin server itself counts as an inbound request to the admin port (linkerd/app/integration/src/tests/
 *   telemetry.rs:212-224), as here.
 *
 * `bypass(suffix)` makes the traffic of namespaces ending so go around every proxy: they count none of it.
 */
import type http from 'node:http';
import type net from 'node:net';
import * as k8s from '@kubernetes/client-node';
import type { TestCluster } from './cluster.ts';

interface Source {
  namespace: string;
  pod: string;
  node: string;
  /** Arrival times (ms) of its requests. */
  requests: number[];
  sockets: Set<net.Socket>;
}

export class MeshTraffic {
  private readonly sources = new Map<string, Source>();
  /** Namespace suffixes whose traffic passes no proxy. */
  private readonly bypassed = new Set<string>();

  /** The echo handler: records the request by its generator pod and answers 200 "hello". */
  readonly handler = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const [, marker, namespace, pod, node] = (request.url ?? '').split('/');
    if (marker === 'meshtax' && namespace && pod && node && ![...this.bypassed].some((suffix) => namespace.endsWith(suffix))) {
      const key = `${namespace}/${pod}`;
      const source = this.sources.get(key) ?? { namespace, pod, node, requests: [], sockets: new Set() };
      this.sources.set(key, source);
      source.requests.push(Date.now());
      source.sockets.add(request.socket);
    }
    response.writeHead(200, { 'content-length': '5' });
    response.end('hello');
  };

  /** From now on, the requests of namespaces ending in `suffix` pass no proxy; returns how to undo it. */
  bypass(suffix: string): () => void {
    this.bypassed.add(suffix);
    return () => this.bypassed.delete(suffix);
  }

  /** Requests of a namespace's generators (of one pod, when given) that arrived at or after `sinceMs`. */
  requests(namespace: string, pod?: string, sinceMs = 0): number {
    return this.of(namespace, pod).reduce((total, s) => total + s.requests.filter((t) => t >= sinceMs).length, 0);
  }

  /** Connections opened by a namespace's generators on a node (all nodes when undefined). */
  connections(namespace: string, node?: string): number {
    return this.of(namespace).filter((s) => node === undefined || s.node === node).reduce((total, s) => total + s.sockets.size, 0);
  }

  namespaces(): string[] {
    return [...new Set([...this.sources.values()].map((s) => s.namespace))];
  }

  private of(namespace: string, pod?: string): Source[] {
    return [...this.sources.values()].filter((s) => s.namespace === namespace && (pod === undefined || s.pod === pod));
  }
}

const ROLE = 'meshtax.dev/role';
const GATEWAY_NAME = 'gateway.networking.k8s.io/gateway-name';
const ECHO_PORT = 8080;

function hasContainer(pod: k8s.V1Pod, name: string): boolean {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c.name === name);
}

function labels(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}="${value}"`)
    .join(',');
}

/** Envoy's `/stats/prometheus` of an istio-proxy: its istio_requests_total series. */
function envoyStats(pod: k8s.V1Pod, traffic: MeshTraffic): string {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const born = pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() - 1000 : 0;
  let reporter: string;
  let count: number;
  if (pod.metadata?.labels?.[GATEWAY_NAME]) {
    reporter = 'waypoint';
    count = traffic.requests(namespace, undefined, born);
  } else if (pod.metadata?.labels?.[ROLE] === 'loadgen') {
    reporter = 'source';
    count = traffic.requests(namespace, name);
  } else {
    reporter = 'destination';
    count = traffic.requests(namespace, undefined, born);
  }
  const lines = ['# TYPE istio_requests_total counter'];
  if (count > 0) {
    const series = labels({
      reporter,
      source_workload: 'loadgen',
      source_workload_namespace: namespace,
      destination_workload: 'echo',
      destination_workload_namespace: namespace,
      destination_service: `echo.${namespace}.svc.cluster.local`,
      request_protocol: 'http',
      response_code: '200',
      response_flags: '-',
      connection_security_policy: reporter === 'source' ? 'unknown' : 'mutual_tls',
    });
    lines.push(`istio_requests_total{${series}} ${count}`);
  }
  lines.push('# TYPE envoy_server_live gauge', 'envoy_server_live{} 1');
  return `${lines.join('\n')}\n`;
}

/** ztunnel's `/metrics` on its node: connections opened, by reporter and namespace. */
async function ztunnelStats(pod: k8s.V1Pod, traffic: MeshTraffic, core: k8s.CoreV1Api): Promise<string> {
  const node = pod.spec?.nodeName ?? '';
  const lines = ['# HELP istio_tcp_connections_opened The total number of TCP connections opened.', '# TYPE istio_tcp_connections_opened counter'];
  for (const namespace of traffic.namespaces()) {
    const outbound = traffic.connections(namespace, node);
    if (outbound > 0) lines.push(`istio_tcp_connections_opened_total{${labels({ reporter: 'source', source_workload_namespace: namespace, destination_workload_namespace: namespace, request_protocol: 'tcp' })}} ${outbound}`);
    const echo = await core.listNamespacedPod({ namespace, labelSelector: `${ROLE}=app` }).catch(() => ({ items: [] as k8s.V1Pod[] }));
    const inbound = echo.items.some((p) => p.spec?.nodeName === node) ? traffic.connections(namespace) : 0;
    if (inbound > 0) lines.push(`istio_tcp_connections_opened_total{${labels({ reporter: 'destination', source_workload_namespace: namespace, destination_workload_namespace: namespace, request_protocol: 'tcp' })}} ${inbound}`);
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** Linkerd's proxy admin `/metrics`: request_total by direction; `scrapes` of the admin server count inbound. */
function linkerdStats(pod: k8s.V1Pod, traffic: MeshTraffic, scrapes: number): string {
  const namespace = pod.metadata?.namespace ?? '';
  const ip = pod.status?.podIP ?? '';
  const lines = ['# HELP request_total Total count of HTTP requests.', '# TYPE request_total counter'];
  if (pod.metadata?.labels?.[ROLE] === 'loadgen') {
    const count = traffic.requests(namespace, pod.metadata.name);
    const target = labels({ target_addr: `198.18.255.1:${ECHO_PORT}`, target_ip: '198.18.255.1', target_port: String(ECHO_PORT) });
    if (count > 0) lines.push(`request_total{direction="outbound",authority="echo.${namespace}.svc.cluster.local:${ECHO_PORT}",${target},tls="true",server_id="default.${namespace}.serviceaccount.identity.linkerd.cluster.local"} ${count}`);
  } else {
    const born = pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() - 1000 : 0;
    const count = traffic.requests(namespace, undefined, born);
    const target = labels({ target_addr: `${ip}:${ECHO_PORT}`, target_ip: ip, target_port: String(ECHO_PORT) });
    if (count > 0) lines.push(`request_total{direction="inbound",authority="echo.${namespace}.svc.cluster.local:${ECHO_PORT}",${target},tls="true",client_id="default.${namespace}.serviceaccount.identity.linkerd.cluster.local"} ${count}`);
  }
  const admin = labels({ target_addr: `${ip}:4191`, target_ip: ip, target_port: '4191' });
  lines.push(`request_total{direction="inbound",${admin},tls="no_identity",no_tls_reason="no_tls_from_remote"} ${scrapes}`);
  return `${lines.join('\n')}\n`;
}

/** Serves the stand-ins on every pod address of the cluster's pod network (netns mode only). */
export function serveProxyAdmin(cluster: TestCluster, traffic: MeshTraffic): void {
  if (cluster.kubelet.podAddress(0) === undefined) throw new Error('proxy stand-ins need the netns kubelet network (root): pod addresses are not routable otherwise');
  const core = cluster.kubeConfig().makeApiClient(k8s.CoreV1Api);
  const scrapes = new Map<string, number>();
  cluster.kubelet.onPodPort((ip, port, request, response) => {
    const path = new URL(request.url ?? '/', 'http://pod').pathname;
    const answer = (status: number, body: string, type = 'text/plain; version=0.0.4'): void => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    void core
      .listPodForAllNamespaces({ fieldSelector: `status.podIP=${ip}` })
      .then(async (list) => {
        const pod = list.items.find((p) => !p.spec?.hostNetwork);
        if (!pod) return answer(502, `no pod at ${ip}\n`);
        if (pod.metadata?.labels?.app === 'ztunnel' && port === 15020 && (path === '/metrics' || path === '/stats/prometheus')) {
          // OpenMetrics text either way; the media type says so only to a client that accepts it (istio/ztunnel
          // src/metrics/server.rs:87-125).
          const openMetrics = (request.headers.accept ?? '').split(',').some((v) => v.split(';')[0]?.trim().toLowerCase() === 'application/openmetrics-text');
          return answer(200, await ztunnelStats(pod, traffic, core), openMetrics ? 'application/openmetrics-text;charset=utf-8;version=1.0.0' : 'text/plain; charset=utf-8');
        }
        if (hasContainer(pod, 'istio-proxy') && port === 15090 && path === '/stats/prometheus') return answer(200, envoyStats(pod, traffic));
        if (hasContainer(pod, 'linkerd-proxy') && port === 4191 && path === '/metrics') {
          const key = pod.metadata?.uid ?? ip;
          const count = (scrapes.get(key) ?? 0) + 1;
          scrapes.set(key, count);
          return answer(200, linkerdStats(pod, traffic, count));
        }
        // Nothing listens there: what a pod without that proxy does.
        request.socket.destroy();
      })
      .catch((error: unknown) => answer(500, String(error)));
  });
}
