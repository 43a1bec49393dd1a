import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { renderRun } from '../../../src/runtimes/kubernetes/render-run.ts';
import { FAKE_CODE, kubeScenario, RUN_ID } from './fixture.ts';

/** The echo Service and Deployment of the istio-sidecar mode, rendered for a scenario with `load`. */
function rendered(load: string) {
  const objects = renderRun(kubeScenario(['baseline', 'istio-sidecar'], load), RUN_ID, ['istio-sidecar'], FAKE_CODE);
  return {
    service: objects.find((o) => o.kind === 'Service') as V1Service,
    deployment: objects.find((o) => o.kind === 'Deployment') as V1Deployment,
  };
}

describe('the echo Service tells the meshes what its port speaks', () => {
  it.each([
    ['http1', 'http'],
    ['http2', 'http2'],
    ['grpc', 'grpc'],
  ])('load.protocol %s: appProtocol %s, and the echo server speaks it', (protocol, appProtocol) => {
    const { service, deployment } = rendered(`load: {protocol: ${protocol}}`);
    expect(service.spec?.ports?.[0]?.appProtocol).toBe(appProtocol);
    expect(deployment.spec?.template.spec?.containers[0]?.args).toContain(`--protocol=${protocol}`);
  });
});
