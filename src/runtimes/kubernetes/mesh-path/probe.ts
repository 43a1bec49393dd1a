import type { V1Pod } from '@kubernetes/client-node';
import type { Warning } from '../../../core/warning.ts';
import type { MeshHopRecord } from '../../../results/schema.ts';
import type { MeshPathOutcome, MeshPathProbe } from '../../types.ts';
import type { Cluster } from '../client/connect.ts';
import { apiMessage, during } from '../client/errors.ts';
import { getThroughPodProxy } from '../client/pod-proxy.ts';
import { CHAIN_INDEX_LABEL, ROLE_LABEL, WAYPOINT_NAME } from '../labels.ts';
import { chainServiceName } from '../manifests/chain.ts';
import type { MeshInstall } from '../mesh-check.ts';
import type { KubernetesMode } from '../modes.ts';
import type { Placement } from '../placement.ts';
import { parseSeries } from '../resources/prometheus-text.ts';
import { hopsFor, type HopPlace, type HopSpec } from './hops.ts';
import { judgeHop, type PodCounter, type Reading } from './verdict.ts';

const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

interface PodReading {
  pod: V1Pod;
  reading: Reading;
}

function live(pod: V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && pod.status?.phase === 'Running' && Boolean(pod.status.podIP);
}

const uid = (pod: V1Pod): string => pod.metadata?.uid ?? pod.metadata?.name ?? '';

/**
 * Proof that a phase's requests took the mesh path: every proxy the mode puts on the path (sidecars, ztunnel on the
 * client and server nodes, the waypoint) is asked for its own request or connection counter through the API
 * server's pod proxy, once before the phase's load starts and once after it ended. The increase is what the hop saw;
 * a hop that saw nothing fails the phase. Generator pods are new for every phase: their proxies start counting at 0.
 * With a call chain (`chainEntry`), the server side is the service the generators call, and `placement` names its
 * node as the server node and the generators' as the client node: the hops proved are those of the generators' link.
 */
export class KubernetesMeshPath implements MeshPathProbe {
  private readonly hops: HopSpec[];
  private readonly before_ = new Map<string, Reading>();
  /** Generator pods that existed before the phase (the last phase's, about to be deleted). */
  private readonly earlier = new Set<string>();
  /** Why the counters before the phase could not be read at all. */
  private beforeProblem: string | undefined;
  private readonly cluster: Cluster;
  private readonly namespace: string;
  private readonly mode: KubernetesMode;
  private readonly placement: Placement;
  private readonly ztunnel: MeshInstall | undefined;
  private readonly chainEntry: number | undefined;

  constructor(cluster: Cluster, namespace: string, mode: KubernetesMode, placement: Placement, meshes: readonly MeshInstall[], chainEntry?: number) {
    this.cluster = cluster;
    this.namespace = namespace;
    this.mode = mode;
    this.placement = placement;
    this.hops = hopsFor(mode);
    this.ztunnel = meshes.find((m) => m.mesh === 'istio-ambient');
    this.chainEntry = chainEntry;
  }

  get empty(): boolean {
    return this.hops.length === 0;
  }

  async before(): Promise<void> {
    this.before_.clear();
    this.earlier.clear();
    this.beforeProblem = undefined;
    try {
      const own = await this.ownPods();
      for (const pod of own) if (pod.metadata?.labels?.[ROLE_LABEL] === 'loadgen') this.earlier.add(uid(pod));
      for (const hop of this.hops) {
        if (hop.place === 'generator') continue;
        for (const { pod, reading } of await this.readHop(hop, own)) this.before_.set(`${hop.name}/${uid(pod)}`, reading);
      }
    } catch (error) {
      // Listing the pods failed: the phase is still worth measuring; after() reports the hops as unreadable.
      this.beforeProblem = `before the phase: ${apiMessage(error)}`;
    }
  }

  async after(requests: number): Promise<MeshPathOutcome> {
    const hops: MeshHopRecord[] = [];
    const warnings: Warning[] = [];
    let own: V1Pod[] | undefined;
    let problem = this.beforeProblem;
    if (problem === undefined) {
      try {
        own = await this.ownPods();
      } catch (error) {
        problem = `after the phase: ${apiMessage(error)}`;
      }
    }
    let failure: string | undefined;
    for (const hop of this.hops) {
      const counter = hop.selector.replace('NAMESPACE', this.namespace);
      const judged = judgeHop(hop, counter, await this.counters(hop, own, problem), requests);
      warnings.push(...judged.warnings);
      hops.push(judged.record);
      if (judged.record.status === 'none' && failure === undefined) {
        const pods = judged.record.pods.map((p) => p.pod).join(', ');
        failure =
          `mode ${this.mode}: the ${hop.name} saw none of the phase's traffic (${requests} requests in the measured window alone): ` +
          `pod ${pods} counted 0 more on ${counter}, so the requests did not take the mesh path; ${hop.hint}`;
      }
    }
    return { hops, warnings, ...(failure === undefined ? {} : { failure }) };
  }

  /** The hop's pods' counters before and after the phase; a single error entry when none could be read. */
  private async counters(hop: HopSpec, own: readonly V1Pod[] | undefined, problem: string | undefined): Promise<PodCounter[]> {
    const unreadable = (error: string): PodCounter[] => [{ pod: '', namespace: this.namespace, before: undefined, after: { error } }];
    if (problem !== undefined || !own) return unreadable(problem ?? 'the pods could not be listed');
    let found: PodReading[];
    try {
      found = await this.readHop(hop, own);
    } catch (error) {
      return unreadable(apiMessage(error));
    }
    if (found.length === 0) return unreadable(`no running pod of the ${hop.name} found${this.where(hop.place)}`);
    return found.map(({ pod, reading }) => ({
      pod: pod.metadata?.name ?? '?',
      namespace: pod.metadata?.namespace ?? this.namespace,
      // Generator pods start with the phase; so does any pod not there before it: their counters began at 0.
      before: hop.place === 'generator' ? undefined : this.before_.get(`${hop.name}/${uid(pod)}`),
      after: reading,
    }));
  }

  private where(place: HopPlace): string {
    if (place === 'client-node') return ` on node ${this.placement.clientNode}`;
    if (place === 'server-node') return ` on node ${this.placement.serverNode}`;
    if (place === 'echo' && this.chainEntry !== undefined) return ` of service ${chainServiceName(this.chainEntry)} in namespace ${this.namespace}`;
    return ` in namespace ${this.namespace}`;
  }

  private async ownPods(): Promise<V1Pod[]> {
    const list = await during(`listing pods of ${this.namespace}`, () => this.cluster.core.listNamespacedPod({ namespace: this.namespace }));
    return list.items;
  }

  /** The pods of a hop. */
  private async podsOf(place: HopPlace, own: readonly V1Pod[]): Promise<V1Pod[]> {
    const role = (pod: V1Pod): string | undefined => pod.metadata?.labels?.[ROLE_LABEL];
    switch (place) {
      case 'generator':
        return own.filter((p) => live(p) && role(p) === 'loadgen' && !this.earlier.has(uid(p)));
      case 'echo':
        // In a call chain, the service the generators call: its proxy sees exactly their requests.
        return own.filter((p) => live(p) && role(p) === 'app' && (this.chainEntry === undefined || p.metadata?.labels?.[CHAIN_INDEX_LABEL] === String(this.chainEntry)));
      case 'waypoint':
        return own.filter((p) => live(p) && p.metadata?.labels?.[GATEWAY_NAME_LABEL] === WAYPOINT_NAME);
      case 'client-node':
      case 'server-node': {
        const ztunnel = this.ztunnel;
        if (!ztunnel) return [];
        const node = place === 'client-node' ? this.placement.clientNode : this.placement.serverNode;
        const pods = await during('listing ztunnel pods', () => this.cluster.core.listNamespacedPod({ namespace: ztunnel.namespace, labelSelector: ztunnel.selector }));
        return pods.items.filter((p) => live(p) && p.spec?.nodeName === node);
      }
    }
  }

  private async readHop(hop: HopSpec, own: readonly V1Pod[]): Promise<PodReading[]> {
    const pods = await this.podsOf(hop.place, own);
    return Promise.all(pods.map(async (pod) => ({ pod, reading: await this.read(pod, hop) })));
  }

  /** The sum of the hop's series on one pod, through the API server's pod proxy to the proxy's metrics port. */
  private async read(pod: V1Pod, hop: HopSpec): Promise<Reading> {
    const namespace = pod.metadata?.namespace ?? '';
    let text: string;
    try {
      text = await getThroughPodProxy(this.cluster.config, { namespace, pod: pod.metadata?.name ?? '', port: hop.port, path: hop.path });
    } catch (error) {
      return { error: `GET pods/${pod.metadata?.name ?? ''}:${hop.port}/proxy/${hop.path}: ${apiMessage(error)}` };
    }
    const series = parseSeries(text, [hop.metric]).filter((s) => hop.counts(s.labels, this.namespace));
    return { value: series.reduce((total, s) => total + s.value, 0) };
  }
}
