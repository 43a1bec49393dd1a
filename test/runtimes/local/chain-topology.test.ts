import { describe, expect, it } from 'vitest';
import { chainIdentities, planServiceChain, type ChainTopology } from '../../../src/runtimes/local/chain-topology.ts';
import type { RunPki } from '../../../src/runtimes/local/pki/run-pki.ts';
import type { Endpoint, Listener } from '../../../src/runtimes/local/proxy/types.ts';
import { LOCAL_MODES, type LocalMode } from '../../../src/runtimes/local/topology.ts';

const pki: RunPki = {
  caFile: '/d/ca.pem',
  identity: (name) => ({ dnsName: `${name}.dns`, certFile: `/d/${name}.crt`, keyFile: `/d/${name}.key`, bundleFile: `/d/${name}.pem` }),
};

async function plan(mode: LocalMode, depth: number): Promise<ChainTopology> {
  let port = 20_000;
  return planServiceChain(mode, depth, '127.0.0.1', pki, () => Promise.resolve(port++));
}

interface Step {
  /** `proxy/listener` or `svc-N`. */
  at: string;
  node: string;
  listener?: Listener;
}

/** Follows a request from an entry through listeners and services (each forwarding to the next) to the last service. */
function walk(topology: ChainTopology, entry: Endpoint): Step[] {
  const same = (a: Endpoint, b: Endpoint): boolean => a.host === b.host && a.port === b.port;
  const steps: Step[] = [];
  let at: Endpoint | undefined = entry;
  for (let i = 0; at && i < 100; i++) {
    const here: Endpoint = at;
    const service = topology.services.find((s) => same(s.listen, here));
    if (service) {
      steps.push({ at: service.pod, node: service.node });
      at = service.forward;
      continue;
    }
    const proxy = topology.proxies.find((p) => p.spec.listeners.some((l) => same(l.listen, here)));
    if (!proxy) throw new Error(`nothing listens on ${here.port}`);
    const listener = proxy.spec.listeners.find((l) => same(l.listen, here))!;
    steps.push({ at: `${proxy.spec.name}/${listener.name}`, node: proxy.placement.node!, listener });
    at = listener.upstream;
  }
  return steps;
}

describe('call chains on the local runtime', () => {
  it('sidecar: every link goes out through the caller\'s sidecar and in through the callee\'s, one sidecar per pod', async () => {
    const topology = await plan('sidecar', 3);
    expect(topology.services.map((s) => [s.pod, s.node])).toEqual([
      ['svc-1', 'node-b'],
      ['svc-2', 'node-a'],
      ['svc-3', 'node-b'],
    ]);
    expect(topology.proxies.map((p) => p.spec.name).sort()).toEqual(['client-sidecar', 'svc-1-sidecar', 'svc-2-sidecar', 'svc-3-sidecar']);
    expect(walk(topology, topology.entries[2]!).map((step) => step.at)).toEqual([
      'client-sidecar/outbound-svc-1',
      'svc-1-sidecar/inbound-svc-1',
      'svc-1',
      'svc-1-sidecar/outbound-svc-2',
      'svc-2-sidecar/inbound-svc-2',
      'svc-2',
      'svc-2-sidecar/outbound-svc-3',
      'svc-3-sidecar/inbound-svc-3',
      'svc-3',
    ]);
    // The path of depth 1 enters at the last service, through the same inbound sidecar listener svc-2 uses.
    expect(walk(topology, topology.entries[0]!).map((step) => step.at)).toEqual(['client-sidecar/outbound-svc-3', 'svc-3-sidecar/inbound-svc-3', 'svc-3']);
    // mTLS between sidecars, plain inside a pod.
    const [out, into] = walk(topology, topology.entries[0]!);
    expect(out!.listener!.tls).toBeUndefined();
    expect(out!.listener!.upstreamTls).toMatchObject({ certFile: '/d/client-sidecar.crt', serverName: 'svc-3-sidecar.dns' });
    expect(into!.listener!.tls).toMatchObject({ certFile: '/d/svc-3-sidecar.crt', caFile: '/d/ca.pem' });
    expect(into!.listener!.upstreamTls).toBeUndefined();
    const sidecar = topology.proxies.find((p) => p.spec.name === 'svc-2-sidecar')!;
    expect(sidecar.placement).toEqual({ pod: 'svc-2', container: 'sidecar', role: 'sidecar', node: 'node-a' });
    expect(sidecar.service).toBe(2);
  });

  it('every depth crosses as many links as it has services, each link the mode\'s single hop across nodes', async () => {
    const proxiesPerLink: Record<LocalMode, number> = { baseline: 0, 'baseline-aa': 0, sidecar: 2, 'node-proxy': 2, 'node-proxy-waypoint': 3 };
    for (const mode of LOCAL_MODES) {
      const topology = await plan(mode, 4);
      for (let depth = 1; depth <= 4; depth++) {
        const steps = walk(topology, topology.entries[depth - 1]!);
        const services = steps.filter((step) => !step.listener);
        expect(services.map((s) => s.at), `${mode} depth ${depth}`).toEqual(['svc-1', 'svc-2', 'svc-3', 'svc-4'].slice(4 - depth));
        expect(steps.length - services.length, `${mode} depth ${depth}`).toBe(proxiesPerLink[mode] * depth);
        // The generator sits on the node opposite the service it calls first.
        expect(topology.clientNodes[depth - 1]).not.toBe(services[0]!.node);
      }
      expect(chainIdentities(mode, 4).sort()).toEqual(topology.proxies.map((p) => p.spec.name).sort());
    }
  });

  it('node-proxy: out through the caller\'s node proxy, in through the callee\'s, mTLS only between them', async () => {
    const topology = await plan('node-proxy-waypoint', 2);
    const steps = walk(topology, topology.entries[1]!);
    expect(steps.map((step) => `${step.at}@${step.node}`)).toEqual([
      'node-b/outbound-svc-1@node-b',
      'waypoint/inbound-svc-1@node-b',
      'node-a/inbound-svc-1@node-a',
      'svc-1@node-a',
      'node-a/outbound-svc-2@node-a',
      'waypoint/inbound-svc-2@node-b',
      'node-b/inbound-svc-2@node-b',
      'svc-2@node-b',
    ]);
    expect(steps[0]!.listener!.mode).toBe('tcp');
    expect(steps[1]!.listener!.mode).toBe('http');
    expect(steps[1]!.listener!.upstreamTls!.serverName).toBe('node-a.dns');
    // One process per node and one waypoint, each with a listener per destination: the generator of depth 1
    // (on node-a, opposite svc-2) shares node-a's outbound listener to svc-2 with svc-1.
    expect(topology.clientNodes).toEqual(['node-a', 'node-b']);
    expect(topology.proxies.map((p) => [p.spec.name, p.spec.listeners.map((l) => l.name).sort()]).sort()).toEqual([
      ['node-a', ['inbound-svc-1', 'outbound-svc-2']],
      ['node-b', ['inbound-svc-2', 'outbound-svc-1']],
      ['waypoint', ['inbound-svc-1', 'inbound-svc-2']],
    ]);
  });
});
