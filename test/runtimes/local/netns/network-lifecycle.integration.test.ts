import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createModeNetwork, type ModeNetwork } from '../../../../src/runtimes/local/netns/mode-network.ts';
import { modeNames } from '../../../../src/runtimes/local/netns/names.ts';
import { netnsRuns, traces, tracesAfter } from './helpers.ts';

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

describe('a mode network: namespaces, veth pairs, rules', () => {
  const runs = netnsRuns();
  let network: ModeNetwork | undefined;
  afterEach(async () => {
    await network?.remove();
    network = undefined;
  });

  it('creates the server and waypoint pods, links them, and leaves no trace once removed', async () => {
    const runId = runs.fresh();
    const names = modeNames(runId, 'node-proxy-waypoint');
    network = await createModeNetwork({ runId, mode: 'node-proxy-waypoint', withWaypoint: true });
    const { server, waypoint } = network;
    expect(server.namespace).toBe(names.server);
    expect(waypoint?.namespace).toBe(names.waypoint);
    expect(server.ip).toMatch(/^169\.254\.77\.\d+$/);
    expect(waypoint?.ip).toMatch(/^169\.254\.77\.\d+$/);
    expect(ip(['netns', 'list'])).toContain(names.server);
    // Loopback is up in each pod; the server pod holds its address on the link to the root namespace.
    expect(ip(['-n', server.namespace, '-o', 'addr', 'show', 'dev', 'lo'])).toContain('127.0.0.1/8');
    expect(ip(['-n', server.namespace, '-o', 'addr', 'show', 'dev', names.link('s', 'r')])).toContain(`${server.ip}/30`);
    // The waypoint reaches the server pod's address over their own link, not through the root namespace.
    expect(ip(['-n', waypoint!.namespace, 'route', 'get', server.ip])).toContain(`dev ${names.link('w', 's')}`);
    // Every interface name fits Linux's 15 characters.
    for (const [from, to] of [['r', 's'], ['s', 'r'], ['r', 'w'], ['w', 'r'], ['w', 's'], ['s', 'w']] as const) {
      expect(names.link(from, to).length).toBeLessThanOrEqual(15);
    }

    await network.intercept({ destination: server.ip, port: 8080, toPort: 15001 });
    const rules = execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' });
    expect(rules).toContain(`-A OUTPUT -d ${server.ip}/32 -p tcp -m tcp --dport 8080 -m comment --comment "meshtax:${runId}" -j REDIRECT --to-ports 15001`);
    expect(traces(runId).length).toBeGreaterThan(0);
    expect(network.describe()).toMatchObject({ serverNamespace: names.server, serverIp: server.ip, waypointIp: waypoint!.ip });

    await network.remove();
    await network.remove(); // safe twice
    network = undefined;
    expect(await tracesAfter(runId)).toEqual([]);
  });

  it('removes what it made when set-up stops halfway', async () => {
    const runId = runs.fresh();
    const controller = new AbortController();
    controller.abort(new Error('stopped halfway'));
    // The namespace is made before the first check of the signal, so there is something to undo.
    const error = await createModeNetwork({ runId, mode: 'sidecar', withWaypoint: false, signal: controller.signal }).catch(
      (reason: unknown) => reason,
    );
    expect((error as Error).message).toBe('stopped halfway');
    expect(await tracesAfter(runId)).toEqual([]);
  });

  it('never takes over (or deletes) a namespace of the same name it did not make', async () => {
    const runId = runs.fresh();
    const names = modeNames(runId, 'baseline');
    execFileSync('ip', ['netns', 'add', names.server]);
    try {
      const error = await createModeNetwork({ runId, mode: 'baseline', withWaypoint: false }).catch((reason: unknown) => reason);
      expect((error as Error).message).toMatch(/exists already/);
      expect(ip(['netns', 'list'])).toContain(names.server);
    } finally {
      execFileSync('ip', ['netns', 'delete', names.server]);
    }
    expect(await tracesAfter(runId)).toEqual([]);
  });

  it('refuses to intercept an address outside 169.254.77.0/24', async () => {
    const runId = runs.fresh();
    network = await createModeNetwork({ runId, mode: 'sidecar', withWaypoint: false });
    await expect(network.intercept({ destination: '10.0.0.1', port: 8080, toPort: 15001 })).rejects.toThrow(/169\.254\.77/);
    expect(execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' })).not.toContain(`meshtax:${runId}`);
  });
});
