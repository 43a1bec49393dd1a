import { describe, expect, it } from 'vitest';
import type { RunPki } from '../../../src/runtimes/local/pki/run-pki.ts';
import { identitiesOf, planTopology } from '../../../src/runtimes/local/topology.ts';

const app = { host: '127.0.0.1', port: 9000 };
const pki: RunPki = {
  caFile: '/d/ca.pem',
  identity: (name) => ({ dnsName: `${name}.dns`, certFile: `/d/${name}.crt`, keyFile: `/d/${name}.key`, bundleFile: `/d/${name}.pem` }),
};

describe('local topologies', () => {
  it('baseline sends straight to the app', async () => {
    const topology = await planTopology('baseline', app, undefined);
    expect(topology.entry).toEqual(app);
    expect(topology.proxies).toEqual([]);
  });

  it('sidecar: plain into the client sidecar, mTLS between the sidecars, plain into the app', async () => {
    const topology = await planTopology('sidecar', app, pki);
    const [server, client] = topology.proxies;
    expect(topology.proxies.map((p) => p.spec.name)).toEqual(['server-sidecar', 'client-sidecar']);
    expect(topology.entry).toEqual(client!.spec.listeners[0]!.listen);
    const outbound = client!.spec.listeners[0]!;
    const inbound = server!.spec.listeners[0]!;
    expect(outbound.mode).toBe('http');
    expect(outbound.tls).toBeUndefined();
    expect(outbound.upstream).toEqual(inbound.listen);
    expect(outbound.upstreamTls).toEqual({
      certFile: '/d/client-sidecar.crt',
      keyFile: '/d/client-sidecar.key',
      bundleFile: '/d/client-sidecar.pem',
      caFile: '/d/ca.pem',
      serverName: 'server-sidecar.dns',
    });
    expect(inbound.tls?.certFile).toBe('/d/server-sidecar.crt');
    expect(inbound.upstream).toEqual(app);
    expect(inbound.upstreamTls).toBeUndefined();
    expect(client!.placement).toEqual({ pod: 'client', container: 'client-sidecar', role: 'sidecar' });
  });

  it('node-proxy-waypoint: L4 node proxies around an L7 waypoint, each link verified by name', async () => {
    const topology = await planTopology('node-proxy-waypoint', app, pki);
    expect(topology.proxies.map((p) => [p.spec.name, p.spec.listeners[0]!.mode, p.placement.role])).toEqual([
      ['node-b', 'tcp', 'node-proxy'],
      ['waypoint', 'http', 'waypoint'],
      ['node-a', 'tcp', 'node-proxy'],
    ]);
    const [nodeB, waypoint, nodeA] = topology.proxies.map((p) => p.spec.listeners[0]!);
    expect(nodeA!.upstreamTls?.serverName).toBe('waypoint.dns');
    expect(waypoint!.upstreamTls?.serverName).toBe('node-b.dns');
    expect(nodeB!.upstream).toEqual(app);
    expect(identitiesOf('node-proxy-waypoint')).toEqual(['node-a', 'waypoint', 'node-b']);
  });

  it('without mTLS no link carries TLS and every port is distinct', async () => {
    const topology = await planTopology('node-proxy', app, undefined);
    const listeners = topology.proxies.map((p) => p.spec.listeners[0]!);
    expect(listeners.every((l) => l.tls === undefined && l.upstreamTls === undefined)).toBe(true);
    const ports = listeners.map((l) => l.listen.port);
    expect(new Set([...ports, app.port]).size).toBe(3);
  });
});
