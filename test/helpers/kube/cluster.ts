/**
 * A real Kubernetes control plane for tests, on loopback: etcd, kube-apiserver (HTTPS, static token, RBAC,
 * default admission incl. PodSecurity), kube-controller-manager and kube-scheduler, built from source by
 * scripts/kube-test-env/build.sh. startCluster's nodes are fake: test/helpers/kube/kubelet.ts keeps them Ready, runs
 * their pods (status only) and serves their kubelet endpoint (pod logs, node proxy) from the test process.
 * startControlPlane starts the control plane alone, for a real node (test/helpers/kube/node.ts).
 *
 *   const cluster = await startCluster({ nodes: ['node-a', 'node-b'] });
 *   const kc = new k8s.KubeConfig(); kc.loadFromFile(cluster.kubeconfigPath);
 *   cluster.kubelet.onLogs((request, response) => { … });
 *   await cluster.stop();
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { Fatal, waitFor } from '../poll.ts';
import { closedPort } from '../servers.ts';
import { startFakeKubelet, startNodeSimulator } from './kubelet.ts';
import type { FakeKubelet, KubeletNetwork, NodeSimulator } from './kubelet.ts';

export const KUBE_VERSION = process.env.MESHTAX_K8S_VERSION ?? 'v1.37.2';
export const CONTEXT = 'meshtax-test';

export interface ControlPlaneOptions {
  /** Apply the Gateway API standard CRDs. Default: true. */
  gatewayApi?: boolean;
  /** The API server's --service-cluster-ip-range. Default: 10.96.0.0/16 (never routed: the fake nodes run nothing). */
  serviceCidr?: string;
}

export interface ClusterOptions extends ControlPlaneOptions {
  /** Names of the fake nodes. Default: one node, `node-a`. */
  nodes?: string[];
  /** Where the fake kubelet's address lives (see kubelet.ts). Default: netns when root, else loopback. */
  kubeletNetwork?: KubeletNetwork;
  /** Capacity (= allocatable) of every fake node, e.g. `{ cpu: '4', memory: '16Gi' }`. Default: 32 CPUs, 64Gi. */
  nodeCapacity?: { cpu: string; memory: string };
  /**
   * The kubelet version a node reports, per node (default v1.37.2-fake). istiod injects classic sidecars (istio-proxy
   * a regular container) when a node's kubelet is older than 1.33 (istio/istio pkg/kube/inject/webhook.go:1308-1357).
   */
  kubeletVersions?: Record<string, string>;
}

export interface ControlPlane {
  /** A kubeconfig with one context, `meshtax-test`: server https://127.0.0.1:PORT, the admin token, the CA. */
  kubeconfigPath: string;
  context: string;
  server: string;
  /** The admin bearer token (group system:masters). */
  token: string;
  /** The CA that signed the API server's serving certificate (PEM). */
  caPem: string;
  /** The API server's serving key and certificate chain (PEM). */
  servingKey: string;
  servingChain: string;
  /** Where every component writes its log (kept until stop()). */
  logDir: string;
  /** A KubeConfig loaded from kubeconfigPath. */
  kubeConfig(): k8s.KubeConfig;
  /** Kills every process the control plane started and removes its temporary directories. Idempotent. */
  stop(): Promise<void>;
}

export interface TestCluster extends ControlPlane {
  nodes: string[];
  /** The fake kubelet endpoint of the nodes: set handlers for pod logs and node proxy here. */
  kubelet: FakeKubelet;
}

export function kubeCacheDir(): string {
  return path.join(process.env.MESHTAX_KUBE_CACHE ?? '/var/cache/meshtax-kube', KUBE_VERSION);
}

const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;

function binaries(): Record<(typeof BINARIES)[number], string> & { crds: string } {
  const dir = kubeCacheDir();
  const found = Object.fromEntries(BINARIES.map((name) => [name, path.join(dir, 'bin', name)])) as Record<(typeof BINARIES)[number], string>;
  const crds = path.join(dir, 'crds', 'gateway-api-standard.yaml');
  const missing = [...Object.values(found), crds].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `Kubernetes test binaries missing (${missing.join(', ')}). Build them once with: bash scripts/kube-test-env/build.sh ` +
        `(cache: \${MESHTAX_KUBE_CACHE:-/var/cache/meshtax-kube}/${KUBE_VERSION})`,
    );
  }
  return { ...found, crds };
}


/** Processes of every live cluster of this process, killed synchronously if the process exits without stop(). */
const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** Temp dirs `meshtax-kube-PID-*` of processes that are gone (killed before stop() and the exit hook). */
function sweepStaleDirs(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const pid = /^meshtax-kube-(\d+)-/.exec(name)?.[1];
    if (!pid) continue;
    try {
      process.kill(Number(pid), 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  }
}

export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const nodes = options.nodes ?? ['node-a'];
  const plane = await startControlPlane(options);
  let kubelet: FakeKubelet | undefined;
  let simulator: NodeSimulator | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await simulator?.stop().catch(() => undefined);
    await kubelet?.close().catch(() => undefined);
    await plane.stop();
  };
  try {
    const kc = plane.kubeConfig();
    kubelet = await startFakeKubelet({ nodes, key: plane.servingKey, cert: plane.servingChain, network: options.kubeletNetwork });
    simulator = await startNodeSimulator({ kubeConfig: kc, nodes, kubelet, ...(options.nodeCapacity ? { capacity: options.nodeCapacity } : {}), ...(options.kubeletVersions ? { kubeletVersions: options.kubeletVersions } : {}) });
    await waitForDefaultServiceAccount(kc);
    return { ...plane, nodes, kubelet, stop };
  } catch (error) {
    await stop();
    throw new Error(`kube test cluster failed to start: ${String(error)}`, { cause: error });
  }
}

/** The control plane alone: etcd, API server, controller manager, scheduler; no node. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const bin = binaries();
  installExitHook();
  sweepStaleDirs();
  const dir = mkdtempSync(path.join(os.tmpdir(), `meshtax-kube-${process.pid}-`));
  liveDirs.add(dir);
  const logDir = path.join(dir, 'logs');
  const children: ChildProcess[] = [];
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Reverse order: scheduler and controller manager, then the API server, then etcd. Everything is throwaway,
    // so SIGKILL: no graceful shutdown to wait for.
    for (const child of [...children].reverse()) {
      await killChild(child);
      live.delete(child);
    }
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  };

  const run = (name: string, file: string, args: string[]): ChildProcess => {
    const log = createWriteStream(path.join(logDir, `${name}.log`));
    // setpriv --pdeathsig: the component dies with the test process even if that is SIGKILLed.
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    children.push(child);
    live.add(child);
    child.once('exit', (code, signal) => {
      live.delete(child);
      if (!stopped) console.warn(`kube test cluster: ${name} exited (${code ?? signal}); log: ${path.join(logDir, `${name}.log`)}`);
    });
    return child;
  };

  try {
    const started = performance.now();
    for (const sub of ['logs', 'etcd', 'pki']) mkdirSync(path.join(dir, sub), { recursive: true });

    // ---- secrets: admin token, service-account key pair
    const token = randomBytes(24).toString('hex');
    writeFileSync(path.join(dir, 'pki', 'tokens.csv'), `${token},meshtax-admin,meshtax-admin,"system:masters"\n`, { mode: 0o600 });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(path.join(dir, 'pki', 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(path.join(dir, 'pki', 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));

    // ---- etcd
    const etcdClient = await closedPort();
    const etcdPeer = await closedPort();
    run('etcd', bin.etcd, [
      '--name=meshtax',
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=meshtax=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);

    // ---- kube-apiserver
    const apiPort = await closedPort();
    const server = `https://127.0.0.1:${apiPort}`;
    const certDir = path.join(dir, 'pki', 'serving');
    run('kube-apiserver', bin['kube-apiserver'], [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${certDir}`,
      `--token-auth-file=${path.join(dir, 'pki', 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      `--service-account-key-file=${path.join(dir, 'pki', 'sa.pub')}`,
      `--service-account-signing-key-file=${path.join(dir, 'pki', 'sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--api-audiences=https://kubernetes.default.svc.cluster.local',
      `--service-cluster-ip-range=${options.serviceCidr ?? '10.96.0.0/16'}`,
      '--allow-privileged=true',
      '--kubelet-preferred-address-types=InternalIP',
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      '--v=1',
    ]);
    const caFile = path.join(certDir, 'apiserver.crt');
    await waitFor('kube-apiserver /readyz', 30_000, async () => {
      const dead = children.find((child) => child.exitCode !== null || child.signalCode !== null);
      if (dead) throw new Fatal(`${dead.spawnargs[3] ?? 'a component'} exited (${dead.exitCode ?? dead.signalCode}) during start`);
      if (!existsSync(caFile)) return false;
      return (await get(`${server}/readyz`, token, readFileSync(caFile))).status === 200;
    });

    // ---- kubeconfigs. apiserver.crt is the serving certificate followed by the CA that signed it; the CA alone
    // goes to the kubeconfig and the controller manager's --root-ca-file (kube-root-ca.crt, ClusterTrustBundle).
    const chain = readFileSync(caFile, 'utf8');
    const caPem = (chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? []).find((pem) => new X509Certificate(pem).ca);
    if (!caPem) throw new Error(`no CA certificate in ${caFile}`);
    const rootCaFile = path.join(dir, 'pki', 'ca.crt');
    writeFileSync(rootCaFile, caPem);
    const ca = Buffer.from(caPem);
    const kubeconfigPath = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigYaml(server, ca, token), { mode: 0o600 });

    // ---- controller manager and scheduler
    run('kube-controller-manager', bin['kube-controller-manager'], [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=0`,
      `--service-account-private-key-file=${path.join(dir, 'pki', 'sa.key')}`,
      `--root-ca-file=${rootCaFile}`,
      '--use-service-account-credentials=false',
      '--controllers=*',
      '--v=1',
    ]);
    run('kube-scheduler', bin['kube-scheduler'], [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      '--v=1',
    ]);

    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfigPath);

    // ---- Gateway API CRDs
    if (options.gatewayApi ?? true) await applyCrds(kc, readFileSync(bin.crds, 'utf8'), 'Gateway API CRDs');

    const servingKey = readFileSync(path.join(certDir, 'apiserver.key'), 'utf8');
    if (process.env.MESHTAX_KUBE_DEBUG) console.log(`kube control plane up in ${Math.round(performance.now() - started)} ms at ${server} (${dir})`);
    return {
      kubeconfigPath,
      context: CONTEXT,
      server,
      token,
      caPem,
      servingKey,
      servingChain: chain,
      logDir,
      kubeConfig() {
        const config = new k8s.KubeConfig();
        config.loadFromFile(kubeconfigPath);
        return config;
      },
      stop,
    };
  } catch (error) {
    const tails = ['kube-apiserver', 'etcd']
      .map((name) => {
        const file = path.join(logDir, `${name}.log`);
        return existsSync(file) ? `--- ${name}.log (tail)\n${readFileSync(file, 'utf8').split('\n').slice(-15).join('\n')}` : '';
      })
      .join('\n');
    await stop();
    throw new Error(`kube test control plane failed to start: ${String(error)}\n${tails}`, { cause: error });
  }
}

function kubeconfigYaml(server: string, ca: Buffer, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${CONTEXT}`,
    'clusters:',
    `- name: ${CONTEXT}`,
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${ca.toString('base64')}`,
    'users:',
    `- name: ${CONTEXT}`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    `- name: ${CONTEXT}`,
    '  context:',
    `    cluster: ${CONTEXT}`,
    `    user: ${CONTEXT}`,
    '    namespace: default',
    '',
  ].join('\n');
}

function get(url: string, token: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const request = https.get(url, { headers: { authorization: `Bearer ${token}` }, ca, timeout: 2000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', () => resolve({ status: 0, body: '' }));
    request.on('timeout', () => request.destroy());
  });
}

/** SIGKILLs a child process of the test's and waits for its exit (at once if it is gone already). */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

/** Creates every CustomResourceDefinition in `yaml` and waits until the API server serves them all. */
export async function applyCrds(kc: k8s.KubeConfig, yaml: string, what: string): Promise<void> {
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const crds = k8s.loadAllYaml(yaml).filter((doc): doc is k8s.V1CustomResourceDefinition => (doc as k8s.KubernetesObject | null)?.kind === 'CustomResourceDefinition');
  await Promise.all(crds.map((crd) => client.create(crd)));
  await waitFor(`${what} Established`, 30_000, async () => {
    const list = await extensions.listCustomResourceDefinition({});
    const established = new Set(
      list.items.filter((crd) => crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')).map((crd) => crd.metadata?.name),
    );
    return crds.every((crd) => established.has(crd.metadata?.name));
  });
}

export async function waitForDefaultServiceAccount(kc: k8s.KubeConfig): Promise<void> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await waitFor('default service account', 20_000, async () => {
    await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    return true;
  });
}
