import type { RunPki } from './pki/run-pki.ts';
import { freePort } from './proxy/free-port.ts';
import type { Endpoint, Listener, ProxySpec } from './proxy/types.ts';
import { type Role } from '../../core/modes.ts';

/** The modes of the local runtime, each the shape of a real mesh data path. */
export const LOCAL_MODES = ['baseline', 'baseline-aa', 'sidecar', 'node-proxy', 'node-proxy-waypoint'] as const;
export type LocalMode = (typeof LOCAL_MODES)[number];

/** Where a process sits, the way a Kubernetes pod and container would name it. */
export interface Placement {
  pod: string;
  container: string;
  role: Role;
  /** The logical node the pod runs on (see nodes.ts); undefined: where the single-hop layout puts the pod. */
  node?: string;
}

/** One proxy on the path from the load generator to the echo server. */
export interface Hop extends Placement {
  name: string;
  mode: Listener['mode'];
}

/**
 * Each mode is a chain of proxy hops, client side first. The link from the generator to the first hop and from
 * the last hop to the app stay inside a "pod" and are plain; every link between two proxies carries mTLS when the
 * scenario asks for it.
 * - sidecar: an L7 proxy beside the client and one beside the server (Istio or Linkerd sidecars);
 * - node-proxy: an L4 tunnel per logical node, client and server on different nodes (Istio ambient's ztunnel);
 * - node-proxy-waypoint: the node proxies with an L7 waypoint between them (ambient with a waypoint).
 */
const CHAINS: Record<LocalMode, readonly Hop[]> = {
  baseline: [],
  // A second baseline, for the A/A noise floor: the same path, deployed beside the first.
  'baseline-aa': [],
  sidecar: [
    { name: 'client-sidecar', mode: 'http', pod: 'client', container: 'client-sidecar', role: 'sidecar' },
    { name: 'server-sidecar', mode: 'http', pod: 'server', container: 'server-sidecar', role: 'sidecar' },
  ],
  'node-proxy': [
    { name: 'node-a', mode: 'tcp', pod: 'node-a', container: 'node-proxy', role: 'node-proxy' },
    { name: 'node-b', mode: 'tcp', pod: 'node-b', container: 'node-proxy', role: 'node-proxy' },
  ],
  'node-proxy-waypoint': [
    { name: 'node-a', mode: 'tcp', pod: 'node-a', container: 'node-proxy', role: 'node-proxy' },
    { name: 'waypoint', mode: 'http', pod: 'waypoint', container: 'waypoint', role: 'waypoint' },
    { name: 'node-b', mode: 'tcp', pod: 'node-b', container: 'node-proxy', role: 'node-proxy' },
  ],
};

/** The proxy hops from a client pod to a server pod in a mode, client side first. */
export function hopsOf(mode: LocalMode): readonly Hop[] {
  return CHAINS[mode];
}

export const APP_PLACEMENT: Placement = { pod: 'server', container: 'echo', role: 'app' };
/** The team's own server (workload.command) in the echo server's place. */
export const COMMAND_PLACEMENT: Placement = { pod: 'server', container: 'app', role: 'app' };
export const LOADGEN_PLACEMENT: Placement = { pod: 'client', container: 'meshtax', role: 'loadgen' };

export function isLocalMode(mode: string): mode is LocalMode {
  return (LOCAL_MODES as readonly string[]).includes(mode);
}

/** Identities that need certificates in a mode (one per proxy). */
export function identitiesOf(mode: LocalMode): string[] {
  return CHAINS[mode].map((hop) => hop.name);
}

/** Pods a mode's proxies run in (client side first); the app's pod `server` is in every mode. */
export function podsOf(mode: LocalMode): string[] {
  return [...new Set(CHAINS[mode].map((hop) => hop.pod))];
}

export interface PlannedProxy {
  spec: ProxySpec;
  placement: Placement;
}

export interface ModeTopology {
  mode: LocalMode;
  /** Where the load generator sends: the first hop, the app itself in baseline, or a pod address that is intercepted. */
  entry: Endpoint;
  /** The first hop's listener, where the client side's traffic goes (intercepted or not); undefined in baseline. */
  outbound: Endpoint | undefined;
  proxies: PlannedProxy[];
}

/** Where one hop listens, and the address the hop before it connects to (the same on loopback). */
export interface HopAddress {
  listen: Endpoint;
  dial: Endpoint;
}

/** Which addresses a mode's hops get: all on loopback, or each pod's own in network namespaces. */
export interface Addressing {
  /** The app as the last hop reaches it. */
  app: Endpoint;
  /** Where the load generator sends; the first hop's listener (or the app) unless given. */
  entry?: Endpoint;
  /** Addresses of one hop, asked in chain order from the client side. */
  hop(hop: Readonly<Placement & { name: string }>): Promise<HopAddress>;
}

/** Every hop on `app.host`, each on a port that was free a moment ago; the generator sends to the first hop. */
export function loopbackAddressing(app: Endpoint): Addressing {
  return {
    app,
    hop: async () => {
      const endpoint = { host: app.host, port: await freePort(app.host) };
      return { listen: endpoint, dial: endpoint };
    },
  };
}

/**
 * Ports and listeners for a mode whose app listens at `app`, all on loopback. Proxies are listed server side
 * first, so starting them in order never points a proxy at a listener that is not up yet.
 */
export function planTopology(mode: LocalMode, app: Endpoint, pki: RunPki | undefined): Promise<ModeTopology> {
  return planChain(mode, loopbackAddressing(app), pki);
}

/**
 * Listeners for a mode with the addresses `addressing` gives; proxies server side first (see planTopology). `h2`:
 * the traffic is HTTP/2 or gRPC, which L7 hops speak both ways.
 */
export async function planChain(mode: LocalMode, addressing: Addressing, pki: RunPki | undefined, h2 = false): Promise<ModeTopology> {
  const chain = CHAINS[mode];
  const addresses: HopAddress[] = [];
  for (const hop of chain) addresses.push(await addressing.hop(hop));
  const proxies: PlannedProxy[] = chain.map((hop, i) => {
    const next = chain[i + 1];
    const previous = chain[i - 1];
    const listener: Listener = {
      name: i === 0 ? 'outbound' : 'inbound',
      mode: hop.mode,
      listen: addresses[i]!.listen,
      upstream: next ? addresses[i + 1]!.dial : addressing.app,
      ...(h2 ? { h2: true } : {}),
    };
    if (pki && previous) {
      const own = pki.identity(hop.name);
      listener.tls = { certFile: own.certFile, keyFile: own.keyFile, bundleFile: own.bundleFile, caFile: pki.caFile };
    }
    if (pki && next) {
      const own = pki.identity(hop.name);
      listener.upstreamTls = {
        certFile: own.certFile,
        keyFile: own.keyFile,
        bundleFile: own.bundleFile,
        caFile: pki.caFile,
        serverName: pki.identity(next.name).dnsName,
      };
    }
    return {
      spec: { name: hop.name, listeners: [listener] },
      placement: { pod: hop.pod, container: hop.container, role: hop.role },
    };
  });
  const outbound = addresses[0]?.listen;
  return { mode, entry: addressing.entry ?? outbound ?? addressing.app, outbound, proxies: proxies.reverse() };
}
