import type { V1Deployment, V1Namespace, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { renderRun } from '../../../../src/runtimes/kubernetes/render-run.ts';
import { KUBERNETES_MODES, type KubernetesMode } from '../../../../src/runtimes/kubernetes/modes.ts';
import { FAKE_CODE, kubeScenario, RUN_ID } from '../fixture.ts';

function render(mode: KubernetesMode, extra = '') {
  const objects = renderRun(kubeScenario(mode === 'baseline' ? ['baseline'] : ['baseline', mode], extra), RUN_ID, [mode], FAKE_CODE);
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  return {
    objects,
    namespace: byKind('Namespace')[0] as V1Namespace,
    deployment: byKind('Deployment')[0] as V1Deployment,
    pods: byKind('Pod') as V1Pod[],
    gateways: byKind('Gateway'),
  };
}

describe('rendered manifests', () => {
  it.each(KUBERNETES_MODES.filter((m) => m !== 'baseline-aa'))('carry the run labels on every object of %s', (mode) => {
    const { objects } = render(mode);
    for (const object of objects) {
      expect(object.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'meshtax', 'meshtax.dev/run-id': RUN_ID, 'meshtax.dev/mode': mode });
      if (object.kind !== 'Namespace') expect(object.metadata?.namespace).toBe(`meshtax-${RUN_ID}-${mode}`);
    }
  });

  it('label each namespace so that its mesh, and only its mesh, takes the pods', () => {
    expect(render('baseline').namespace.metadata).toMatchObject({ labels: { 'istio-injection': 'disabled' }, annotations: { 'linkerd.io/inject': 'disabled' } });
    expect(render('baseline').namespace.metadata?.labels?.['istio.io/dataplane-mode']).toBeUndefined();
    expect(render('linkerd').namespace.metadata).toMatchObject({ labels: { 'istio-injection': 'disabled' }, annotations: { 'linkerd.io/inject': 'enabled' } });
    expect(render('istio-sidecar').namespace.metadata).toMatchObject({ labels: { 'istio-injection': 'enabled' }, annotations: { 'linkerd.io/inject': 'disabled' } });
    expect(render('istio-ambient').namespace.metadata?.labels).toMatchObject({ 'istio.io/dataplane-mode': 'ambient' });
    expect(render('istio-ambient').namespace.metadata?.labels?.['istio.io/use-waypoint']).toBeUndefined();
    expect(render('istio-waypoint').namespace.metadata?.labels).toMatchObject({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
  });

  it('use an Istio revision label instead of istio-injection when one is given', () => {
    const labels = render('istio-sidecar', 'kubernetes: {istio: {revision: canary}}').namespace.metadata?.labels ?? {};
    expect(labels['istio.io/rev']).toBe('canary');
    expect(labels['istio-injection']).toBeUndefined();
  });

  it('give istio-waypoint a Gateway of class istio-waypoint, and no other mode one', () => {
    expect(render('istio-waypoint').gateways).toEqual([
      expect.objectContaining({ apiVersion: 'gateway.networking.k8s.io/v1', spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } }),
    ]);
    for (const mode of ['baseline', 'linkerd', 'istio-sidecar', 'istio-ambient'] as const) expect(render(mode).gateways).toEqual([]);
  });

  it('make every pod restricted, tokenless and Guaranteed', () => {
    const { deployment, pods } = render('istio-ambient', 'kubernetes: {resources: {app: {cpu: 500m, memory: 128Mi}}}');
    const specs: V1PodSpec[] = [deployment.spec!.template.spec!, ...pods.map((p) => p.spec!)];
    expect(specs).toHaveLength(2);
    for (const spec of specs) {
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
      for (const container of spec.containers) {
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(container.resources?.requests).toEqual(container.resources?.limits);
      }
    }
    expect(deployment.spec!.template.spec!.containers[0]!.resources).toEqual({ requests: { cpu: '500m', memory: '128Mi' }, limits: { cpu: '500m', memory: '128Mi' } });
  });

  it('give meshtax\'s containers the scenario\'s image pull policy, and Kubernetes\' default when it names none', () => {
    const never = render('baseline', 'kubernetes: {image: meshtax.local/node:test, imagePullPolicy: Never}');
    const containers = [...never.deployment.spec!.template.spec!.containers, ...never.pods.flatMap((p) => p.spec!.containers)];
    expect(containers.map((c) => [c.name, c.image, c.imagePullPolicy])).toEqual([
      ['echo', 'meshtax.local/node:test', 'Never'],
      ['loadgen', 'meshtax.local/node:test', 'Never'],
    ]);
    const stock = render('baseline');
    for (const container of [...stock.deployment.spec!.template.spec!.containers, ...stock.pods.flatMap((p) => p.spec!.containers)]) {
      expect(container).not.toHaveProperty('imagePullPolicy');
    }
  });

  it('pin server and client to the nodes the scenario names', () => {
    const { deployment, pods } = render('linkerd', 'kubernetes: {placement: {server: {node: node-a}, client: {node: node-b}}}');
    const term = (spec: V1PodSpec) => spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchFields?.[0];
    expect(term(deployment.spec!.template.spec!)).toEqual({ key: 'metadata.name', operator: 'In', values: ['node-a'] });
    expect(term(pods[0]!.spec!)).toEqual({ key: 'metadata.name', operator: 'In', values: ['node-b'] });
  });

  it('select nodes by label when the scenario gives a selector', () => {
    const { deployment } = render('baseline', 'kubernetes: {placement: {server: {selector: {pool: bench}}}}');
    expect(deployment.spec!.template.spec!.nodeSelector).toEqual({ pool: 'bench' });
  });

  it('hold the generator until an Istio sidecar runs, and split a rate above maxRatePerPod over pods', () => {
    const { pods } = render('istio-sidecar', 'load: {rates: [5000], connections: 10}\nkubernetes: {generator: {maxRatePerPod: 2000}}');
    expect(pods.map((p) => p.metadata?.name)).toEqual(['loadgen-1-0', 'loadgen-1-1', 'loadgen-1-2']);
    expect(pods[0]!.metadata?.annotations?.['proxy.istio.io/config']).toBe('{"holdApplicationUntilProxyStarts": true}');
    const inputs = pods.map((p) => JSON.parse(p.spec!.containers[0]!.env![0]!.value!) as { spec: { rate: number; connections: number; seed: number; url: string } });
    expect(inputs.map((i) => i.spec.rate)).toEqual([5000 / 3, 5000 / 3, 5000 / 3]);
    expect(inputs.map((i) => i.spec.connections)).toEqual([4, 4, 4]);
    expect(new Set(inputs.map((i) => i.spec.seed)).size).toBe(3);
    expect(inputs[0]!.spec.url).toBe('http://echo:8080/');
  });
});
