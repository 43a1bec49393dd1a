import type { Workload } from '../../../scenario/workload-schema.ts';
import { APP_NAME, APP_PORT } from '../labels.ts';

/**
 * A call chain on Kubernetes (workload.chain): services svc-1 … svc-N in the mode's namespace, each a Deployment and
 * Service of meshtax's echo server that forwards every request (fanOut times) to the next by its Service name. The
 * meshes put every link on their data path themselves: each pod's sidecar, the ztunnel of each node, the namespace's
 * waypoint. As in the local runtime's chain (src/runtimes/local/chain-topology.ts), the services alternate between the
 * two nodes, the last on the server node, so every link crosses nodes; the path of depth d enters at svc-(N−d+1),
 * and its generator pods run on the node opposite that service, so their link crosses nodes too.
 */
export interface ChainService {
  /** 1-based position in the chain. */
  index: number;
  /** Its Deployment's and Service's name. */
  name: string;
  /** On the server node (else the client node). */
  serverSide: boolean;
  /** The next service's URL, where it sends its calls; undefined for the last. */
  forward: string | undefined;
}

export const chainServiceName = (index: number): string => `svc-${index}`;

const serviceUrl = (name: string): string => `http://${name}:${APP_PORT}/`;

/** The last service on the server node, alternating back from it. */
const onServerSide = (index: number, depth: number): boolean => (depth - index) % 2 === 0;

/** The services of a chain of `depth`, svc-1 first. */
export function chainServices(depth: number): ChainService[] {
  return Array.from({ length: depth }, (_, i) => {
    const index = i + 1;
    return { index, name: chainServiceName(index), serverSide: onServerSide(index, depth), forward: index < depth ? serviceUrl(chainServiceName(index + 1)) : undefined };
  });
}

/** Where the load of each depth enters, index depth − 1: svc-N for depth 1 … svc-1 for depth N. */
export function chainUrls(depth: number): string[] {
  return Array.from({ length: depth }, (_, i) => serviceUrl(chainServiceName(depth - i)));
}

/** The path a phase of a call chain measures. */
export interface ChainPath {
  /** The service its generators call. */
  entry: number;
  url: string;
  /** Its generator pods run on the server node: opposite their entry service. */
  generatorOnServer: boolean;
}

/** The path of a phase of `depth` (phases[].depth), or undefined without a chain. */
export function chainPath(workload: Pick<Workload, 'chain'>, depth: number | undefined): ChainPath | undefined {
  const chain = workload.chain;
  if (!chain || depth === undefined) return undefined;
  const entry = chain.depth - depth + 1;
  return { entry, url: serviceUrl(chainServiceName(entry)), generatorOnServer: !onServerSide(entry, chain.depth) };
}

/** The Deployments of a mode's workload: `echo`, or with a call chain svc-1 … svc-N. */
export function appDeployments(workload: Pick<Workload, 'chain'>): string[] {
  return workload.chain ? chainServices(workload.chain.depth).map((s) => s.name) : [APP_NAME];
}
