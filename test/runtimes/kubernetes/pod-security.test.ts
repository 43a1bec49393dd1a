import { expect, it } from 'vitest';
import { modeNamespace } from '../../../src/runtimes/kubernetes/manifests/namespace.ts';
import { KUBERNETES_MODES } from '../../../src/runtimes/kubernetes/modes.ts';
import { RUN_ID } from './fixture.ts';

it('enforces the declared Pod Security level only where the mesh adds no pod or container of its own, and warns everywhere', () => {
  const labels = (level: 'restricted' | 'baseline') =>
    Object.fromEntries(
      KUBERNETES_MODES.map((mode) => {
        const own = modeNamespace(RUN_ID, mode, undefined, level).metadata!.labels!;
        return [mode, [own['pod-security.kubernetes.io/enforce'] ?? '-', own['pod-security.kubernetes.io/warn']]];
      }),
    );
  expect(labels('restricted')).toEqual({
    baseline: ['restricted', 'restricted'],
    'baseline-aa': ['restricted', 'restricted'],
    linkerd: ['-', 'restricted'],
    'istio-sidecar': ['-', 'restricted'],
    'istio-ambient': ['restricted', 'restricted'],
    'istio-waypoint': ['-', 'restricted'],
  });
  expect(labels('baseline')['istio-ambient']).toEqual(['baseline', 'baseline']);
});
