import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRun, runCli, startCli, tempDir } from '../../helpers/cli.ts';
import { poll } from '../../helpers/poll.ts';
import type { TestCluster } from '../../helpers/kube/cluster.ts';
import type { TestIstio } from '../../helpers/kube/istio.ts';
import { startMeshCluster, type MeshCluster } from './mesh-cluster.ts';
import { LINKERD_NAMESPACE, startLinkerd, type LinkerdDouble } from '../../helpers/kube/linkerd.ts';

/**
 * faults.controlPlaneOutage against the real API server of the test environment, with Istio installed from its own
 * charts and istiod itself as the sidecar injector (test/helpers/kube/istio.ts). meshtax scales the chart's istiod
 * Deployment to zero and back; the controllers delete and recreate its pod. No container runs here, so the test plays
 * the kubelet's part for istiod: when its last pod goes, the istiod process is stopped (SIGSTOP), and it continues
 * once a pod of it is Ready again; while stopped, its injection webhook (failurePolicy: Fail in the chart) answers
 * nothing, as a cluster's istiod scaled to zero would not.
 */
let meshCluster: MeshCluster;
let cluster: TestCluster;
let istio: TestIstio;
let env: NodeJS.ProcessEnv;
let apps: k8s.AppsV1Api;
let core: k8s.CoreV1Api;
const ISTIO_NS = 'istio-system';
const CONSENT = { 'meshtax.dev/control-plane-faults': 'allowed' };
let kubelet: { stop(): void; pauses: number } | undefined;
let linkerd: LinkerdDouble | undefined;

/** A short phase: 1 s warmup, 6 s window, the outage from 1 s to 4 s into it. */
const SHORT = [
  '--set', 'modes=[istio-sidecar]',
  '--set', 'load.rates=[200]',
  '--set', 'load.duration=6s',
  '--set', 'load.warmup=1s',
  '--set', 'load.repetitions=1',
  '--set', 'kubernetes.idleWindow=0s',
  '--set', 'faults={allowControlPlaneOutage: true, controlPlaneOutage: {at: 1s, duration: 3s, recoveryTimeout: 30s}}',
  '--allow-invalid',
];

/**
 * Plays the kubelet for istiod's container: a kubelet stops a pod's containers as soon as the pod is marked for
 * deletion (before the pod object goes), and starts them when a pod is bound to its node; here istiod is stopped
 * while the Deployment has no pod that is not being deleted, and continued once one is Ready. Watch events, so the
 * process stops before the simulated kubelet confirms the deletion.
 */
async function playIstiodKubelet(): Promise<{ stop(): void; pauses: number }> {
  const pods = new Map<string, k8s.V1Pod>();
  let paused = false;
  let stopped = false;
  let request: AbortController | undefined;
  const state = {
    pauses: 0,
    stop: () => {
      stopped = true;
      request?.abort();
      istio.resume();
    },
  };
  const judge = (): void => {
    const live = [...pods.values()].filter((p) => !p.metadata?.deletionTimestamp);
    if (live.length === 0 && !paused) {
      paused = true;
      state.pauses++;
      istio.pause();
    } else if (paused && live.some((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))) {
      paused = false;
      istio.resume();
    }
  };
  // The client ends a watch after 30 s without events (its requestTimeoutMs): watched again, at most 200 times.
  let watches = 0;
  const watch = async (): Promise<void> => {
    if (stopped || ++watches > 200) return;
    pods.clear();
    request = await new k8s.Watch(cluster.kubeConfig()).watch(
      `/api/v1/namespaces/${ISTIO_NS}/pods`,
      { labelSelector: 'app=istiod' },
      (type: string, pod: k8s.V1Pod) => {
        const key = pod.metadata?.uid ?? '';
        if (type === 'DELETED') pods.delete(key);
        else pods.set(key, pod);
        judge();
      },
      () => void watch(),
    );
  };
  await watch();
  return state;
}

async function istiod(): Promise<k8s.V1Deployment> {
  return apps.readNamespacedDeployment({ namespace: ISTIO_NS, name: 'istiod' });
}

async function label(labels: Record<string, string | null>): Promise<void> {
  await core.patchNamespace({ name: ISTIO_NS, body: { metadata: { labels } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
}

beforeAll(async () => {
  meshCluster = await startMeshCluster({ nodes: ['node-a', 'node-b'] });
  ({ cluster, istio, env } = meshCluster);
  apps = cluster.kubeConfig().makeApiClient(k8s.AppsV1Api);
  core = cluster.kubeConfig().makeApiClient(k8s.CoreV1Api);
  // Two replicas, so restoring to the count it had (not to 1) is seen.
  await apps.patchNamespacedDeployment({ namespace: ISTIO_NS, name: 'istiod', body: { spec: { replicas: 2 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  await poll(istiod, (d) => (d.status?.readyReplicas ?? 0) === 2, 60_000, 200);
  kubelet = await playIstiodKubelet();
  linkerd = await startLinkerd(cluster);
}, 240_000);

afterAll(async () => {
  kubelet?.stop();
  await linkerd?.stop();
  await meshCluster?.stop();
});

describe('a control-plane outage inside a phase', () => {
  it('is refused while the control plane\'s namespace does not allow it, before anything is created, and doctor says why', async () => {
    const out = tempDir();
    const doctor = await runCli(['doctor', '--runtime', 'kubernetes', 'scenarios/kubernetes/control-plane-outage.yaml', '--json'], undefined, env);
    const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; status: string; detail: string; hint?: string }[] }).checks;
    expect(checks.find((c) => c.name === 'istio control-plane faults')).toMatchObject({
      status: 'fail',
      hint: 'on a cluster that is yours to break: kubectl label namespace istio-system meshtax.dev/control-plane-faults=allowed',
    });
    const result = await runCli(['run', 'scenarios/kubernetes/istio-sidecar.yaml', '--out', out, ...SHORT], undefined, env);
    expect(result.code).toBe(1);
    const { run } = readRun(out);
    expect(run.error).toMatch(/^faults\.controlPlaneOutage: namespace istio-system does not allow meshtax to take its control plane down \(label meshtax\.dev\/control-plane-faults=allowed is missing\); on a cluster that is yours to break: kubectl label namespace istio-system/);
    expect(run.environment.runtime).toMatchObject({ namespaces: [] });
    expect((await istiod()).spec?.replicas).toBe(2);
  }, 120_000);

  it('scales istiod to zero and back to its replicas, and records traffic by second, the probe pod and the recovery', async () => {
    await label(CONSENT);
    const doctor = await runCli(['doctor', '--runtime', 'kubernetes', 'scenarios/kubernetes/control-plane-outage.yaml', '--json'], undefined, env);
    const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; status: string }[] }).checks;
    expect(checks.find((c) => c.name === 'istio control-plane faults')).toMatchObject({ status: 'ok' });

    const out = tempDir();
    const pausesBefore = kubelet!.pauses;
    // 12 s down: longer than the 10 s an API server waits for an admission webhook (admissionregistration/v1's
    // default timeoutSeconds, which Istio's chart leaves unset), so the stopped istiod's webhook times out.
    const result = await runCli(
      ['run', 'scenarios/kubernetes/istio-sidecar.yaml', '--out', out, ...SHORT, '--set', 'load.duration=15s', '--set', 'faults.controlPlaneOutage.duration=12s'],
      undefined,
      env,
    );
    const { run, runDir } = readRun(out);
    // Figures for the reader of the test log: the terminal summary.
    console.log(result.stdout);
    expect(run.error, result.stderr).toBeUndefined();
    expect(result.code).toBe(0);
    // istiod really went away (its pods were deleted) and came back.
    expect(kubelet!.pauses).toBeGreaterThan(pausesBefore);
    const after = await istiod();
    expect(after.spec?.replicas).toBe(2);
    expect(after.metadata?.annotations?.['meshtax.dev/outage-replicas']).toBeUndefined();

    const [phase] = run.phases;
    const outage = phase!.controlPlaneOutage!;
    expect(outage).toMatchObject({
      mesh: 'istio',
      components: [{ kind: 'Deployment', namespace: ISTIO_NS, name: 'istiod', replicas: 2 }],
      plannedAtS: 1,
      plannedDurationS: 12,
      restored: true,
    });
    expect(outage.error).toBeUndefined();
    expect(outage.startS).toBeGreaterThanOrEqual(1);
    expect(outage.restoreS).toBeGreaterThanOrEqual(13);
    expect(outage.restoreS!).toBeGreaterThan(outage.startS!);
    // The controllers and the simulated kubelet bring both pods back Ready within the recovery timeout.
    expect(outage.recovery.controlPlaneReadyS).not.toBeNull();
    // Every second of the window, each placed against the outage; they add up to the phase's own counts.
    expect(outage.seconds.map((s) => s.second)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(outage.seconds.at(-1)!.span).toBe('after');
    expect(outage.seconds[0]!.span).toBe('before');
    expect(outage.seconds.some((s) => s.span === 'during')).toBe(true);
    const total = outage.seconds.reduce((sum, s) => sum + s.ok + s.failed, 0) + outage.unplacedFailures;
    expect(total).toBe(phase!.counts.ok + phase!.counts.non2xx + phase!.counts.errors + phase!.counts.timeouts);
    expect(outage.traffic.before.requests + outage.traffic.during.requests + outage.traffic.after.requests + outage.unplacedFailures).toBe(total);
    // Existing sidecars keep their configuration: the data path (here the test's echo server) kept answering.
    expect(outage.traffic.during.requests).toBeGreaterThan(0);
    expect(outage.recovery.firstOkSecond).not.toBeNull();
    // The pod started during the outage: istiod's webhook fails closed, so the API server refused it.
    expect(outage.probePod).toMatchObject({ admitted: false, injected: null, readyDuringOutage: false, readyAfterS: null });
    expect(outage.probePod!.error).toMatch(/failed calling webhook "[a-z.]*sidecar-injector\.istio\.io"/);

    // The terminal summary and report.md show it.
    expect(result.stdout).toContain('control-plane outage');
    expect(result.stdout).toMatch(/failures by second \[istio-sidecar @ 200 rps, rep 1\]: \d+ \[/);
    const report = readFileSync(path.join(runDir, 'report.md'), 'utf8');
    expect(report).toContain('### Control-plane outage');
    expect(report).toContain(`${ISTIO_NS}/istiod (2)`);
    expect(report).toMatch(/refused: HTTP 500: .*failed calling webhook/);
  }, 180_000);

  it('scales Linkerd\'s destination and identity to zero and back, leaving its proxy injector up', async () => {
    // Linkerd's control plane as its chart makes it, from its source (test/helpers/kube/linkerd.ts).
    await core.patchNamespace({ name: LINKERD_NAMESPACE, body: { metadata: { labels: CONSENT } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    const out = tempDir();
    const result = await runCli(['run', 'scenarios/kubernetes/linkerd.yaml', '--out', out, ...SHORT, '--set', 'modes=[linkerd]'], undefined, env);
    const { run } = readRun(out);
    expect(run.error, result.stderr).toBeUndefined();
    const outage = run.phases[0]!.controlPlaneOutage!;
    expect(outage).toMatchObject({ mesh: 'linkerd', restored: true });
    expect(outage.components.map((c) => `${c.namespace}/${c.name}:${c.replicas}`).sort()).toEqual(['linkerd/linkerd-destination:1', 'linkerd/linkerd-identity:1']);
    // Its injector stayed up: the pod started during the outage was admitted with its proxy.
    expect(outage.probePod).toMatchObject({ admitted: true, injected: true });
    for (const name of ['linkerd-destination', 'linkerd-identity', 'linkerd-proxy-injector']) {
      const deployment = await apps.readNamespacedDeployment({ namespace: LINKERD_NAMESPACE, name });
      expect(deployment.spec?.replicas, name).toBe(1);
      expect(deployment.metadata?.annotations?.['meshtax.dev/outage-replicas'], name).toBeUndefined();
    }
  }, 120_000);

  it('Ctrl-C during the outage restores the replicas before exiting 130', async () => {
    await label(CONSENT);
    const out = tempDir();
    const { child, done } = startCli(
      ['run', 'scenarios/kubernetes/istio-sidecar.yaml', '--out', out, ...SHORT, '--set', 'load.duration=40s', '--set', 'faults.controlPlaneOutage.duration=30s'],
      undefined,
      env,
    );
    await poll(istiod, (d) => d.spec?.replicas === 0, 120_000, 100);
    expect((await istiod()).metadata?.annotations).toMatchObject({ 'meshtax.dev/outage-replicas': '2' });
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(130);
    const restored = await istiod();
    expect(restored.spec?.replicas).toBe(2);
    expect(restored.metadata?.annotations?.['meshtax.dev/outage-replicas']).toBeUndefined();
    expect(readRun(out).run.status).toBe('interrupted');
    await poll(istiod, (d) => (d.status?.readyReplicas ?? 0) === 2, 60_000, 200);
  }, 180_000);

  it('meshtax cleanup restores a control plane a killed run left at zero', async () => {
    // What a run killed mid-outage (SIGKILL: nothing of it runs to restore) leaves: istiod at 0, with meshtax's note.
    await apps.patchNamespacedDeployment(
      {
        namespace: ISTIO_NS,
        name: 'istiod',
        body: { metadata: { annotations: { 'meshtax.dev/outage-replicas': '2', 'meshtax.dev/outage-run-id': '20261202-070000-dead' } }, spec: { replicas: 0 } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const result = await runCli(['cleanup', '--all'], undefined, env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('restored Deployment istio-system/istiod to 2 replicas (left at 0 by run 20261202-070000-dead)');
    const restored = await istiod();
    expect(restored.spec?.replicas).toBe(2);
    expect(restored.metadata?.annotations?.['meshtax.dev/outage-run-id']).toBeUndefined();
  }, 60_000);
});
