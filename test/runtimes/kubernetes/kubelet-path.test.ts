import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../../src/runtimes/kubernetes/client/connect.ts';
import { kubeletPathCheck } from '../../../src/runtimes/kubernetes/doctor.ts';

/** A cluster whose node proxy to /healthz answers with `status` and `body`, or 200 when status is undefined. */
function answering(status?: number, body = ''): Cluster {
  return {
    core: {
      connectGetNodeProxyWithPath: async () => {
        if (status === undefined) return 'ok';
        throw new ApiException(status, `HTTP ${status}`, body, {});
      },
    },
  } as unknown as Cluster;
}

describe('doctor\'s check of the API server\'s path to a kubelet', () => {
  it('passes on any answer of the kubelet, its own 404 too', async () => {
    expect(await kubeletPathCheck(answering(), 'node-a')).toMatchObject({ status: 'ok', detail: 'reachable through the API server (pod logs, node proxy)' });
    expect(await kubeletPathCheck(answering(404, '404 page not found\n'), 'node-a')).toMatchObject({ status: 'ok' });
  });

  it('says it did not check when the caller may not use nodes/proxy, instead of calling the path reachable', async () => {
    const forbidden = JSON.stringify({ kind: 'Status', message: 'nodes "node-a" is forbidden: User "dev" cannot get resource "nodes/proxy" in API group "" at the cluster scope', code: 403 });
    expect(await kubeletPathCheck(answering(403, forbidden), 'node-a')).toEqual({
      name: 'kubelet node-a',
      status: 'info',
      detail: 'not checked (no get nodes/proxy): HTTP 403: nodes "node-a" is forbidden: User "dev" cannot get resource "nodes/proxy" in API group "" at the cluster scope',
    });
  });

  it('fails when the API server cannot reach the kubelet', async () => {
    const check = await kubeletPathCheck(answering(503, JSON.stringify({ message: 'error trying to reach service: dial tcp 10.0.0.2:10250: connect: connection refused' })), 'node-b');
    expect(check).toMatchObject({ status: 'fail', detail: 'the API server cannot reach the kubelet of node-b: HTTP 503: error trying to reach service: dial tcp 10.0.0.2:10250: connect: connection refused' });
  });
});
