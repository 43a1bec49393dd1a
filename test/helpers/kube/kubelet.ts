/**
 * The test side of the fake nodes of test/helpers/kube/cluster.ts:
 *
 * - `startFakeKubelet`: the HTTPS endpoint the API server talks to as the nodes' kubelet (pod logs, node proxy).
 *   The API server refuses to proxy `nodes/NODE/proxy/...` to a loopback or link-local kubelet address
 *   (proxyutil.IsProxyableHostname), so by default the endpoint's advertised address lives in a network namespace
 *   the helper makes itself (198.18.0.0/15, a veth pair and a TCP forwarder in the namespace); the TLS server and
 *   its handlers stay in the test process.
 * - `startNodeSimulator`: keeps the fake Nodes Ready (status heartbeat and lease), marks pods bound to them
 *   Running and Ready, and confirms their deletion as a kubelet would.
 * - Pod addresses: in netns mode every pod gets an address of a /22 of 198.19.0.0/16 routed into the same namespace
 *   (a `local` route there, so the namespace answers on all of them), and a relay in the namespace answers on the
 *   meshes' proxy metrics ports (POD_METRICS_PORTS) of every pod address, handing each request to `onPodPort` in the
 *   test process. The API server's pod proxy (`pods/NAME:PORT/proxy/...`) connects to the pod's IP and refuses
 *   loopback and link-local ones; these it really reaches.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { untilReady } from './ready-line.ts';

export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
  /** Every query parameter the API server passed on (tailLines, sinceSeconds, timestamps, …). */
  query: URLSearchParams;
}

export type LogHandler = (request: LogRequest, response: http.ServerResponse) => void;
export type MetricsHandler = (node: string, response: http.ServerResponse) => void;
/** Any other path (`/stats/summary`, `/metrics`, …) reached through `nodes/NODE/proxy/PATH`. */
export type OtherHandler = (node: string, request: http.IncomingMessage, response: http.ServerResponse) => void;
/** A request the API server's pod proxy sent to `podIp:port` (a port of POD_METRICS_PORTS). */
export type PodPortHandler = (podIp: string, port: number, request: http.IncomingMessage, response: http.ServerResponse) => void;

/**
 * The ports the relay answers on every pod address: Istio's istio-agent status port and Envoy's Prometheus port
 * (15020, 15090: istio/istio manifests/charts/istio-control/istio-discovery/files/waypoint.yaml:94-100,
 * injection-template.yaml:195), ztunnel's stats port (15020: istio/ztunnel src/config.rs:99) and Linkerd's proxy
 * admin port (4191: linkerd/linkerd2 charts/linkerd-control-plane/values.yaml:167).
 */
export const POD_METRICS_PORTS = [15020, 15090, 4191] as const;

export type KubeletNetwork = 'netns' | 'loopback';

export interface FakeKubelet {
  /** The address every node advertises as its InternalIP. */
  readonly address: string;
  /** `netns`: the address is inside a namespace of the helper's; `loopback`: 127.0.0.1. */
  readonly network: KubeletNetwork;
  /** The network namespace holding `address` (netns mode). */
  readonly netns: string | undefined;
  /** The kubelet port a node advertises (status.daemonEndpoints.kubeletEndpoint.Port). */
  portFor(node: string): number;
  /** Handles `GET /containerLogs/NS/POD/CONTAINER`. Default: 200 with an empty body. */
  onLogs(handler: LogHandler): void;
  /** Handles `GET /metrics/resource`. Default: 404. */
  onMetrics(handler: MetricsHandler): void;
  /** Handles any other path. Default: 404. */
  onOther(handler: OtherHandler): void;
  /** The address of the n-th pod (n ≥ 0) in the pod network (netns mode); undefined on loopback, where none is routable. */
  podAddress(n: number): string | undefined;
  /** Handles requests to a pod address's POD_METRICS_PORTS (netns mode). Default: 404. */
  onPodPort(handler: PodPortHandler): void;
  /** Back to the default handlers. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeKubeletOptions {
  nodes: string[];
  /** PEM key and certificate (chain) the endpoint serves; the API server does not verify them. */
  key: string;
  cert: string;
  /** Default: `netns` when running as root on Linux, else `loopback` (where node proxy is refused). */
  network?: KubeletNetwork;
}

const defaultLogs: LogHandler = (_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end();
};
const defaultMetrics: MetricsHandler = (_node, response) => {
  response.writeHead(404, { 'content-type': 'text/plain' });
  response.end('404 page not found\n');
};
const defaultOther: OtherHandler = (_node, _request, response) => {
  response.writeHead(404, { 'content-type': 'text/plain' });
  response.end('404 page not found\n');
};

const defaultPodPort: PodPortHandler = (_ip, _port, _request, response) => {
  response.writeHead(404, { 'content-type': 'text/plain' });
  response.end('404 page not found\n');
};

const FIRST_KUBELET_PORT = 10250;

export async function startFakeKubelet(options: FakeKubeletOptions): Promise<FakeKubelet> {
  const network = options.network ?? (process.platform === 'linux' && process.geteuid?.() === 0 ? 'netns' : 'loopback');
  let logs = defaultLogs;
  let metrics = defaultMetrics;
  let other = defaultOther;
  let podPort = defaultPodPort;
  const servers: (https.Server | http.Server)[] = [];
  const serverPorts = new Map<string, number>();
  let link: NetnsLink | undefined;
  let forwarder: ChildProcess | undefined;
  let relay: ChildProcess | undefined;

  const close = async (): Promise<void> => {
    for (const child of [forwarder, relay]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await exited;
      }
    }
    forwarder = undefined;
    relay = undefined;
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
    servers.length = 0;
    if (link) removeNetnsLink(link);
    link = undefined;
  };
  const onExit = (): void => {
    forwarder?.kill('SIGKILL');
    relay?.kill('SIGKILL');
    if (link) removeNetnsLink(link);
  };
  process.once('exit', onExit);

  try {
    link = network === 'netns' ? createNetnsLink() : undefined;
    const listenAddress = link ? link.hostAddress : '127.0.0.1';
    for (const node of options.nodes) {
      const server = https.createServer({ key: options.key, cert: options.cert }, (request, response) => {
        const url = new URL(request.url ?? '/', 'https://kubelet');
        const parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
        try {
          if (parts[0] === 'containerLogs' && parts.length === 4) {
            const [, namespace = '', pod = '', container = ''] = parts;
            logs({ namespace, pod, container, follow: url.searchParams.get('follow') === 'true', query: url.searchParams }, response);
          } else if (url.pathname === '/metrics/resource') {
            metrics(node, response);
          } else {
            other(node, request, response);
          }
        } catch (error) {
          if (!response.headersSent) response.writeHead(500);
          response.end(String(error));
        }
      });
      server.keepAliveTimeout = 60_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, listenAddress, () => resolve());
      });
      servers.push(server);
      serverPorts.set(node, (server.address() as AddressInfo).port);
    }

    const advertised = new Map<string, number>();
    if (link) {
      const routes = options.nodes.map((node, index) => {
        advertised.set(node, FIRST_KUBELET_PORT + index);
        return { listen: [link?.nsAddress, FIRST_KUBELET_PORT + index], to: [link?.hostAddress, serverPorts.get(node)] };
      });
      forwarder = await startForwarder(link.netns, routes);
      // The pods' metrics ports: the relay in the namespace hands each request, with the pod address it came to, to
      // this server on the host end of the veth pair.
      const podServer = http.createServer((request, response) => {
        const ip = String(request.headers['x-meshtax-pod-ip'] ?? '');
        const port = Number(request.headers['x-meshtax-pod-port']);
        try {
          podPort(ip, port, request, response);
        } catch (error) {
          if (!response.headersSent) response.writeHead(500);
          response.end(String(error));
        }
      });
      await new Promise<void>((resolve, reject) => {
        podServer.once('error', reject);
        podServer.listen(0, link?.hostAddress, () => resolve());
      });
      servers.push(podServer);
      relay = await startInNetns(link.netns, RELAY, [POD_METRICS_PORTS, [link.hostAddress, (podServer.address() as AddressInfo).port]], 'pod metrics relay');
    } else {
      for (const [node, port] of serverPorts) advertised.set(node, port);
    }

    return {
      address: link ? link.nsAddress : '127.0.0.1',
      network,
      netns: link?.netns,
      portFor(node) {
        const port = advertised.get(node);
        if (port === undefined) throw new Error(`fake kubelet: no node '${node}'`);
        return port;
      },
      onLogs(handler) {
        logs = handler;
      },
      onMetrics(handler) {
        metrics = handler;
      },
      onOther(handler) {
        other = handler;
      },
      podAddress(n) {
        if (!link) return undefined;
        const offset = n + 2;
        if (offset > 1021) throw new Error(`fake kubelet: the pod network ${link.podNetwork} is full (${n} pods)`);
        const [a, b, c] = link.podNetwork.split('/')[0]!.split('.').map(Number);
        return `${a}.${b}.${c! + (offset >> 8)}.${offset & 255}`;
      },
      onPodPort(handler) {
        podPort = handler;
      },
      reset() {
        logs = defaultLogs;
        metrics = defaultMetrics;
        other = defaultOther;
        podPort = defaultPodPort;
      },
      async close() {
        process.off('exit', onExit);
        await close();
      },
    };
  } catch (error) {
    process.off('exit', onExit);
    await close();
    throw error;
  }
}

// ------------------------------------------------------------------------------------------------ network namespace

interface NetnsLink {
  netns: string;
  hostIf: string;
  /** On the root namespace's end of the veth pair; the TLS server listens here. */
  hostAddress: string;
  /** Inside the namespace; what the nodes advertise, where the forwarder listens. */
  nsAddress: string;
  /** The pods' /22, routed from the host into the namespace, where a `local` route answers on all of it. */
  podNetwork: string;
}

/** Whether a process exists (signal 0; EPERM means it does, as another user's). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Namespaces `mkube-PID-XXXX` whose process is gone (killed before stop() and its exit hook could run): deleting
 * the namespace also deletes its veth pair.
 */
export function sweepStaleNamespaces(): void {
  for (const line of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n')) {
    const match = /^(mkube-(\d+)-[0-9a-f]{4})\b/.exec(line);
    if (!match?.[1] || alive(Number(match[2]))) continue;
    try {
      execFileSync('ip', ['netns', 'delete', match[1]], { stdio: 'ignore' });
    } catch {
      // raced with another sweeper
    }
  }
}

/**
 * A namespace `mkube-PID-XXXX` with a veth pair `mkubeXXXXh`/`mkubeXXXXn` carrying a /30 of 198.18.0.0/15 that no
 * interface of this host uses yet.
 */
function createNetnsLink(): NetnsLink {
  sweepStaleNamespaces();
  const used = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' });
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  const routes = execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
  for (let attempt = 0; attempt < 50; attempt++) {
    const tag = randomInt(0x10000).toString(16).padStart(4, '0');
    const third = randomInt(256);
    const base = randomInt(64) * 4;
    const prefix = `198.18.${third}.`;
    const taken = [0, 1, 2, 3].some((offset) => used.includes(` ${prefix}${base + offset}/`));
    if (taken || namespaces.includes(`-${tag}`) || used.includes(`mkube${tag}`)) continue;
    const podNetwork = `198.19.${randomInt(64) * 4}.0/22`;
    if (routes.includes(podNetwork)) continue;
    const link: NetnsLink = { netns: `mkube-${process.pid}-${tag}`, hostIf: `mkube${tag}h`, hostAddress: `${prefix}${base + 1}`, nsAddress: `${prefix}${base + 2}`, podNetwork };
    const nsIf = `mkube${tag}n`;
    try {
      const ip = (...args: string[]): void => {
        execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      };
      ip('netns', 'add', link.netns);
      ip('link', 'add', link.hostIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', link.netns);
      ip('addr', 'add', `${link.hostAddress}/30`, 'dev', link.hostIf);
      ip('link', 'set', link.hostIf, 'up');
      ip('-n', link.netns, 'addr', 'add', `${link.nsAddress}/30`, 'dev', nsIf);
      ip('-n', link.netns, 'link', 'set', nsIf, 'up');
      ip('-n', link.netns, 'link', 'set', 'lo', 'up');
      ip('route', 'add', link.podNetwork, 'via', link.nsAddress, 'dev', link.hostIf);
      ip('-n', link.netns, 'route', 'add', 'local', link.podNetwork, 'dev', 'lo');
    } catch (error) {
      removeNetnsLink(link);
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`fake kubelet: could not make network namespace ${link.netns}: ${stderr ?? String(error)}`, { cause: error });
    }
    return link;
  }
  throw new Error('fake kubelet: no free 198.18.0.0/15 block in 50 attempts');
}

function removeNetnsLink(link: NetnsLink): void {
  for (const args of [
    ['link', 'delete', link.hostIf],
    ['netns', 'delete', link.netns],
  ]) {
    try {
      execFileSync('ip', args, { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}

/**
 * Plain TCP forwarding from the namespace's address to the TLS servers on the host end of the veth pair. Runs as
 * `ip netns exec NS setpriv --pdeathsig KILL node -e …`: dies with the test process, and also when its stdin closes.
 */
const FORWARDER = `
const net = require('node:net');
const routes = JSON.parse(process.argv[1]);
let listening = 0;
for (const route of routes) {
  net.createServer((client) => {
    const upstream = net.connect(route.to[1], route.to[0]);
    client.pipe(upstream); upstream.pipe(client);
    client.on('error', () => upstream.destroy()); upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy()); upstream.on('close', () => client.destroy());
  }).listen(route.listen[1], route.listen[0], () => { if (++listening === routes.length) process.stdout.write('ready\\n'); });
}
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/**
 * The pods' metrics ports: an HTTP server on every address of the namespace (0.0.0.0) for each port, passing each
 * request to the test process's server on the host with the pod address and port it came to. Runs like FORWARDER.
 */
const RELAY = `
const http = require('node:http');
const [ports, to] = JSON.parse(process.argv[1]);
let listening = 0;
for (const port of ports) {
  http.createServer((request, response) => {
    const headers = { ...request.headers, 'x-meshtax-pod-ip': request.socket.localAddress.replace(/^::ffff:/, ''), 'x-meshtax-pod-port': String(port) };
    const upstream = http.request({ host: to[0], port: to[1], method: request.method, path: request.url, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', (error) => { response.writeHead(502); response.end(String(error)); });
    request.pipe(upstream);
  }).listen(port, '0.0.0.0', () => { if (++listening === ports.length) process.stdout.write('ready\\n'); });
}
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

function startForwarder(netns: string, routes: unknown[]): Promise<ChildProcess> {
  return startInNetns(netns, FORWARDER, routes, 'forwarder');
}

/** Runs a script in the namespace (`ip netns exec NS setpriv --pdeathsig KILL node -e SCRIPT ARG`) until it says ready. */
async function startInNetns(netns: string, script: string, argument: unknown, what: string): Promise<ChildProcess> {
  const child = spawn(
    'ip',
    ['netns', 'exec', netns, 'setpriv', '--pdeathsig', 'KILL', process.execPath, '-e', script, JSON.stringify(argument)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  await untilReady(child, `fake kubelet: ${what} in ${netns}`);
  return child;
}

// ------------------------------------------------------------------------------------------------ node simulator

export interface NodeSimulator {
  stop(): Promise<void>;
}

export interface NodeSimulatorOptions {
  kubeConfig: k8s.KubeConfig;
  nodes: string[];
  kubelet: FakeKubelet;
  /** Extra labels for every node. */
  labels?: Record<string, string>;
  /** CPU and memory capacity (= allocatable) of every node. Default: 32 CPUs, 64Gi. */
  capacity?: { cpu: string; memory: string };
  /** status.nodeInfo.kubeletVersion per node. Default: v1.37.2-fake. */
  kubeletVersions?: Record<string, string>;
}

const HEARTBEAT_MS = 10_000;
const RESYNC_MS = 2_000;

/**
 * What kubelets would do for the fake nodes: registers them (Ready, schedulable, ample capacity), renews their
 * leases and Ready heartbeats, turns pods bound to them Running with every container ready (init containers
 * completed), and removes pods being deleted (a kubelet confirms a graceful deletion by deleting with grace 0).
 */
export async function startNodeSimulator(options: NodeSimulatorOptions): Promise<NodeSimulator> {
  const { kubeConfig, nodes, kubelet } = options;
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  const coordination = kubeConfig.makeApiClient(k8s.CoordinationV1Api);
  const ours = new Set(nodes);
  const podIps = new Map<string, string>();
  let stopped = false;
  let watch: AbortController | undefined;
  const inFlight = new Set<string>();
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

  const nodeStatus = (node: string): k8s.V1NodeStatus => {
    const now = new Date();
    return {
      capacity: { cpu: '32', memory: '64Gi', ...options.capacity, pods: '250', 'ephemeral-storage': '100Gi' },
      allocatable: { cpu: '32', memory: '64Gi', ...options.capacity, pods: '250', 'ephemeral-storage': '100Gi' },
      addresses: [
        { type: 'InternalIP', address: kubelet.address },
        { type: 'Hostname', address: node },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: kubelet.portFor(node) } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: 'fake://1.0.0',
        kernelVersion: '',
        kubeProxyVersion: '',
        kubeletVersion: options.kubeletVersions?.[node] ?? 'v1.37.2-fake',
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'meshtax fake node',
        systemUUID: '',
      },
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'fake kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now },
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: now, lastTransitionTime: now },
        { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', lastHeartbeatTime: now, lastTransitionTime: now },
        { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
    };
  };

  const heartbeat = async (node: string): Promise<void> => {
    const now = new Date();
    await core.patchNodeStatus({ name: node, body: { status: nodeStatus(node) } }, merge);
    // MicroTime wants exactly six fractional digits, which the client's Date serialisation does not give: send
    // the lease's renewTime as a string in a merge patch.
    const renewTime = now.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    const body = { spec: { holderIdentity: node, leaseDurationSeconds: 40, renewTime } };
    try {
      await coordination.patchNamespacedLease({ name: node, namespace: 'kube-node-lease', body }, merge);
    } catch (error) {
      if (!(error instanceof k8s.ApiException) || error.code !== 404) throw error;
      await coordination.createNamespacedLease({ namespace: 'kube-node-lease', body: { metadata: { name: node, namespace: 'kube-node-lease' } } });
      await coordination.patchNamespacedLease({ name: node, namespace: 'kube-node-lease', body }, merge);
    }
  };

  for (const node of nodes) {
    await core.createNode({
      body: {
        metadata: {
          name: node,
          labels: {
            'kubernetes.io/hostname': node,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'meshtax.dev/fake-node': 'true',
            ...options.labels,
          },
        },
        spec: {},
      },
    });
    await heartbeat(node);
    // The TaintNodesByCondition admission plugin taints a new node not-ready; the node lifecycle controller lifts
    // it on its next pass (up to 5 s) once it sees the Ready condition. A fresh, Ready node: lift it now.
    await core.patchNode({ name: node, body: { spec: { taints: null } } }, merge);
  }

  const podIp = (pod: k8s.V1Pod): string => {
    const key = pod.metadata?.uid ?? '';
    let ip = podIps.get(key);
    if (!ip) {
      // The kubelet's pod network when it has one (netns); else 198.19.0.0/16 addresses nothing can reach, which
      // only fill pod status.
      const n = podIps.size + 2;
      ip = kubelet.podAddress(podIps.size) ?? `198.19.${(n >> 8) & 255}.${n & 255}`;
      podIps.set(key, ip);
    }
    return ip;
  };

  const handlePod = async (pod: k8s.V1Pod): Promise<void> => {
    const name = pod.metadata?.name;
    const namespace = pod.metadata?.namespace;
    const node = pod.spec?.nodeName;
    if (!name || !namespace || !node || !ours.has(node)) return;
    const key = `${namespace}/${name}/${pod.metadata?.uid ?? ''}`;
    if (inFlight.has(key)) return;
    inFlight.add(key);
    try {
      if (pod.metadata?.deletionTimestamp) {
        await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } } });
        return;
      }
      if (pod.status?.phase === 'Running' && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
      const now = new Date();
      const started = pod.status?.startTime ?? now;
      const condition = (type: string): k8s.V1PodCondition => ({ type, status: 'True', lastTransitionTime: now });
      const containerId = (container: string): string => `fake://${pod.metadata?.uid ?? name}/${container}`;
      const ip = pod.spec?.hostNetwork ? kubelet.address : podIp(pod);
      const containerStatus = (container: k8s.V1Container, state: k8s.V1ContainerState): k8s.V1ContainerStatus => ({
        name: container.name,
        image: container.image ?? '',
        imageID: `fake://${container.image ?? ''}`,
        containerID: containerId(container.name),
        ready: true,
        started: true,
        restartCount: 0,
        state,
      });
      const status: k8s.V1PodStatus = {
        phase: 'Running',
        hostIP: kubelet.address,
        hostIPs: [{ ip: kubelet.address }],
        podIP: ip,
        podIPs: [{ ip }],
        startTime: started,
        qosClass: pod.status?.qosClass,
        conditions: ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled'].map(condition),
        initContainerStatuses: (pod.spec?.initContainers ?? []).map((container) =>
          // Native sidecars (restartPolicy Always) keep running; other init containers have completed.
          container.restartPolicy === 'Always'
            ? containerStatus(container, { running: { startedAt: now } })
            : { ...containerStatus(container, { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now, containerID: containerId(container.name) } }), started: false },
        ),
        containerStatuses: (pod.spec?.containers ?? []).map((container) => containerStatus(container, { running: { startedAt: now } })),
      };
      await core.patchNamespacedPodStatus({ name, namespace, body: { metadata: { uid: pod.metadata?.uid }, status } }, merge);
    } catch (error) {
      if (process.env.MESHTAX_KUBE_DEBUG) console.warn(`node simulator: pod ${namespace}/${name}: ${String(error)}`);
      // 404/409: the pod went or changed meanwhile; the next event or resync handles it.
      if (!(error instanceof k8s.ApiException) || (error.code !== 404 && error.code !== 409 && error.code !== 422)) {
        if (!stopped) console.warn(`node simulator: pod ${namespace}/${name}: ${String(error)}`);
      }
    } finally {
      inFlight.delete(key);
    }
  };

  const resync = async (): Promise<void> => {
    const pods = await core.listPodForAllNamespaces({});
    await Promise.all(pods.items.map(handlePod));
  };

  const startWatch = async (): Promise<void> => {
    if (stopped) return;
    try {
      watch = await new k8s.Watch(kubeConfig).watch(
        '/api/v1/pods',
        { allowWatchBookmarks: false },
        (_phase: string, object: unknown) => {
          void handlePod(object as k8s.V1Pod);
        },
        () => {
          if (!stopped) setTimeout(() => void startWatch(), 200);
        },
      );
    } catch {
      if (!stopped) setTimeout(() => void startWatch(), 500);
    }
  };
  await startWatch();
  await resync();

  const stopping = new AbortController();
  const loop = async (): Promise<void> => {
    let lastHeartbeat = Date.now();
    while (!stopped) {
      await sleep(RESYNC_MS, undefined, { signal: stopping.signal }).catch(() => undefined);
      if (stopped) break;
      try {
        await resync();
        if (Date.now() - lastHeartbeat >= HEARTBEAT_MS) {
          lastHeartbeat = Date.now();
          await Promise.all(nodes.map(heartbeat));
        }
      } catch (error) {
        if (!stopped) console.warn(`node simulator: ${String(error)}`);
      }
    }
  };
  const looping = loop();

  return {
    async stop() {
      stopped = true;
      stopping.abort();
      watch?.abort();
      await looping;
    },
  };
}
