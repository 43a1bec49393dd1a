import { describe, expect, it } from 'vitest';
import { echoDeployment } from '../../../../src/runtimes/kubernetes/manifests/workload.ts';
import { PROBER_PORT, proberPod, roundSelector, startupHost, startupPod, startupService } from '../../../../src/runtimes/kubernetes/manifests/startup.ts';
import { renderContext, RUN_ID } from '../fixture.ts';

const NS = (mode: string): string => `meshtax-${RUN_ID}-${mode}`;

describe('the start-up manifests', () => {
  it('a start-up pod is the echo pod under the round\'s labels, with a DNS name of its own under the headless Service', () => {
    const context = renderContext('istio-sidecar', undefined, { server: 'node-s', client: 'node-c' });
    const pod = startupPod(context, 2, 7);
    const template = echoDeployment(context).spec!.template;
    expect(pod.metadata).toMatchObject({
      name: 'echo-startup-2-7',
      namespace: NS('istio-sidecar'),
      labels: { 'app.kubernetes.io/name': 'echo-startup', 'meshtax.dev/role': 'startup-2', 'meshtax.dev/run-id': RUN_ID },
      annotations: template.metadata!.annotations,
    });
    expect(pod.spec).toEqual({ ...template.spec, hostname: 'echo-startup-2-7', subdomain: 'echo-startup' });
    expect(roundSelector(2)).toBe('meshtax.dev/role=startup-2');
    expect(startupHost(context, 'echo-startup-2-7')).toBe(`echo-startup-2-7.echo-startup.${NS('istio-sidecar')}.svc`);
  });

  it('the headless Service publishes the pods before they are Ready, on the echo port with its protocol', () => {
    const service = startupService(renderContext('linkerd'));
    expect(service.metadata).toMatchObject({ name: 'echo-startup', namespace: NS('linkerd') });
    expect(service.spec).toEqual({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { 'app.kubernetes.io/name': 'echo-startup' },
      ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }],
    });
  });

  it('the prober pod runs the bundled prober on the client node, meshed like the generator, without API credentials', () => {
    const pod = proberPod(renderContext('istio-sidecar', undefined, { server: 'node-s', client: 'node-c' }));
    expect(pod.metadata).toMatchObject({ name: 'startup-prober', namespace: NS('istio-sidecar'), labels: { 'meshtax.dev/role': 'startup-prober' } });
    expect(pod.metadata!.annotations).toEqual({
      'kubectl.kubernetes.io/default-container': 'prober',
      // Its proxy starts before it, as the generator's does; its control port stays outside the sidecar's capture.
      'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": true}',
      'traffic.sidecar.istio.io/excludeInboundPorts': String(PROBER_PORT),
    });
    const spec = pod.spec!;
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0]!.matchFields![0]!.values).toEqual(['node-c']);
    const [container] = spec.containers;
    expect(container).toMatchObject({
      name: 'prober',
      command: ['node'],
      args: ['/meshtax/prober.js', `--port=${PROBER_PORT}`],
      ports: [{ name: 'control', containerPort: PROBER_PORT, protocol: 'TCP' }],
      readinessProbe: { httpGet: { path: '/healthz', port: 'control' } },
      volumeMounts: [{ name: 'code', mountPath: '/meshtax', readOnly: true }],
    });
    expect(container!.resources!.requests).toEqual(container!.resources!.limits);

    expect(proberPod(renderContext('linkerd')).metadata!.annotations).toMatchObject({
      'config.linkerd.io/proxy-await': 'enabled',
      'config.linkerd.io/skip-inbound-ports': String(PROBER_PORT),
    });
    // Baseline and ambient: no sidecar, nothing to hold or exclude; ambient takes the pod through the namespace label.
    for (const mode of ['baseline', 'istio-ambient'] as const) {
      expect(proberPod(renderContext(mode)).metadata!.annotations).toEqual({ 'kubectl.kubernetes.io/default-container': 'prober' });
    }
  });
});
