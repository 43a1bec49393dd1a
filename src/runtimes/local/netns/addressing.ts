import { freePort } from '../proxy/free-port.ts';
import type { Endpoint } from '../proxy/types.ts';
import type { Addressing, HopAddress } from '../topology.ts';
import type { ModeNetwork } from './mode-network.ts';

/** The app's port in its pod, and the port the load generator sends to in every mode. */
export const APP_PORT = 8080;
/** A server sidecar's mTLS inbound port (Istio's 15443-style passthrough). */
export const SIDECAR_INBOUND_PORT = 15443;
/** Node proxies and waypoints take mTLS tunnels on 15008, like ztunnel's HBONE port. */
export const TUNNEL_PORT = 15008;
/** Where the echo server binds inside the server pod: the pod address for the generator, loopback for a sidecar. */
export const APP_BIND_HOST = '0.0.0.0';

/**
 * The namespace a pod's processes run in. The root namespace (undefined) is meshtax's own: the load generator is
 * the client pod, so the client sidecar and node A's proxy run there; the server sidecar and node B's proxy share
 * the server pod's namespace (node B's proxy stands for the server node), the waypoint has its own.
 */
export function podNamespace(pod: string, network: ModeNetwork): string | undefined {
  switch (pod) {
    case 'client':
    case 'node-a':
      return undefined;
    case 'server':
    case 'node-b':
      return network.server.namespace;
    case 'waypoint':
      if (!network.waypoint) throw new Error(`mode ${network.mode} has no waypoint namespace`);
      return network.waypoint.namespace;
    default:
      throw new Error(`no network namespace for pod '${pod}'`);
  }
}

/**
 * Addresses in network namespaces: the generator sends to the server pod's address on the app's port (8080 unless
 * workload.command fixes another) in every mode
 * (intercepted to the first hop when there is one); hops in the root namespace listen on `rootHost` (127.0.0.1,
 * where REDIRECT delivers) on a free port; hops in a pod listen on the pod's address on a fixed port; the last hop
 * reaches the app on the pod's loopback.
 */
export function netnsAddressing(network: ModeNetwork, rootHost: string, appPort = APP_PORT): Addressing {
  const at = (host: string, port: number): HopAddress => {
    const endpoint: Endpoint = { host, port };
    return { listen: endpoint, dial: endpoint };
  };
  return {
    app: { host: '127.0.0.1', port: appPort },
    entry: { host: network.server.ip, port: appPort },
    hop: async (hop) => {
      switch (hop.pod) {
        case 'client':
        case 'node-a':
          return at(rootHost, await freePort(rootHost));
        case 'server':
          return at(network.server.ip, SIDECAR_INBOUND_PORT);
        case 'node-b':
          return at(network.server.ip, TUNNEL_PORT);
        case 'waypoint':
          if (!network.waypoint) throw new Error(`mode ${network.mode} has no waypoint namespace`);
          return at(network.waypoint.ip, TUNNEL_PORT);
        default:
          throw new Error(`no address for pod '${hop.pod}'`);
      }
    },
  };
}
