import type { RunPki } from './pki/run-pki.ts';
import type { Endpoint, Listener } from './proxy/types.ts';
import { CLIENT_POD, NODE_A, NODE_B, WAYPOINT_NODE } from './nodes.ts';
import { hopsOf, type Hop, type LocalMode, type Placement, type PlannedProxy } from './topology.ts';

/**
 * A call chain in the local runtime: services svc-1 … svc-N, each an echo server that forwards every request to the
 * next one, and every link (the generator to a service, a service to the next) on the mode's data path — the same
 * proxies a single hop of the mode has, placed for that link:
 * - sidecar: one sidecar per pod (the generator's pod `client` and every service), with an outbound listener per
 *   service it calls and an inbound listener for its own service;
 * - node-proxy: one proxy per logical node with an outbound listener per service called from that node and an inbound
 *   listener per service on it; services alternate between the two nodes (svc-N on node-b, svc-(N−1) on node-a, …)
 *   so that every service-to-service link crosses nodes as a single hop of the mode does;
 * - node-proxy-waypoint: the same with one shared waypoint (a namespace's waypoint) in the middle of every link.
 *
 * The path of depth d enters at svc-(N−d+1) and goes to svc-N, so every depth shares the same services and proxies
 * and differs only in how many links a request crosses. The generator of depth d sits on the node opposite its
 * entry service, so its link crosses nodes too: each link then costs what the mode's single hop costs.
 */

export interface ChainService {
  /** 1-based position in the chain. */
  index: number;
  pod: string;
  node: string;
  listen: Endpoint;
  /** Where it sends its calls to the next service (that link's first hop, or the next app in baseline). */
  forward: Endpoint | undefined;
}

export interface ChainProxy extends PlannedProxy {
  /** The service whose pod the proxy is a sidecar of; undefined for the client pod's sidecar and shared proxies. */
  service: number | undefined;
}

export interface ChainTopology {
  services: ChainService[];
  /** Entry of the path of each depth, index depth − 1. */
  entries: Endpoint[];
  /** The client pod's node for the path of each depth, index depth − 1. */
  clientNodes: string[];
  proxies: ChainProxy[];
}

export const servicePod = (index: number): string => `svc-${index}`;

/** The node of service `index` of a chain of `depth`: the last on node-b, alternating back from it. */
export function serviceNode(index: number, depth: number): string {
  return (depth - index) % 2 === 0 ? NODE_B : NODE_A;
}

const otherNode = (node: string): string => (node === NODE_A ? NODE_B : NODE_A);

/** One proxy process of the chain: its placement and its listeners so far. */
interface Process {
  name: string;
  placement: Placement;
  service: number | undefined;
  listeners: Listener[];
  /** Listener by upstream, so that links to the same place share one listener. */
  byUpstream: Map<string, Listener>;
}

/** A link's hop placed for its source and destination pods and nodes: the process it runs in. */
function placeHop(hop: Hop, from: { pod: string; node: string; service: number | undefined }, to: { pod: string; node: string; service: number }) {
  if (hop.role === 'sidecar') {
    const side = hop.pod === 'client' ? from : to;
    return { name: `${side.pod}-sidecar`, placement: { pod: side.pod, container: 'sidecar', role: hop.role, node: side.node }, service: side.service };
  }
  if (hop.role === 'node-proxy') {
    const node = hop.pod === NODE_A ? from.node : to.node;
    return { name: node, placement: { pod: node, container: 'node-proxy', role: hop.role, node }, service: undefined };
  }
  return { name: 'waypoint', placement: { pod: 'waypoint', container: 'waypoint', role: hop.role, node: WAYPOINT_NODE }, service: undefined };
}

const key = (endpoint: Endpoint): string => `${endpoint.host}:${endpoint.port}`;

/**
 * Services, listeners and entries of a chain of `depth` services in `mode`, every listener on `host` at a port from
 * `allocate`. Certificates come from `pki` (one identity per proxy process: {@link chainIdentities}); without it the
 * links between proxies are plain.
 */
export async function planServiceChain(
  mode: LocalMode,
  depth: number,
  host: string,
  pki: RunPki | undefined,
  allocate: () => Promise<number>,
): Promise<ChainTopology> {
  const hops = hopsOf(mode);
  const services: ChainService[] = [];
  for (let index = 1; index <= depth; index++) {
    services.push({ index, pod: servicePod(index), node: serviceNode(index, depth), listen: { host, port: await allocate() }, forward: undefined });
  }
  const processes = new Map<string, Process>();
  /** Plans one link server side first (so each hop knows its upstream) and returns where its traffic enters. */
  const link = async (from: { pod: string; node: string; service: number | undefined }, to: ChainService): Promise<Endpoint> => {
    const placed = hops.map((hop) => placeHop(hop, from, { pod: to.pod, node: to.node, service: to.index }));
    let upstream = to.listen;
    for (let i = placed.length - 1; i >= 0; i--) {
      const { name, placement, service } = placed[i]!;
      const owner: Process = processes.get(name) ?? { name, placement, service, listeners: [], byUpstream: new Map() };
      processes.set(name, owner);
      let listener = owner.byUpstream.get(key(upstream));
      if (!listener) {
        const next = placed[i + 1];
        const previous = placed[i - 1];
        listener = { name: `${i === 0 ? 'outbound' : 'inbound'}-${to.pod}`, mode: hops[i]!.mode, listen: { host, port: await allocate() }, upstream };
        if (pki && previous) {
          const own = pki.identity(name);
          listener.tls = { certFile: own.certFile, keyFile: own.keyFile, bundleFile: own.bundleFile, caFile: pki.caFile };
        }
        if (pki && next) {
          const own = pki.identity(name);
          const serverName = pki.identity(next.name).dnsName;
          listener.upstreamTls = { certFile: own.certFile, keyFile: own.keyFile, bundleFile: own.bundleFile, caFile: pki.caFile, serverName };
        }
        owner.listeners.push(listener);
        owner.byUpstream.set(key(upstream), listener);
      }
      upstream = listener.listen;
    }
    return upstream;
  };
  for (const service of services.slice(0, -1)) {
    service.forward = await link({ pod: service.pod, node: service.node, service: service.index }, services[service.index]!);
  }
  const entries: Endpoint[] = [];
  const clientNodes: string[] = [];

  for (let d = 1; d <= depth; d++) {
    const entry = services[depth - d]!;
    const node = otherNode(entry.node);
    clientNodes.push(node);
    entries.push(await link({ pod: CLIENT_POD, node, service: undefined }, entry));
  }
  const proxies = [...processes.values()].map(({ name, placement, service, listeners }) => ({ spec: { name, listeners }, placement, service }));
  return { services, entries, clientNodes, proxies };
}

/** The proxy processes of a chain of `depth` in `mode`, by the names their certificates are issued for. */
export function chainIdentities(mode: LocalMode, depth: number): string[] {
  const names = new Set<string>();
  for (const hop of hopsOf(mode)) {
    if (hop.role === 'sidecar') {
      if (hop.pod === 'client') names.add(`${CLIENT_POD}-sidecar`);
      for (let index = 1; index <= depth; index++) names.add(`${servicePod(index)}-sidecar`);
    } else if (hop.role === 'node-proxy') {
      names.add(NODE_A).add(NODE_B);
    } else {
      names.add('waypoint');
    }
  }
  return [...names];
}
