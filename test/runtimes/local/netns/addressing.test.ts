import { describe, expect, it } from 'vitest';
import { netnsAddressing, podNamespace } from '../../../../src/runtimes/local/netns/addressing.ts';
import type { ModeNetwork } from '../../../../src/runtimes/local/netns/mode-network.ts';
import type { RunPki } from '../../../../src/runtimes/local/pki/run-pki.ts';
import { planChain } from '../../../../src/runtimes/local/topology.ts';

// Plans only: nothing is created, so these run anywhere.
const pki: RunPki = {
  caFile: '/d/ca.pem',
  identity: (name) => ({ dnsName: `${name}.dns`, certFile: `/d/${name}.crt`, keyFile: `/d/${name}.key`, bundleFile: `/d/${name}.pem` }),
};

function network(withWaypoint: boolean): ModeNetwork {
  return {
    mode: withWaypoint ? 'node-proxy-waypoint' : 'sidecar',
    server: { namespace: 'mtx-abcd-sc-srv', ip: '169.254.77.6' },
    waypoint: withWaypoint ? { namespace: 'mtx-abcd-npw-wp', ip: '169.254.77.10' } : undefined,
    intercept: () => Promise.reject(new Error('not in a plan')),
    describe: () => ({ serverNamespace: 'mtx-abcd-sc-srv', serverIp: '169.254.77.6', links: [], intercept: [] }),
    remove: () => Promise.resolve(),
  };
}

describe('addresses of the hops in network namespaces', () => {
  it('sidecar: the generator sends to the server pod on :8080, intercepted into the client sidecar on 127.0.0.1', async () => {
    const topology = await planChain('sidecar', netnsAddressing(network(false), '127.0.0.1'), pki);
    expect(topology.entry).toEqual({ host: '169.254.77.6', port: 8080 });
    const [server, client] = topology.proxies.map((p) => p.spec.listeners[0]!);
    expect(client!.listen.host).toBe('127.0.0.1');
    expect(topology.outbound).toEqual(client!.listen);
    expect(client!.upstream).toEqual({ host: '169.254.77.6', port: 15443 });
    expect(client!.upstreamTls?.serverName).toBe('server-sidecar.dns');
    expect(server!.listen).toEqual({ host: '169.254.77.6', port: 15443 });
    expect(server!.tls?.caFile).toBe('/d/ca.pem');
    expect(server!.upstream).toEqual({ host: '127.0.0.1', port: 8080 });
    const net = network(false);
    expect(topology.proxies.map((p) => podNamespace(p.placement.pod, net))).toEqual(['mtx-abcd-sc-srv', undefined]);
  });

  it('node-proxy-waypoint: node A in the root namespace, then the waypoint pod, then node B in the server pod', async () => {
    const net = network(true);
    const topology = await planChain('node-proxy-waypoint', netnsAddressing(net, '127.0.0.1'), pki);
    const [nodeB, waypoint, nodeA] = topology.proxies.map((p) => p.spec.listeners[0]!);
    expect(nodeA!.upstream).toEqual({ host: '169.254.77.10', port: 15008 });
    expect(waypoint!.listen).toEqual({ host: '169.254.77.10', port: 15008 });
    expect(waypoint!.upstream).toEqual({ host: '169.254.77.6', port: 15008 });
    expect(nodeB!.listen).toEqual({ host: '169.254.77.6', port: 15008 });
    expect(nodeB!.upstream).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(topology.proxies.map((p) => podNamespace(p.placement.pod, net))).toEqual(['mtx-abcd-sc-srv', 'mtx-abcd-npw-wp', undefined]);
  });

  it('baseline: straight to the server pod, nothing to intercept', async () => {
    const topology = await planChain('baseline', netnsAddressing(network(false), '127.0.0.1'), undefined);
    expect(topology).toEqual({ mode: 'baseline', entry: { host: '169.254.77.6', port: 8080 }, outbound: undefined, proxies: [] });
  });
});
