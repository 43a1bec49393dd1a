/**
 * Istio's real control plane on the test cluster of cluster.ts:
 *
 * - the objects of an ambient install (istiod, ztunnel and istio-cni charts, Istio's CRDs) rendered by helm from
 *   Istio's own charts (istio-charts.ts) and applied to the API server; their pods turn Running through the
 *   simulated kubelet (no container runs);
 * - istiod itself (pilot-discovery built from istio.io/istio) running on this host against the API server, with the
 *   args and environment of the chart's Deployment, every listener on loopback. It is the real sidecar injector
 *   (the chart's MutatingWebhookConfiguration, pointed at it through the chart's own `istiodRemote.injectionURL`
 *   value; istiod patches its CA bundle in itself), the real waypoint controller (it creates the waypoint's
 *   Deployment and sets the Gateway's Programmed condition) and creates the istio-waypoint GatewayClass;
 * - istio-cni's node agent cannot run here (it enters pod network namespaces on a real node): istio-cni-agent.ts
 *   plays its annotation step, written from its source.
 *
 *   const istio = await startIstio(cluster);
 *   istio.objects // what the charts rendered
 *   await istio.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { closedPort } from '../servers.ts';
import { Fatal, waitFor } from '../poll.ts';
import { applyCrds, killChild, type TestCluster } from './cluster.ts';
import { findObject, ISTIO_NAMESPACE, istioFiles, renderIstioChart } from './istio-charts.ts';
import { startIstioCniAgent, type IstioCniAgent } from './istio-cni-agent.ts';

export interface TestIstio {
  /** Every object applied from the charts (istiod, ztunnel, istio-cni), as rendered. */
  objects: k8s.KubernetesObject[];
  /** istio.io/istio's pseudo-version and helm's version, from the build. */
  version: string;
  /** Where istiod writes its log. */
  logFile: string;
  /**
   * Stops (SIGSTOP) and continues (SIGCONT) the istiod process, for a test that plays the kubelet stopping istiod's
   * container when its pod goes (no container runs here): its webhook and xDS then answer nothing until resumed.
   */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Objects of the charts not applied, and why. */
const SKIPPED: Record<string, string> = {
  // It points at the istiod Service (port 443), which the API server cannot reach here: there is no Service network
  // (no kube-proxy). Only Istio's own config kinds go through it; the tests create none.
  ValidatingWebhookConfiguration: 'needs the Service network',
};

/** Kinds applied first: what other objects refer to. */
const FIRST = ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ConfigMap'];

export async function startIstio(cluster: TestCluster): Promise<TestIstio> {
  const files = istioFiles();
  const kc = cluster.kubeConfig();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  // Inside the cluster's temporary directory: removed with it, even if the test process dies.
  const dir = path.join(path.dirname(cluster.logDir), 'istiod');
  mkdirSync(dir, { recursive: true });
  const logFile = path.join(cluster.logDir, 'istiod.log');
  let istiod: ChildProcess | undefined;
  let agent: IstioCniAgent | undefined;
  let stopped = false;

  let paused = false;
  const pause = (): void => {
    if (paused || !istiod || istiod.exitCode !== null) return;
    paused = istiod.kill('SIGSTOP');
  };
  const resume = (): void => {
    if (!paused || !istiod) return;
    istiod.kill('SIGCONT');
    paused = false;
  };
  const stop = async (): Promise<void> => {
    if (stopped) return;
    resume();
    stopped = true;
    await agent?.stop();
    if (istiod) await killChild(istiod);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const webhookPort = await closedPort();
    const httpPort = await closedPort();
    const objects = [
      ...renderIstioChart(files, 'istio-discovery', 'istiod', {
        // A documented value of the chart (for an istiod outside the cluster): the injection webhook's URL.
        'istiodRemote.injectionURL': `https://127.0.0.1:${webhookPort}/inject`,
      }),
      ...renderIstioChart(files, 'istio-cni', 'istio-cni'),
      ...renderIstioChart(files, 'ztunnel', 'ztunnel'),
    ];

    await core.createNamespace({ body: { metadata: { name: ISTIO_NAMESPACE } } });
    await applyCrds(kc, readFileSync(files.crds, 'utf8'), 'Istio CRDs');
    const applied = objects.filter((o) => !(o.kind && o.kind in SKIPPED));
    const rank = (o: k8s.KubernetesObject): number => (FIRST.includes(o.kind ?? '') ? FIRST.indexOf(o.kind ?? '') : FIRST.length);
    for (const object of [...applied].sort((a, b) => rank(a) - rank(b))) {
      try {
        await client.create(object);
      } catch (error) {
        throw new Error(`applying ${object.kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name} from Istio's chart: ${String(error)}`, { cause: error });
      }
    }

    // istiod reads its injection templates from files (its Deployment mounts the injector ConfigMap there).
    const injector = findObject<k8s.V1ConfigMap>(objects, 'ConfigMap', 'istio-sidecar-injector');
    const injectDir = path.join(dir, 'var', 'lib', 'istio', 'inject');
    mkdirSync(injectDir, { recursive: true });
    for (const key of ['config', 'values']) writeFileSync(path.join(injectDir, key), injector.data?.[key] ?? '');

    // The chart's istiod container: its args (listeners moved to loopback) and its literal environment.
    const deployment = findObject<k8s.V1Deployment>(objects, 'Deployment', 'istiod');
    const container = deployment.spec?.template.spec?.containers.find((c) => c.name === 'discovery');
    if (!container) throw new Error('the istiod Deployment of Istio\'s chart has no discovery container');
    const listeners = /^--(monitoringAddr|httpAddr|httpsAddr|grpcAddr|secureGRPCAddr)(=|$)/;
    const args = [
      ...(container.args ?? []).filter((arg) => !listeners.test(arg)),
      `--kubeconfig=${cluster.kubeconfigPath}`,
      `--httpAddr=127.0.0.1:${httpPort}`,
      `--httpsAddr=127.0.0.1:${webhookPort}`,
      '--grpcAddr=127.0.0.1:0',
      '--secureGRPCAddr=127.0.0.1:0',
      '--monitoringAddr=127.0.0.1:0',
    ];
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir };
    for (const variable of container.env ?? []) {
      // KUBECONFIG names the remote-cluster secret's mount; --kubeconfig replaces it.
      if (variable.value !== undefined && variable.name !== 'KUBECONFIG') env[variable.name] = variable.value;
    }
    Object.assign(env, {
      POD_NAME: 'istiod-host',
      POD_NAMESPACE: ISTIO_NAMESPACE,
      SERVICE_ACCOUNT: deployment.spec?.template.spec?.serviceAccountName ?? 'istiod',
      // The webhook URL is https://127.0.0.1:PORT: istiod adds its custom hosts to its serving certificate, an IP
      // address as an IP SAN (security/pkg/pki/util/san.go BuildSubjectAltNameExtension).
      ISTIOD_CUSTOM_HOST: '127.0.0.1',
      GOMAXPROCS: '1',
    });
    const log = createWriteStream(logFile);
    istiod = spawn('setpriv', ['--pdeathsig', 'KILL', files.pilotDiscovery, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    istiod.stdout?.pipe(log);
    istiod.stderr?.pipe(log);
    const process_ = istiod;
    process_.once('exit', (code, signal) => {
      if (!stopped) console.warn(`istiod exited (${code ?? signal}); log: ${logFile}`);
    });

    const dead = (): void => {
      if (process_.exitCode !== null || process_.signalCode !== null) throw new Fatal(`istiod exited (${process_.exitCode ?? process_.signalCode}); log: ${logFile}\n${tail(logFile)}`);
    };
    await waitFor('istiod /ready', 90_000, async () => {
      dead();
      return (await httpStatus(`http://127.0.0.1:${httpPort}/ready`)) === 200;
    });
    const webhook = findObject<k8s.V1MutatingWebhookConfiguration>(objects, 'MutatingWebhookConfiguration', 'istio-sidecar-injector');
    await waitFor('istiod to patch its CA into the injection webhook', 60_000, async () => {
      dead();
      const current = await admission.readMutatingWebhookConfiguration({ name: webhook.metadata?.name ?? '' });
      return (current.webhooks ?? []).every((w) => (w.clientConfig.caBundle ?? '').length > 0);
    });
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await waitFor('istiod to create GatewayClass istio-waypoint', 60_000, async () => {
      dead();
      await custom.getClusterCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gatewayclasses', name: 'istio-waypoint' });
      return true;
    });

    agent = await startIstioCniAgent(kc, objects);
    return { objects: applied, version: files.version, logFile, pause, resume, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => resolve(0));
    request.on('timeout', () => request.destroy());
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}
