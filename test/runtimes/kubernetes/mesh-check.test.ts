import type { V1DaemonSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../../src/runtimes/kubernetes/client/connect.ts';
import { findZtunnel } from '../../../src/runtimes/kubernetes/mesh-check.ts';

/** A ztunnel DaemonSet with the given labels on the object, selecting its pods by app=ztunnel as Istio's chart does. */
const ztunnel = (labels: Record<string, string>): V1DaemonSet => ({
  metadata: { name: 'ztunnel', namespace: 'istio-system', labels },
  spec: {
    selector: { matchLabels: { app: 'ztunnel' } },
    template: { metadata: { labels: { app: 'ztunnel' } }, spec: { containers: [{ name: 'istio-proxy', image: 'docker.io/istio/ztunnel:1.30.0-distroless' }] } },
  },
});

/** A cluster that answers DaemonSet lists by label selector (equality terms only), from `daemonSets`. */
function clusterWith(daemonSets: V1DaemonSet[]): Cluster {
  const matches = (set: V1DaemonSet, selector: string | undefined): boolean =>
    !selector || selector.split(',').every((term) => set.metadata?.labels?.[term.split('=')[0]!] === term.split('=')[1]);
  return {
    apps: { listDaemonSetForAllNamespaces: async ({ labelSelector }: { labelSelector?: string }) => ({ items: daemonSets.filter((d) => matches(d, labelSelector)) }) },
  } as unknown as Cluster;
}

describe('finding ztunnel', () => {
  it('finds the chart\'s DaemonSet by app.kubernetes.io/name, and its pods by its own selector', async () => {
    const found = await findZtunnel(clusterWith([ztunnel({ 'app.kubernetes.io/name': 'ztunnel' })]));
    expect(found).toEqual({ mesh: 'istio-ambient', namespace: 'istio-system', version: '1.30.0-distroless', selector: 'app=ztunnel' });
  });

  it('falls back to the pods\' app=ztunnel label, by which Istio itself knows a ztunnel pod, when the DaemonSet lacks the chart\'s labels', async () => {
    const other: V1DaemonSet = { ...ztunnel({}), metadata: { name: 'kindnet', namespace: 'kube-system' }, spec: { ...ztunnel({}).spec!, selector: { matchLabels: { app: 'kindnet' } } } };
    const found = await findZtunnel(clusterWith([other, ztunnel({ team: 'mesh' })]));
    expect(found).toMatchObject({ mesh: 'istio-ambient', namespace: 'istio-system', selector: 'app=ztunnel' });
    expect(await findZtunnel(clusterWith([other]))).toBeUndefined();
  });
});
