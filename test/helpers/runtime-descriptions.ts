import type { KubernetesDescription } from '../../src/runtimes/kubernetes/description.ts';
import type { LocalDescription } from '../../src/runtimes/local/description.ts';

/** A local runtime's run.json description as the local runtime writes it after starting HAProxy 2.8.5 with mTLS. */
export function localDescription(overrides: Partial<LocalDescription> = {}): LocalDescription {
  return {
    name: 'local',
    bindAddress: '127.0.0.1',
    isolation: 'loopback',
    mtls: true,
    proxy: { kind: 'haproxy', version: '2.8.5' },
    echoServer: 'node:http on Node v24.0.0',
    hostname: 'test-host',
    ...overrides,
  };
}

/** A Kubernetes runtime's run.json description with nothing known yet but what `overrides` says. */
export function kubernetesDescription(overrides: Partial<KubernetesDescription> = {}): KubernetesDescription {
  return {
    name: 'kubernetes',
    context: null,
    server: null,
    kubernetesVersion: null,
    serverNode: null,
    clientNode: null,
    nodes: [],
    meshes: [],
    cni: null,
    metricsSource: null,
    image: 'node:24-alpine',
    namespaces: [],
    kept: false,
    ...overrides,
  };
}
