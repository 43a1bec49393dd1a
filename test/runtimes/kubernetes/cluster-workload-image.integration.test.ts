import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects } from '../../../src/runtimes/kubernetes/client/apply.ts';
import { connect, type Cluster } from '../../../src/runtimes/kubernetes/client/connect.ts';
import { cleanupRuns } from '../../../src/runtimes/kubernetes/cleanup.ts';
import { loadCodeBundle } from '../../../src/runtimes/kubernetes/code-bundle.ts';
import { KUBERNETES_MODES } from '../../../src/runtimes/kubernetes/modes.ts';
import { renderRun } from '../../../src/runtimes/kubernetes/render-run.ts';
import { ANY_MACHINE, readRun, runCli, tempDir } from '../../helpers/cli.ts';
import { besidesProgress } from '../../helpers/progress.ts';
import { startRunCluster, type RunCluster } from './run-cluster.ts';
import { kubeScenario, RUN_ID } from './fixture.ts';

/**
 * workload.image against a real kube-apiserver v1.37 (test/helpers/kube): the team's container rendered in the
 * echo server's place is accepted by server-side apply (dry run) in every mode's namespace, admitted by Pod Security
 * admission at the level the scenario declares, and a run with it records that level.
 */
let run: RunCluster;
let api: Cluster;

beforeAll(async () => {
  run = await startRunCluster({ nodes: ['node-a', 'node-b'] });
  api = connect(undefined, run.cluster.kubeconfigPath);
}, 120_000);

afterAll(async () => {
  await run?.stop();
});

const IMAGE = [
  'workload:',
  '  image:',
  '    name: registry.example/acme/orders:1.4.2',
  '    args: [--listen, ":9000"]',
  '    env: {LOG_LEVEL: warn}',
  '    port: 9000',
  '    ready: {httpGet: /healthz}',
  '    resources: {cpu: 500m, memory: 128Mi}',
  '    imagePullSecrets: [acme-pull]',
  '    runAsUser: 10001',
].join('\n');

const PLACEMENT = 'kubernetes: {placement: {server: {node: node-a}, client: {node: node-b}}, imagePullSecrets: [mirror]';

function appPod(objects: k8s.KubernetesObject[], namespace: string): k8s.V1Pod {
  const deployment = objects.find((o): o is k8s.V1Deployment => o.kind === 'Deployment' && o.metadata?.namespace === namespace)!;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app-check', namespace }, spec: structuredClone(deployment.spec!.template.spec!) };
}

describe('workload.image on a real API server', () => {
  it('applies (server-side, dry run) in every mode, with the image where the echo server goes', async () => {
    const scenario = kubeScenario(KUBERNETES_MODES.filter((m) => m !== 'baseline-aa'), `${IMAGE}\n${PLACEMENT}}`);
    const objects = renderRun(scenario, RUN_ID, scenario.modes as typeof KUBERNETES_MODES[number][], loadCodeBundle());
    try {
      await applyObjects(api, objects.filter((o) => o.kind === 'Namespace'));
      await applyObjects(api, objects.filter((o) => o.kind !== 'Namespace'), { dryRun: true });
      const template = objects.find((o): o is k8s.V1Deployment => o.kind === 'Deployment')!.spec!.template.spec!;
      expect(template.containers).toHaveLength(1);
      expect(template.containers[0]).toMatchObject({
        name: 'echo',
        image: 'registry.example/acme/orders:1.4.2',
        args: ['--listen', ':9000'],
        env: [{ name: 'LOG_LEVEL', value: 'warn' }],
        ports: [{ name: 'http', containerPort: 9000, protocol: 'TCP' }],
        readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
        resources: { requests: { cpu: '500m', memory: '128Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
      });
      expect(template.imagePullSecrets).toEqual([{ name: 'mirror' }, { name: 'acme-pull' }]);
      expect(template.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
      expect(template.volumes).toEqual([]);
      // The Service still takes the generator's traffic on 8080 and sends it to the container's port by name.
      const service = objects.find((o): o is k8s.V1Service => o.kind === 'Service')!;
      expect(service.spec!.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }]);
    } finally {
      await cleanupRuns(api, { runId: RUN_ID, timeoutMs: 60_000 });
    }
  });

  it('is admitted where meshtax enforces restricted, and the relaxed pod only where the scenario declared baseline', async () => {
    const runId = '20261201-120000-ee01';
    const restricted = renderRun(kubeScenario(['baseline'], `${IMAGE}\n${PLACEMENT}}`), runId, ['baseline'], loadCodeBundle());
    const relaxed = renderRun(kubeScenario(['istio-ambient'], `${IMAGE.replace('    runAsUser: 10001', '')}\n${PLACEMENT}, podSecurity: baseline}`), runId, ['istio-ambient'], loadCodeBundle());
    const strictNamespace = `meshtax-${runId}-baseline`;
    const looseNamespace = `meshtax-${runId}-istio-ambient`;
    try {
      await applyObjects(api, [...restricted, ...relaxed].filter((o) => o.kind === 'Namespace'));
      const labels = async (name: string) => (await run.core.readNamespace({ name })).metadata?.labels;
      expect(await labels(strictNamespace)).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' });
      expect(await labels(looseNamespace)).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'baseline' });
      // The restricted workload pod and the generator pods pass restricted enforcement.
      await run.core.createNamespacedPod({ namespace: strictNamespace, body: appPod(restricted, strictNamespace), dryRun: 'All' });
      for (const pod of restricted.filter((o): o is k8s.V1Pod => o.kind === 'Pod')) {
        await run.core.createNamespacedPod({ namespace: strictNamespace, body: pod, dryRun: 'All' });
      }
      // The relaxed pod (no non-root requirement, default capabilities) is admitted under baseline …
      const loose = appPod(relaxed, looseNamespace);
      expect(loose.spec!.securityContext).toEqual({});
      expect(loose.spec!.containers[0]!.securityContext).toBeUndefined();
      await run.core.createNamespacedPod({ namespace: looseNamespace, body: loose, dryRun: 'All' });
      // … and refused where restricted is enforced: the relaxation is real, and needed.
      await expect(
        run.core.createNamespacedPod({ namespace: strictNamespace, body: { ...loose, metadata: { name: 'loose', namespace: strictNamespace } }, dryRun: 'All' }),
      ).rejects.toThrow(/violates PodSecurity .{0,8}restricted:latest.{0,8}: allowPrivilegeEscalation != false/);
    } finally {
      await cleanupRuns(api, { runId, timeoutMs: 60_000 });
    }
  });

  it('runs in the echo server\'s place, attributed as role app, and run.json records the relaxed pod security', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'image.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: meshtax.dev/v1alpha1',
        'kind: Scenario',
        'metadata: {name: own-image}',
        'runtime: kubernetes',
        'modes: [baseline]',
        'kubernetes: {podSecurity: baseline, idleWindow: 1s}',
        'workload: {image: {name: registry.example/acme/orders:1.4.2, port: 9000}}',
        'load: {rates: [200], duration: 2s, warmup: 1s, repetitions: 1}',
        '',
      ].join('\n'),
    );
    const out = path.join(dir, 'results');
    const result = await runCli(['run', file, '--out', out, ...ANY_MACHINE], undefined, run.env);
    expect(result.code, besidesProgress(result.stderr)).toBe(0);
    const { run: document } = readRun(out);
    const namespace = `meshtax-${document.runId}-baseline`;
    expect(document.environment.runtime).toMatchObject({
      workload: { kind: 'image', image: 'registry.example/acme/orders:1.4.2', port: 9000 },
      podSecurity: { level: 'baseline', relaxed: true, enforcedIn: [namespace], warnedIn: [] },
    });
    expect(document.warnings.map((w) => w.code)).toContain('pod-security-relaxed');
    const app = document.phases[0]!.resources.filter((row) => row.role === 'app');
    expect(app.map((row) => row.container)).toEqual(['echo']);
    expect(await run.meshtaxNamespaces()).toEqual([]);
  });
});
