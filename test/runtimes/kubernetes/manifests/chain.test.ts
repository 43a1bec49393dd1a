import type { V1Deployment, V1Pod, V1PodSpec, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { appDeployments, chainPath, chainUrls } from '../../../../src/runtimes/kubernetes/manifests/chain.ts';
import { renderRun } from '../../../../src/runtimes/kubernetes/render-run.ts';
import type { KubernetesMode } from '../../../../src/runtimes/kubernetes/modes.ts';
import { onChainPath } from '../../../../src/runtimes/kubernetes/scope.ts';
import { FAKE_CODE, kubeScenario, RUN_ID } from '../fixture.ts';

const PINNED = 'kubernetes: {placement: {server: {node: node-s}, client: {node: node-c}}}';

function render(mode: KubernetesMode, chain: string, extra = PINNED) {
  const scenario = kubeScenario(mode === 'baseline' ? ['baseline'] : ['baseline', mode], `workload: {chain: ${chain}}\n${extra}`);
  const objects = renderRun(scenario, RUN_ID, [mode], FAKE_CODE);
  return {
    deployments: objects.filter((o) => o.kind === 'Deployment') as V1Deployment[],
    services: objects.filter((o) => o.kind === 'Service') as V1Service[],
    pods: objects.filter((o) => o.kind === 'Pod') as V1Pod[],
    kinds: objects.map((o) => `${o.kind}/${o.metadata?.name}`),
  };
}

const nodeOf = (spec: V1PodSpec | undefined): string | undefined =>
  spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchFields?.[0]?.values?.[0];
const args = (deployment: V1Deployment): string[] => deployment.spec?.template.spec?.containers[0]?.args ?? [];
const option = (deployment: V1Deployment, name: string): string | undefined => args(deployment).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

describe('a call chain on Kubernetes', () => {
  it('renders a Deployment and a Service per service, the last first, instead of the one echo server', () => {
    const { kinds } = render('istio-sidecar', '{depth: 3}');
    expect(kinds).toEqual([
      `Namespace/meshtax-${RUN_ID}-istio-sidecar`,
      'ConfigMap/meshtax-code',
      'Deployment/svc-3',
      'Service/svc-3',
      'Deployment/svc-2',
      'Service/svc-2',
      'Deployment/svc-1',
      'Service/svc-1',
      'Pod/loadgen-1-0',
    ]);
  });

  it('makes each service forward to the next by its Service name, fanOut times, and the last forward nowhere', () => {
    const { deployments } = render('istio-sidecar', '{depth: 3, fanOut: 2}');
    const byName = Object.fromEntries(deployments.map((d) => [d.metadata?.name, d]));
    expect(option(byName['svc-1']!, 'forward')).toBe('http://svc-2:8080/');
    expect(option(byName['svc-1']!, 'fan-out')).toBe('2');
    expect(option(byName['svc-2']!, 'forward')).toBe('http://svc-3:8080/');
    expect(option(byName['svc-3']!, 'forward')).toBeUndefined();
    expect(option(byName['svc-3']!, 'fan-out')).toBeUndefined();
    // Every service is meshtax's echo server with the scenario's model, as the single echo pod is.
    for (const deployment of deployments) expect(args(deployment).slice(0, 2)).toEqual(['/meshtax/echo.js', '--pod']);
  });

  it('alternates the services between the nodes, the last on the server node, so every link crosses nodes', () => {
    const { deployments } = render('baseline', '{depth: 4}');
    expect(Object.fromEntries(deployments.map((d) => [d.metadata?.name, nodeOf(d.spec?.template.spec)]))).toEqual({
      'svc-4': 'node-s',
      'svc-3': 'node-c',
      'svc-2': 'node-s',
      'svc-1': 'node-c',
    });
    // Without pinned nodes, each side keeps its selector.
    const selected = render('baseline', '{depth: 2}', 'kubernetes: {placement: {server: {selector: {pool: s}}, client: {selector: {pool: c}}}}');
    expect(Object.fromEntries(selected.deployments.map((d) => [d.metadata?.name, d.spec?.template.spec?.nodeSelector]))).toEqual({ 'svc-2': { pool: 's' }, 'svc-1': { pool: 'c' } });
  });

  it('selects each service\'s own pods, labelled with its position, and keeps the mesh\'s pod annotations and the restricted security', () => {
    const { deployments, services } = render('istio-sidecar', '{depth: 2}');
    for (const service of services) {
      const deployment = deployments.find((d) => d.metadata?.name === service.metadata?.name)!;
      expect(service.spec?.selector).toEqual({ 'app.kubernetes.io/name': service.metadata?.name });
      expect(deployment.spec?.selector.matchLabels).toEqual(service.spec?.selector);
      expect(deployment.spec?.template.metadata?.labels).toMatchObject({ ...service.spec?.selector, 'meshtax.dev/role': 'app', 'meshtax.dev/chain-index': service.metadata?.name?.slice(4) });
      expect(deployment.spec?.template.metadata?.annotations).toMatchObject({ 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": true}' });
      expect(deployment.spec?.template.spec?.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(service.spec?.ports?.[0]).toMatchObject({ port: 8080, appProtocol: 'http' });
    }
  });

  it('enters the path of depth d at svc-(N−d+1), its generators on the node opposite that service', () => {
    expect(chainUrls(3)).toEqual(['http://svc-3:8080/', 'http://svc-2:8080/', 'http://svc-1:8080/']);
    const workload = { chain: { depth: 3, fanOut: 1 } };
    expect([1, 2, 3].map((d) => chainPath(workload, d))).toEqual([
      { entry: 3, url: 'http://svc-3:8080/', generatorOnServer: false },
      { entry: 2, url: 'http://svc-2:8080/', generatorOnServer: true },
      { entry: 1, url: 'http://svc-1:8080/', generatorOnServer: false },
    ]);
    expect(chainPath({}, undefined)).toBeUndefined();
    expect(appDeployments(workload)).toEqual(['svc-1', 'svc-2', 'svc-3']);
    expect(appDeployments({})).toEqual(['echo']);
    // render shows the first phase's generator: depth 1, into svc-3 from the client node.
    const { pods } = render('baseline', '{depth: 3}');
    const input = JSON.parse(pods[0]!.spec!.containers[0]!.env![0]!.value!) as { spec: { url: string } };
    expect(input.spec.url).toBe('http://svc-3:8080/');
    expect(nodeOf(pods[0]!.spec)).toBe('node-c');
  });

  it('charges a path only the services from its entry on', () => {
    const at = (index?: string): V1Pod => ({ metadata: { labels: index === undefined ? {} : { 'meshtax.dev/chain-index': index } } });
    expect([at('1'), at('2'), at('3'), at()].map((pod) => onChainPath(pod, 2))).toEqual([false, true, true, true]);
  });
});
