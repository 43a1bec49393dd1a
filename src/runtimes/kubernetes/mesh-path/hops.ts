import { APP_PORT } from '../labels.ts';
import type { KubernetesMode } from '../modes.ts';

/**
 * The proxies a mode's requests must pass, each with the counter its own admin endpoint exposes and how to read it
 * through the API server's pod proxy (`pods/NAME:PORT/proxy/PATH`). Upstream facts, by proxy:
 *
 * - Envoy (Istio sidecars and waypoints) serves its stats at `:15090/stats/prometheus` (istio/istio
 *   tools/packaging/common/envoy_bootstrap.json:595-648, the `envoy_prometheus_port` listener routing
 *   /stats/prometheus, on the wildcard address unless the proxy sets METRICS_LOCALHOST_ACCESS_ONLY, false by default:
 *   pkg/features/telemetry.go:23, pkg/bootstrap/option/instances.go:299-304; the injected istio-proxy declares
 *   containerPort 15090, http-envoy-prom, in
 *   manifests/charts/istio-control/istio-discovery/files/injection-template.yaml:194-197, and the waypoint's in
 *   files/waypoint.yaml:100). `istio_requests_total` is Istio's standard request counter, one per request the proxy
 *   handled, labelled reporter="source" by the client's proxy and "destination" by the server's (istio/proxy
 *   testdata/metric/client_request_total.yaml.tmpl:1-8, server_request_total.yaml.tmpl:7-8) and reporter="waypoint"
 *   by a waypoint (istio/istio pilot/pkg/model/telemetry.go:1010-1011 sets Reporter SERVER_GATEWAY for waypoints,
 *   which the stats filter reports as "waypoint": istio/proxy testdata/stats/server_waypoint_proxy_config.yaml:1,
 *   testdata/metric/server_waypoint_proxy_request_total.yaml.tmpl:1-8).
 * - ztunnel serves its metrics at `:15020/metrics` (istio/ztunnel src/config.rs:99 DEFAULT_STATS_PORT 15020 on the
 *   wildcard address, :836-839; src/metrics/server.rs:64 "/metrics" | "/stats/prometheus"). It is an L4 proxy and
 *   counts connections, not requests: `istio_tcp_connections_opened_total` (the "tcp_connections_opened" counter of
 *   src/proxy/metrics.rs:354-358 under the "istio" prefix of src/metrics.rs:34-37; the full name as ztunnel's own
 *   tests read it, tests/namespaced.rs:1907), incremented once per connection as it opens (src/proxy/metrics.rs:662),
 *   labelled reporter source/destination (:57-63) and source_/destination_workload_namespace (:259-281).
 * - Linkerd's proxy serves its metrics on its admin port, `:4191/metrics` (linkerd/linkerd2
 *   charts/partials/templates/_proxy.tpl:112-113 binds LINKERD2_PROXY_ADMIN_LISTEN_ADDR to the wildcard address at
 *   proxy.ports.admin, 4191). `request_total` counts HTTP requests (linkerd/linkerd2-proxy
 *   linkerd/http/metrics/src/requests/report.rs:20-23) labelled direction="inbound"/"outbound"
 *   (linkerd/app/core/src/metrics.rs:314-320, 459-468) and target_addr/target_ip/target_port
 *   (linkerd/app/core/src/transport/labels.rs:175-184). The admin server's own requests count as inbound too, with
 *   the admin port as target (linkerd/app/integration/src/tests/telemetry.rs:212-224): reading the counter bumps it,
 *   so inbound requests are counted only where the target is the echo server's port.
 */

/** Where a hop's proxy runs, relative to the mode's pods. */
export type HopPlace = 'generator' | 'echo' | 'client-node' | 'server-node' | 'waypoint';

export interface HopSpec {
  /** For people: which proxy, e.g. "client istio-proxy (outbound)". */
  name: string;
  place: HopPlace;
  /** The container (or DaemonSet pod) whose admin port is read. */
  container: string;
  port: number;
  path: string;
  metric: string;
  /** The counter and its label filter, as recorded in run.json. */
  selector: string;
  unit: 'requests' | 'connections';
  /** Whether a series of the counter belongs to this hop of this mode's namespace. */
  counts(labels: Record<string, string>, namespace: string): boolean;
  /** What to check when the hop saw nothing. */
  hint: string;
  /** What to check when its counter cannot be read. */
  unreadable: string;
}

const ENVOY = { port: 15090, path: 'stats/prometheus', metric: 'istio_requests_total' } as const;
const ZTUNNEL = { container: 'istio-proxy', port: 15020, path: 'metrics', metric: 'istio_tcp_connections_opened_total' } as const;
const LINKERD = { container: 'linkerd-proxy', port: 4191, path: 'metrics', metric: 'request_total' } as const;

function envoyHop(name: string, place: HopPlace, reporter: 'source' | 'destination' | 'waypoint', hint: string): HopSpec {
  return {
    ...ENVOY,
    name,
    place,
    container: 'istio-proxy',
    selector: `${ENVOY.metric}{reporter="${reporter}"} on :${ENVOY.port}/${ENVOY.path}`,
    unit: 'requests',
    counts: (labels) => labels.reporter === reporter,
    hint,
    unreadable: 'Envoy answers on :15090 beyond localhost unless the proxy sets METRICS_LOCALHOST_ACCESS_ONLY',
  };
}

function ztunnelHop(name: string, place: HopPlace, reporter: 'source' | 'destination', hint: string): HopSpec {
  const side = reporter === 'source' ? 'source_workload_namespace' : 'destination_workload_namespace';
  return {
    ...ZTUNNEL,
    name,
    place,
    selector: `${ZTUNNEL.metric}{reporter="${reporter}",${side}=NAMESPACE} on :${ZTUNNEL.port}/${ZTUNNEL.path}`,
    unit: 'connections',
    // ztunnel serves every ambient pod of its node: only connections of this mode's namespace count.
    counts: (labels, namespace) => labels.reporter === reporter && labels[side] === namespace,
    hint,
    unreadable: 'ztunnel serves its metrics on :15020 unless its stats port was changed',
  };
}

function linkerdHop(name: string, place: HopPlace, direction: 'inbound' | 'outbound', hint: string): HopSpec {
  return {
    ...LINKERD,
    name,
    place,
    selector:
      direction === 'inbound'
        ? `${LINKERD.metric}{direction="inbound",target_port="${APP_PORT}"} on :${LINKERD.port}/${LINKERD.path}`
        : `${LINKERD.metric}{direction="outbound"} on :${LINKERD.port}/${LINKERD.path}`,
    unit: 'requests',
    counts: (labels) => labels.direction === direction && (direction === 'outbound' || labels.target_port === String(APP_PORT)),
    hint,
    unreadable: 'the proxy\'s admin port is 4191 unless proxy.ports.admin was changed',
  };
}

const ISTIO_CAPTURE = 'is the pod\'s traffic captured (istio-init or istio-cni) and does the generator send to the echo Service\'s name?';
const ZTUNNEL_HINT = 'is the pod captured (ambient.istio.io/redirection: enabled) and is the ztunnel pod on its node running? kubectl logs -n istio-system -l app=ztunnel';

export function hopsFor(mode: KubernetesMode): HopSpec[] {
  switch (mode) {
    case 'istio-sidecar':
      return [
        envoyHop('client istio-proxy (outbound)', 'generator', 'source', ISTIO_CAPTURE),
        envoyHop('server istio-proxy (inbound)', 'echo', 'destination', ISTIO_CAPTURE),
      ];
    case 'linkerd':
      return [
        linkerdHop('client linkerd-proxy (outbound)', 'generator', 'outbound', 'is linkerd-init (or linkerd-cni) redirecting the generator pod\'s traffic? linkerd check --proxy'),
        linkerdHop('server linkerd-proxy (inbound)', 'echo', 'inbound', 'is linkerd-init (or linkerd-cni) redirecting the echo pod\'s traffic? linkerd check --proxy'),
      ];
    case 'istio-ambient':
      return [ztunnelHop('client-node ztunnel (outbound)', 'client-node', 'source', ZTUNNEL_HINT), ztunnelHop('server-node ztunnel (inbound)', 'server-node', 'destination', ZTUNNEL_HINT)];
    case 'istio-waypoint':
      return [
        ztunnelHop('client-node ztunnel (outbound)', 'client-node', 'source', ZTUNNEL_HINT),
        envoyHop('waypoint', 'waypoint', 'waypoint', 'is the echo Service labelled istio.io/use-waypoint and its Gateway Programmed? istioctl waypoint status'),
        ztunnelHop('server-node ztunnel (inbound)', 'server-node', 'destination', ZTUNNEL_HINT),
      ];
    default:
      return [];
  }
}
