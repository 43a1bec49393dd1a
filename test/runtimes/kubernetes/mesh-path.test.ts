import { describe, expect, it } from 'vitest';
import { hopsFor, type HopSpec } from '../../../src/runtimes/kubernetes/mesh-path/hops.ts';
import { judgeHop } from '../../../src/runtimes/kubernetes/mesh-path/verdict.ts';
import { parseSeries } from '../../../src/runtimes/kubernetes/resources/prometheus-text.ts';

const NS = 'meshtax-r1-linkerd';

function hop(mode: Parameters<typeof hopsFor>[0], name: string): HopSpec {
  const found = hopsFor(mode).find((h) => h.name === name);
  if (!found) throw new Error(`no hop ${name} of ${mode}`);
  return found;
}

/** What meshtax sums from one scrape of a hop's pod. */
function counted(spec: HopSpec, text: string, namespace = NS): number {
  return parseSeries(text, [spec.metric])
    .filter((s) => spec.counts(s.labels, namespace))
    .reduce((t, s) => t + s.value, 0);
}

describe('the counters of each hop, as the proxies expose them', () => {
  it('Linkerd inbound: only requests to the echo port; the admin server\'s own (meshtax reading it) and other metrics are left out', () => {
    // linkerd2-proxy: request_total with direction and target_addr/ip/port (linkerd/app/core/src/metrics.rs:314-320,
    // transport/labels.rs:175-184); scrapes of the admin port count as inbound requests (tests/telemetry.rs:212-224);
    // route_ and control_ prefixed families share the suffix (metrics.rs:168-185).
    const text = [
      '# HELP request_total Total count of HTTP requests.',
      '# TYPE request_total counter',
      'request_total{direction="inbound",authority="echo.x.svc.cluster.local:8080",target_addr="198.19.4.7:8080",target_ip="198.19.4.7",target_port="8080",tls="true",client_id="default.x.serviceaccount.identity.linkerd.cluster.local"} 1200',
      'request_total{direction="inbound",target_addr="198.19.4.7:4191",target_ip="198.19.4.7",target_port="4191",tls="no_identity",no_tls_reason="no_tls_from_remote"} 37',
      'route_request_total{direction="inbound",target_port="8080"} 999',
      'control_request_total{addr="linkerd-dst-headless.linkerd.svc.cluster.local:8086"} 55',
    ].join('\n');
    expect(counted(hop('linkerd', 'server linkerd-proxy (inbound)'), text)).toBe(1200);
    expect(counted(hop('linkerd', 'client linkerd-proxy (outbound)'), text)).toBe(0);
  });

  it('Linkerd outbound: every outbound series of the generator\'s proxy, summed', () => {
    const text = [
      'request_total{direction="outbound",authority="echo.x.svc.cluster.local:8080",target_addr="198.19.4.7:8080",target_ip="198.19.4.7",target_port="8080",tls="true"} 700',
      'request_total{direction="outbound",authority="echo.x.svc.cluster.local:8080",target_addr="198.19.4.8:8080",target_ip="198.19.4.8",target_port="8080",tls="true"} 500',
    ].join('\n');
    expect(counted(hop('linkerd', 'client linkerd-proxy (outbound)'), text)).toBe(1200);
  });

  it('Envoy: reporter source in the client\'s proxy, destination in the server\'s, waypoint in a waypoint', () => {
    // istio/proxy testdata/metric/client_request_total.yaml.tmpl:1-8, server_request_total.yaml.tmpl:7-8,
    // server_waypoint_proxy_request_total.yaml.tmpl:1-8; one series per response code.
    const text = [
      '# TYPE istio_requests_total counter',
      'istio_requests_total{response_code="200",reporter="source",source_workload="loadgen",destination_service="echo.x.svc.cluster.local"} 990',
      'istio_requests_total{response_code="503",reporter="source",source_workload="loadgen",destination_service="echo.x.svc.cluster.local"} 10',
      'istio_requests_total{response_code="200",reporter="destination",source_workload="other",destination_service="echo.x.svc.cluster.local"} 4',
      'istio_request_duration_milliseconds_bucket{reporter="source",le="1"} 900',
    ].join('\n');
    expect(counted(hop('istio-sidecar', 'client istio-proxy (outbound)'), text)).toBe(1000);
    expect(counted(hop('istio-sidecar', 'server istio-proxy (inbound)'), text)).toBe(4);
    expect(counted(hop('istio-waypoint', 'waypoint'), 'istio_requests_total{reporter="waypoint",response_code="200"} 321')).toBe(321);
  });

  it('ztunnel: connections of this mode\'s namespace only, by reporter (it serves every ambient pod of its node)', () => {
    // istio/ztunnel src/proxy/metrics.rs:259-281 (labels), :354-358 and src/metrics.rs:34-37 (the name), OpenMetrics text.
    const namespace = 'meshtax-r1-istio-ambient';
    const text = [
      '# HELP istio_tcp_connections_opened The total number of TCP connections opened.',
      '# TYPE istio_tcp_connections_opened counter',
      `istio_tcp_connections_opened_total{reporter="source",source_workload_namespace="${namespace}",destination_workload_namespace="${namespace}",request_protocol="tcp"} 16`,
      `istio_tcp_connections_opened_total{reporter="destination",source_workload_namespace="${namespace}",destination_workload_namespace="${namespace}",request_protocol="tcp"} 16`,
      'istio_tcp_connections_opened_total{reporter="source",source_workload_namespace="shop",destination_workload_namespace="shop",request_protocol="tcp"} 5000',
      '# EOF',
    ].join('\n');
    expect(counted(hop('istio-ambient', 'client-node ztunnel (outbound)'), text, namespace)).toBe(16);
    expect(counted(hop('istio-ambient', 'server-node ztunnel (inbound)'), text, namespace)).toBe(16);
  });

  it('which hops each mode has', () => {
    expect(hopsFor('baseline')).toEqual([]);
    expect(hopsFor('baseline-aa')).toEqual([]);
    expect(hopsFor('istio-waypoint').map((h) => `${h.name}:${h.place}:${h.port}/${h.path}`)).toEqual([
      'client-node ztunnel (outbound):client-node:15020/metrics',
      'waypoint:waypoint:15090/stats/prometheus',
      'server-node ztunnel (inbound):server-node:15020/metrics',
    ]);
  });
});

describe('what a hop saw of a phase', () => {
  const sidecar = hop('istio-sidecar', 'server istio-proxy (inbound)');
  const counter = 'istio_requests_total{reporter="destination"} on :15090/stats/prometheus';

  it('the increase over the phase, summed over pods; a pod that started with the phase counts from 0', () => {
    const { record, warnings } = judgeHop(
      sidecar,
      counter,
      [
        { pod: 'echo-1', namespace: NS, before: { value: 500 }, after: { value: 1700 } },
        { pod: 'echo-2', namespace: NS, before: undefined, after: { value: 300 } },
      ],
      1400,
    );
    expect(record).toEqual({
      hop: 'server istio-proxy (inbound)',
      counter,
      unit: 'requests',
      pods: [
        { pod: 'echo-1', before: 500, after: 1700 },
        { pod: 'echo-2', before: null, after: 300 },
      ],
      seen: 1500,
      status: 'ok',
    });
    expect(warnings).toEqual([]);
  });

  it('none when the counters did not move: the phase fails on it', () => {
    const { record } = judgeHop(sidecar, counter, [{ pod: 'echo-1', namespace: NS, before: { value: 500 }, after: { value: 500 } }], 1400);
    expect(record.status).toBe('none');
    expect(record.seen).toBe(0);
  });

  it('a counter that went down is a restart: counted from 0, and said', () => {
    const { record, warnings } = judgeHop(sidecar, counter, [{ pod: 'echo-1', namespace: NS, before: { value: 5000 }, after: { value: 1600 } }], 1400);
    expect(record).toMatchObject({ seen: 1600, status: 'ok', pods: [{ pod: 'echo-1', before: 5000, after: 1600, restarted: true }] });
    expect(warnings).toEqual([
      {
        code: 'mesh-path-restart',
        message: `the server istio-proxy (inbound) in pod echo-1 restarted during the phase: ${counter} went down from 5000 to 1600; what it saw is counted from 0`,
        hint: `kubectl describe pod -n ${NS} echo-1 shows the restarts of istio-proxy`,
      },
    ]);
  });

  it('fewer requests than the window answered: some went around the hop', () => {
    const { record, warnings } = judgeHop(sidecar, counter, [{ pod: 'echo-1', namespace: NS, before: { value: 0 }, after: { value: 700 } }], 1400);
    expect(record.status).toBe('short');
    expect(warnings.map((w) => w.message)).toEqual(['the server istio-proxy (inbound) counted 700 requests while the measured window alone got 1400 answers: some requests went around it']);
  });

  it('connections are not compared with requests: any increase is the proof', () => {
    const ztunnel = hop('istio-ambient', 'server-node ztunnel (inbound)');
    expect(judgeHop(ztunnel, 'c', [{ pod: 'ztunnel-a', namespace: 'istio-system', before: { value: 3 }, after: { value: 19 } }], 1400).record).toMatchObject({ seen: 16, status: 'ok' });
  });

  it('unreadable counters give no figure and a warning, not a failure', () => {
    const { record, warnings } = judgeHop(
      sidecar,
      counter,
      [{ pod: 'echo-1', namespace: NS, before: { value: 10 }, after: { error: 'GET pods/echo-1:15090/proxy/stats/prometheus: HTTP 403: forbidden' } }],
      1400,
    );
    expect(record).toMatchObject({ seen: null, status: 'unreadable', pods: [{ pod: 'echo-1', before: 10, after: null, error: 'GET pods/echo-1:15090/proxy/stats/prometheus: HTTP 403: forbidden' }] });
    expect(warnings[0]?.code).toBe('mesh-path-unreadable');
  });
});
