/**
 * A real Kubernetes node beside startControlPlane's control plane (cluster.ts): containerd with Debian's runc and the
 * CNI plugins, the kubelet and kube-proxy, all built by scripts/kube-test-env/build.sh, running real containers of
 * the images scripts/kube-test-env/node-image.sh writes (Node and pause, imported into containerd, no registry).
 *
 *   const plane = await startControlPlane({ serviceCidr: SERVICE_CIDR });
 *   const node = await startRealNode(plane);
 *   … meshtax run with KUBECONFIG=plane.kubeconfigPath, kubernetes.image=node.image …
 *   await node.stop(); await plane.stop();
 *
 * Everything the node does stays in namespaces the helper makes and removes:
 * - network: `mnode-PID-XXXX` (ip netns) with a veth pair to the host carrying a /30 of 198.18.0.0/15 (the node's
 *   InternalIP inside, which the API server reaches for logs and /metrics/resource). The CNI bridge, the pods' /24
 *   of 198.19.0.0/16 and kube-proxy's iptables rules (service range SERVICE_CIDR) exist only in it. The kubelet and
 *   kube-proxy reach the API server (on the host's loopback) through a TCP forwarder on the host end of the veth.
 * - mount and PID: one `unshare` holds them, every component enters them (nsenter). Killing the namespace's first
 *   process kills everything in it, containerd's shims and the containers included, and its mount namespace takes
 *   the overlay, proc and sysctl mounts with it.
 * - cgroups: the kubelet's cgroupRoot `/meshtax-node-PID-XXXX` in every cgroup hierarchy, removed on stop().
 *
 * cgroup v1: this machine mounts the v1 controllers at /sys/fs/cgroup (a v2 hierarchy at /sys/fs/cgroup/unified has
 * only hugetlb), so the kubelet runs with `failCgroupV1: false` (its default, true, refuses v1 since 1.35:
 * k8s.io/kubernetes pkg/kubelet/apis/config/validation/validation_linux.go:35) and the cgroupfs driver.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { Fatal, waitFor } from '../poll.ts';
import { type ControlPlane, kubeCacheDir, killChild, waitForDefaultServiceAccount } from './cluster.ts';
import { alive } from './kubelet.ts';
import { untilReady } from './ready-line.ts';

/** The service range the control plane must be started with for this node (inside 198.18.0.0/15). */
export const SERVICE_CIDR = '198.18.252.0/22';
/** The node's image for meshtax's pods and the pod sandbox image, imported into containerd under these names. */
export const NODE_IMAGE = 'meshtax.local/node:test';
export const PAUSE_IMAGE = 'meshtax.local/pause:test';
const CLUSTER_DOMAIN = 'cluster.local';

export interface RealNode {
  name: string;
  /** The node's InternalIP (inside the node's network namespace). */
  address: string;
  netns: string;
  /** The image for kubernetes.image. */
  image: string;
  logDir: string;
  /** `crictl ARGS` against the node's containerd, in the node's namespaces; its stdout. */
  crictl(args: string[]): string;
  /** Stops every process of the node, removes its namespaces, cgroups and files. Idempotent. */
  stop(): Promise<void>;
  /** What of the node exists on the host: its network namespace, host veth, cgroups and temp dir (none after stop()). */
  leftovers(): string[];
}

const CACHE = (): string => kubeCacheDir();
const bin = (name: string): string => path.join(CACHE(), 'bin', name);
const nodeBin = (name: string): string => path.join(CACHE(), 'node', 'bin', name);
const cniDir = (): string => path.join(CACHE(), 'node', 'cni');

function missingPieces(): string[] {
  const files = [bin('kubelet'), bin('kube-proxy'), ...['containerd', 'containerd-shim-runc-v2', 'ctr', 'crictl', 'coredns', 'pause'].map(nodeBin), ...['bridge', 'host-local', 'loopback', 'portmap'].map((p) => path.join(cniDir(), p))];
  const missing = files.filter((file) => !existsSync(file));
  for (const tool of ['runc', 'nsenter', 'unshare', 'iptables']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      missing.push(tool);
    }
  }
  return missing;
}

/**
 * The cgroup hierarchies mounted under /sys/fs/cgroup, from /proc/self/mounts: the v1 controllers' and the v2
 * hierarchy beside them (/sys/fs/cgroup/unified), where runc's cgroup v1 manager creates each container's cgroup too.
 */
function cgroupHierarchies(): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => (fields[2] === 'cgroup' || fields[2] === 'cgroup2') && fields[1]?.startsWith('/sys/fs/cgroup/'))
    .map((fields) => fields[1]!);
}

/** Processes and state of every live node of this process, removed synchronously if it exits without stop(). */
const liveCleanups = new Set<() => void>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const cleanup of liveCleanups) cleanup();
  });
}

/** Namespaces `mnode-PID-XXXX`, cgroups `meshtax-node-PID-XXXX` and temp dirs `meshtax-node-PID-*` of test processes that are gone. */
function sweepStale(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const pid = /^meshtax-node-(\d+)-/.exec(name)?.[1];
    if (pid && !alive(Number(pid))) rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
  for (const line of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n')) {
    const match = /^(mnode-(\d+)-[0-9a-f]{4})\b/.exec(line);
    if (match?.[1] && !alive(Number(match[2]))) ipQuiet('netns', 'delete', match[1]);
  }
  for (const hierarchy of cgroupHierarchies()) {
    for (const name of readdirSync(hierarchy)) {
      const pid = /^meshtax-node-(\d+)-[0-9a-f]{4}$/.exec(name)?.[1];
      if (pid && !alive(Number(pid))) removeCgroupTree(path.join(hierarchy, name));
    }
  }
}

function ipQuiet(...args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

/** rmdir depth-first; a cgroup with a process still exiting stays (false). */
function removeCgroupTree(dir: string): boolean {
  if (!existsSync(dir)) return true;
  let ok = true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) ok = removeCgroupTree(path.join(dir, entry.name)) && ok;
  }
  try {
    rmdirSync(dir);
  } catch {
    ok = false;
  }
  return ok;
}

interface Link {
  netns: string;
  hostIf: string;
  hostAddress: string;
  nodeAddress: string;
  podCidr: string;
  tag: string;
}

/** Whether two IPv4 CIDR blocks share an address. */
function cidrsOverlap(a: string, b: string): boolean {
  const parse = (cidr: string): [number, number] => {
    const [address, bits] = cidr.split('/');
    const value = address!.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
    return [value, Number(bits ?? 32)];
  };
  const [x, xBits] = parse(a);
  const [y, yBits] = parse(b);
  const span = 2 ** (32 - Math.min(xBits, yBits));
  return Math.floor(x / span) === Math.floor(y / span);
}

/**
 * A namespace and veth pair with a /30 of 198.18.0.0/15 no interface here uses, and a pod /24 of 198.19.0.0/16 no
 * route of the host's (a fake kubelet's pod network, kubelet.ts) overlaps.
 */
function createLink(): Link {
  const used = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' });
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  const routed = [...execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' }).matchAll(/^(198\.19\.\d+\.\d+\/\d+)/gm)].map((m) => m[1]!);
  for (let attempt = 0; attempt < 50; attempt++) {
    const tag = randomInt(0x10000).toString(16).padStart(4, '0');
    // The /30 from 198.18.0.0-198.18.247.255 (SERVICE_CIDR is above). The pods' /24 exists only inside the node's
    // namespace, so a fake kubelet's host route to a /22 of 198.19.0.0/16 (kubelet.ts) never meets it.
    const prefix = `198.18.${randomInt(248)}.`;
    const base = randomInt(64) * 4;
    if ([0, 1, 2, 3].some((offset) => used.includes(` ${prefix}${base + offset}/`)) || namespaces.includes(`-${tag}`)) continue;
    const link: Link = {
      netns: `mnode-${process.pid}-${tag}`,
      hostIf: `mnode${tag}h`,
      hostAddress: `${prefix}${base + 1}`,
      nodeAddress: `${prefix}${base + 2}`,
      podCidr: `198.19.${192 + randomInt(64)}.0/24`,
      tag,
    };
    if (routed.some((route) => cidrsOverlap(route, link.podCidr))) continue;
    const ip = (...args: string[]): void => {
      execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    };
    try {
      ip('netns', 'add', link.netns);
      ip('link', 'add', link.hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', link.netns);
      ip('addr', 'add', `${link.hostAddress}/30`, 'dev', link.hostIf);
      ip('link', 'set', link.hostIf, 'up');
      ip('-n', link.netns, 'addr', 'add', `${link.nodeAddress}/30`, 'dev', 'eth0');
      ip('-n', link.netns, 'link', 'set', 'eth0', 'up');
      ip('-n', link.netns, 'link', 'set', 'lo', 'up');
      ip('-n', link.netns, 'route', 'add', 'default', 'via', link.hostAddress);
    } catch (error) {
      ipQuiet('link', 'delete', link.hostIf);
      ipQuiet('netns', 'delete', link.netns);
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`real node: could not make network namespace ${link.netns}: ${stderr ?? String(error)}`, { cause: error });
    }
    return link;
  }
  throw new Error('real node: no free 198.18.0.0/15 block in 50 attempts');
}

/**
 * The kubelet sets six kernel tunables when they differ from what it wants (vm.overcommit_memory=1,
 * kernel.panic=10, kernel.panic_on_oops=1, …: pkg/kubelet/cm/container_manager_linux.go:477-521), or refuses to start
 * with protectKernelDefaults. These are host-wide, so the node's mount namespace shows the kubelet files with the
 * values it expects instead (bind mounts over /proc/sys, gone with the namespace), and the host keeps its own.
 */
const KERNEL_TUNABLES: Record<string, number> = {
  'vm/overcommit_memory': 1,
  'vm/panic_on_oom': 0,
  'kernel/panic': 10,
  'kernel/panic_on_oops': 1,
  'kernel/keys/root_maxkeys': 1000000,
  'kernel/keys/root_maxbytes': 25000000,
};

export interface RealNodeOptions {
  name?: string;
  /**
   * Route the node's pod /24 from the host to the node, so the API server (on the host) reaches pod addresses as it
   * does in a real cluster: its pod proxy (`pods/NAME:PORT/proxy/...`) dials the pod's IP. The route goes with the
   * host's veth end on stop().
   */
  routePods?: boolean;
}

export async function startRealNode(plane: ControlPlane, options: RealNodeOptions = {}): Promise<RealNode> {
  const missing = missingPieces();
  if (missing.length > 0) {
    throw new Error(`real node: missing ${missing.join(', ')}. Build the node once with: bash scripts/kube-test-env/build.sh (runc: apt-get install runc)`);
  }
  installExitHook();
  sweepStale();
  const name = options.name ?? 'node-a';
  const dir = mkdtempSync(path.join(os.tmpdir(), `meshtax-node-${process.pid}-`));
  const logDir = path.join(dir, 'logs');
  mkdirSync(logDir);
  const link = createLink();
  if (options.routePods) {
    try {
      execFileSync('ip', ['route', 'add', link.podCidr, 'via', link.nodeAddress, 'dev', link.hostIf], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      ipQuiet('link', 'delete', link.hostIf);
      ipQuiet('netns', 'delete', link.netns);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`real node: could not route ${link.podCidr} to the node: ${(error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error)}`, { cause: error });
    }
  }
  const cgroupRoot = `meshtax-node-${process.pid}-${link.tag}`;
  const children: ChildProcess[] = [];
  let holder: ChildProcess | undefined;
  let forwarder: net.Server | undefined;
  let stopped = false;

  const killNamespace = (): void => {
    // The first process of the PID namespace: its death makes the kernel kill every process in the namespace.
    const pid1 = holder?.pid ? firstChild(holder.pid) : undefined;
    if (pid1) {
      try {
        process.kill(pid1, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  };
  const cleanupSync = (): void => {
    killNamespace();
    holder?.kill('SIGKILL');
    for (const hierarchy of cgroupHierarchies()) removeCgroupTree(path.join(hierarchy, cgroupRoot));
    ipQuiet('link', 'delete', link.hostIf);
    ipQuiet('netns', 'delete', link.netns);
    rmSync(dir, { recursive: true, force: true });
  };
  liveCleanups.add(cleanupSync);

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    killNamespace();
    for (const child of [...children, ...(holder ? [holder] : [])]) await killChild(child);
    forwarder?.close();
    // Processes killed with the namespace leave their cgroups once the kernel has reaped them: bounded retries.
    for (let attempt = 0; attempt < 50; attempt++) {
      if (cgroupHierarchies().every((hierarchy) => removeCgroupTree(path.join(hierarchy, cgroupRoot)))) break;
      await sleep(100);
    }
    ipQuiet('link', 'delete', link.hostIf);
    ipQuiet('netns', 'delete', link.netns);
    rmSync(dir, { recursive: true, force: true });
    liveCleanups.delete(cleanupSync);
  };

  try {
    // ---- cgroup root in every hierarchy; cpuset needs its cpus and mems before a process or child can join.
    for (const hierarchy of cgroupHierarchies()) {
      const root = path.join(hierarchy, cgroupRoot);
      mkdirSync(root);
      if (hierarchy.endsWith('/cpuset')) {
        for (const file of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(path.join(root, file), readFileSync(path.join(hierarchy, file)));
      }
    }

    // ---- the API server for the node: a forwarder on the host end of the veth to its loopback port
    const apiPort = Number(new URL(plane.server).port);
    forwarder = net.createServer((client) => {
      const upstream = net.connect(apiPort, '127.0.0.1');
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    const server = forwarder;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, link.hostAddress, () => resolve());
    });
    const forwardPort = (forwarder.address() as net.AddressInfo).port;
    const kubeconfig = path.join(dir, 'kubeconfig');
    // The API server's self-signed certificate names kubernetes (and 127.0.0.1), not the veth address: tls-server-name.
    writeFileSync(kubeconfig, kubeconfigYaml(`https://${link.hostAddress}:${forwardPort}`, plane.caPem, plane.token), { mode: 0o600 });

    // ---- files
    const sock = path.join(dir, 'containerd', 'containerd.sock');
    const cniConf = path.join(dir, 'cni', 'net.d');
    mkdirSync(cniConf, { recursive: true });
    writeFileSync(path.join(cniConf, '10-meshtax.conflist'), JSON.stringify(cniConfig(link.podCidr, path.join(dir, 'cni', 'ipam')), null, 2));
    writeFileSync(path.join(dir, 'containerd.toml'), containerdConfig(dir, sock, cniConf));
    writeFileSync(path.join(dir, 'kubelet.yaml'), kubeletConfig(dir, sock, link.nodeAddress, cgroupRoot));
    writeFileSync(path.join(dir, 'Corefile'), corefile(link.nodeAddress, kubeconfig));
    writeFileSync(path.join(dir, 'kube-proxy.yaml'), kubeProxyConfig(kubeconfig, name, link.podCidr));
    const tunables = path.join(dir, 'tunables');
    mkdirSync(tunables);
    const binds: string[] = [];
    for (const [key, value] of Object.entries(KERNEL_TUNABLES)) {
      const file = path.join(tunables, key.replaceAll('/', '.'));
      writeFileSync(file, `${value}\n`);
      binds.push(file, `/proc/sys/${key}`);
    }

    // ---- the namespaces' holder: `unshare` makes the PID and mount namespaces (in the node's network namespace),
    // its child (PID 1 there) mounts a fresh /proc, binds the tunables, and runs pause, which reaps orphans.
    // Fresh tmpfs over /run and /var/lib: containerd keeps its shims' sockets and fifos under /run/containerd and
    // the pods' network namespaces under /run/netns whatever its state dir, and libcni caches results in
    // /var/lib/cni; in the node's mount namespace they never reach the host's (every other directory of the node
    // is under its temp dir).
    const holderScript =
      'mount -t tmpfs -o mode=755 tmpfs /run && mount -t tmpfs -o mode=755 tmpfs /var/lib || exit 1; ' +
      'while [ $# -gt 0 ]; do mount --bind "$1" "$2" || exit 1; shift 2; done; echo ready; exec "$PAUSE"';
    holder = spawn(
      'setpriv',
      ['--pdeathsig', 'KILL', 'nsenter', `--net=/run/netns/${link.netns}`, 'unshare', '--pid', '--fork', '--kill-child', '--mount', '--propagation', 'private', '--mount-proc', 'sh', '-c', holderScript, 'holder', ...binds],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PAUSE: nodeBin('pause') } },
    );
    const holderProcess = holder;
    await untilReady(holderProcess, 'real node: namespace holder');
    const pid1 = firstChild(holderProcess.pid ?? 0);
    if (!pid1) throw new Error('real node: no first process in the node namespaces');
    const enter = ['nsenter', '-t', String(pid1), '--mount', '--pid', '--net', '--'];
    // Pod-to-pod traffic on the bridge goes through iptables (kube-proxy's DNAT replies), and pods route via the node.
    execFileSync('setpriv', ['--pdeathsig', 'KILL', ...enter, 'sh', '-c', 'sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.ipv4.ip_forward=1'], { stdio: 'pipe' });

    const run = (component: string, file: string, args: string[]): ChildProcess => {
      const log = createWriteStream(path.join(logDir, `${component}.log`));
      const child = spawn('setpriv', ['--pdeathsig', 'KILL', ...enter, file, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
      children.push(child);
      child.once('exit', (code, signal) => {
        if (!stopped) console.warn(`real node: ${component} exited (${code ?? signal}); log: ${path.join(logDir, `${component}.log`)}`);
      });
      return child;
    };
    const failIfDead = (): void => {
      const dead = children.find((child) => child.exitCode !== null || child.signalCode !== null);
      if (dead) throw new Fatal(`${dead.spawnargs.at(enter.length + 3) ?? 'a component'} exited (${dead.exitCode ?? dead.signalCode}) during start; logs: ${logDir}`);
    };

    // ---- containerd, then the images (no registry: an OCI archive from node-image.sh)
    run('containerd', nodeBin('containerd'), ['--config', path.join(dir, 'containerd.toml')]);
    const ctr = (args: string[]): string => execFileSync('setpriv', ['--pdeathsig', 'KILL', ...enter, nodeBin('ctr'), '--address', sock, '--namespace', 'k8s.io', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    await waitFor('containerd socket', 30_000, () => {
      failIfDead();
      if (!existsSync(sock)) return false;
      ctr(['version']);
      return true;
    });
    const archive = path.join(dir, 'images.tar');
    const repo = path.resolve(import.meta.dirname, '..', '..', '..');
    execFileSync('bash', [path.join(repo, 'scripts', 'kube-test-env', 'node-image.sh'), archive, NODE_IMAGE, PAUSE_IMAGE, nodeBin('pause')], { stdio: ['ignore', 'ignore', 'pipe'] });
    ctr(['images', 'import', '--platform', 'linux/amd64', archive]);
    rmSync(archive);

    // ---- kubelet and kube-proxy
    run('kubelet', bin('kubelet'), [
      `--config=${path.join(dir, 'kubelet.yaml')}`,
      `--kubeconfig=${kubeconfig}`,
      `--root-dir=${path.join(dir, 'kubelet')}`,
      `--cert-dir=${path.join(dir, 'kubelet', 'pki')}`,
      `--hostname-override=${name}`,
      `--node-ip=${link.nodeAddress}`,
      '--v=1',
    ]);
    run('kube-proxy', bin('kube-proxy'), [`--config=${path.join(dir, 'kube-proxy.yaml')}`, '--v=1']);
    run('coredns', nodeBin('coredns'), ['-conf', path.join(dir, 'Corefile')]);

    const kc = plane.kubeConfig();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await waitFor(`node ${name} Ready`, 90_000, async () => {
      failIfDead();
      try {
        const node = await core.readNode({ name });
        return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      } catch {
        return false;
      }
    });
    await waitForDefaultServiceAccount(kc);
    const crictl = (args: string[]): string =>
      execFileSync('setpriv', ['--pdeathsig', 'KILL', ...enter, nodeBin('crictl'), '--runtime-endpoint', `unix://${sock}`, '--image-endpoint', `unix://${sock}`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const leftovers = (): string[] => [
      ...(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(link.netns) ? [`netns ${link.netns}`] : []),
      ...(existsSync(`/sys/class/net/${link.hostIf}`) ? [`link ${link.hostIf}`] : []),
      ...cgroupHierarchies().filter((hierarchy) => existsSync(path.join(hierarchy, cgroupRoot))).map((hierarchy) => `cgroup ${path.join(hierarchy, cgroupRoot)}`),
      ...(existsSync(dir) ? [`dir ${dir}`] : []),
    ];
    return { name, address: link.nodeAddress, netns: link.netns, image: NODE_IMAGE, logDir, crictl, stop, leftovers };
  } catch (error) {
    const tails = ['containerd', 'kubelet', 'kube-proxy', 'coredns']
      .map((component) => {
        const file = path.join(logDir, `${component}.log`);
        return existsSync(file) ? `--- ${component}.log (tail)\n${readFileSync(file, 'utf8').split('\n').slice(-20).join('\n')}` : '';
      })
      .join('\n');
    await stop();
    throw new Error(`real node failed to start: ${String(error)}\n${tails}`, { cause: error });
  }
}

/** The first child of a process of ours (unshare's forked child, PID 1 of the new PID namespace). */
function firstChild(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children[0] ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

function kubeconfigYaml(server: string, caPem: string, token: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'node',
    clusters: [{ name: 'node', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64'), 'tls-server-name': 'kubernetes' } }],
    users: [{ name: 'node', user: { token } }],
    contexts: [{ name: 'node', context: { cluster: 'node', user: 'node' } }],
  });
}

/** A bridge in the node's namespace, host-local addresses from the pod /24, masquerade for traffic leaving it. */
function cniConfig(podCidr: string, ipamDir: string): unknown {
  return {
    cniVersion: '1.0.0',
    name: 'meshtax',
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: { type: 'host-local', dataDir: ipamDir, ranges: [[{ subnet: podCidr }]], routes: [{ dst: '0.0.0.0/0' }] },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

/**
 * containerd 2.x configuration (version 3): own root, state, socket and runc state; CRI with runc, the CNI plugins,
 * the local pause image. restrict_oom_score_adj: the kubelet asks for -998 for sandboxes and -997 for Guaranteed
 * containers, and lowering oom_score_adj needs CAP_SYS_RESOURCE, which root lacks on these machines (CapEff
 * 000001fffeffffff, bit 24 clear; runc init then fails with "failed to update /proc/self/oom_score_adj: Permission
 * denied"); with it, containerd raises such values to its own (0), as it does for rootless setups.
 */
function containerdConfig(dir: string, sock: string, cniConf: string): string {
  const runc = execFileSync('sh', ['-c', 'command -v runc'], { encoding: 'utf8' }).trim();
  return `version = 3
root = ${JSON.stringify(path.join(dir, 'containerd', 'root'))}
state = ${JSON.stringify(path.join(dir, 'containerd', 'state'))}
[grpc]
  address = ${JSON.stringify(sock)}
[ttrpc]
  address = ${JSON.stringify(`${sock}.ttrpc`)}
[debug]
  level = "warn"
[plugins."io.containerd.internal.v1.opt"]
  path = ${JSON.stringify(path.join(dir, 'containerd', 'opt'))}
[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = ${JSON.stringify(PAUSE_IMAGE)}
[plugins."io.containerd.cri.v1.runtime"]
  restrict_oom_score_adj = true
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = [${JSON.stringify(cniDir())}]
    conf_dir = ${JSON.stringify(cniConf)}
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = ${JSON.stringify(runc)}
        Root = ${JSON.stringify(path.join(dir, 'containerd', 'runc'))}
        SystemdCgroup = false
[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
`;
}

/**
 * The kubelet: cgroup v1 allowed (failCgroupV1: false, see the header), cgroupfs under its own cgroupRoot, its
 * endpoint on the node's address with anonymous access (the API server's proxy presents no client certificate here),
 * no host DNS, eviction thresholds low enough for a shared test machine, and kernel defaults protected (see
 * KERNEL_TUNABLES).
 */
function kubeletConfig(dir: string, sock: string, address: string, cgroupRoot: string): string {
  return JSON.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: `/${cgroupRoot}`,
    containerRuntimeEndpoint: `unix://${sock}`,
    address,
    port: 10250,
    readOnlyPort: 0,
    healthzPort: 0,
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    failSwapOn: false,
    protectKernelDefaults: true,
    podLogsDir: path.join(dir, 'pod-logs'),
    resolvConf: '',
    clusterDNS: [address],
    clusterDomain: CLUSTER_DOMAIN,
    evictionHard: { 'memory.available': '1Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    staticPodPath: '',
    registerNode: true,
  });
}

/**
 * The cluster DNS: CoreDNS's kubernetes plugin answers for Services and pods of CLUSTER_DOMAIN from the API server
 * (the node's kubeconfig), on the node's address, which the kubelet gives pods as their nameserver (clusterDNS).
 * It runs as a process of the node, beside kube-proxy, not as a pod: it is the cluster's plumbing, not under test.
 */
function corefile(address: string, kubeconfig: string): string {
  return `${CLUSTER_DOMAIN}:53 in-addr.arpa:53 {
  bind ${address}
  errors
  kubernetes ${CLUSTER_DOMAIN} in-addr.arpa {
    kubeconfig ${kubeconfig} node
    pods insecure
  }
  cache 5
}
`;
}

/** kube-proxy in iptables mode in the node's namespace; it leaves the host-wide conntrack sysctls alone (0 = keep). */
function kubeProxyConfig(kubeconfig: string, name: string, podCidr: string): string {
  return JSON.stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig },
    hostnameOverride: name,
    clusterCIDR: podCidr,
    bindAddress: '0.0.0.0',
    healthzBindAddress: '',
    metricsBindAddress: '127.0.0.1:10249',
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}
