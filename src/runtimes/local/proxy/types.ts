/**
 * The contract every local proxy implementation (HAProxy, the built-in Node proxy) follows. A mode's topology is a
 * set of proxy processes, each hosting one or more listeners; the runtime chooses ports, certificates and upstreams,
 * the implementation only carries bytes or requests as a listener says.
 */

export interface Endpoint {
  host: string;
  /** A concrete port (never 0): the runtime allocates it before start. */
  port: number;
}

/** Terminate TLS on the way in, requiring and verifying a client certificate signed by the run's CA. */
export interface ServerTls {
  certFile: string;
  keyFile: string;
  /** Certificate then key in one file (HAProxy's `crt`). */
  bundleFile: string;
  caFile: string;
}

/** Originate TLS on the way out, presenting a client certificate and verifying the server's name and chain. */
export interface ClientTls {
  certFile: string;
  keyFile: string;
  bundleFile: string;
  caFile: string;
  /** Name to send as SNI and to verify against the server certificate's DNS SAN. */
  serverName: string;
}

export interface Listener {
  /** Unique within the proxy, e.g. `outbound`, `inbound`. */
  name: string;
  /**
   * `http`: L7 — parses HTTP/1.1 requests, keeps downstream connections alive and reuses a pool of keep-alive
   * upstream connections (a sidecar or a waypoint). `tcp`: L4 — one upstream connection per downstream connection,
   * bytes copied both ways (a node proxy like ztunnel).
   */
  mode: 'http' | 'tcp';
  /**
   * The traffic is HTTP/2 (plain HTTP/2 or gRPC). `http` listeners speak it both ways (h2c in the clear, h2 over
   * TLS); every TLS leg, `tcp` listeners' too, negotiates h2 with ALPN, so an L7 hop behind an L4 tunnel (a waypoint
   * behind a node proxy) is offered h2 like one reached directly.
   */
  h2?: boolean;
  listen: Endpoint;
  tls?: ServerTls;
  upstream: Endpoint;
  upstreamTls?: ClientTls;
}

export interface ProxySpec {
  /** Process name in results, e.g. `client-sidecar`, `node-a`, `waypoint`. */
  name: string;
  listeners: Listener[];
}

/** Which proxy carried a run's traffic, recorded in run.json and every report. */
export interface ProxyIdentity {
  kind: 'haproxy' | 'builtin';
  version: string;
}
