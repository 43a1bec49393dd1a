import { existsSync } from 'node:fs';
import { allocateBlocks, releaseBlocks, type Block } from './address-pool.ts';
import { hostCommand, hostCommandSync } from './host-command.ts';
import { modeNames } from './names.ts';
import { addRedirect, redirectRuleArgs, removeRules, removeRulesSync, runRules, type Redirect } from './redirect.ts';
import { UndoStack, type UndoStep } from './undo-stack.ts';
import type { LocalModeNetwork } from '../description.ts';

/** A pod with its own network namespace. */
export interface PodNetwork {
  namespace: string;
  /** Its address on the link to the root namespace: what other pods and the load generator connect to. */
  ip: string;
}

/**
 * One mode's network: the server pod's namespace, joined to the root namespace (the client pod and node A, where
 * meshtax itself runs) by a veth pair, and for a waypoint mode the waypoint's namespace, joined to the root
 * namespace and directly to the server pod (the root namespace does not forward, and meshtax leaves its
 * sysctls alone). The namespaces have no default route: they reach nothing but each other and the root
 * namespace's end of their links.
 */
export interface ModeNetwork {
  readonly mode: string;
  readonly server: PodNetwork;
  readonly waypoint: PodNetwork | undefined;
  /** Sends the root namespace's TCP to `destination:port` to local port `toPort` instead (iptables REDIRECT). */
  intercept(redirect: Redirect): Promise<void>;
  /** What run.json records. */
  describe(): LocalModeNetwork;
  /** Removes the rules, links and namespaces; safe to call twice. Stop the processes inside first. */
  remove(): Promise<void>;
}

export interface ModeNetworkOptions {
  runId: string;
  mode: string;
  withWaypoint: boolean;
  signal?: AbortSignal;
}

/**
 * Creates a mode's namespaces, links and addresses. When any step fails (or `signal` aborts between steps),
 * everything made so far is removed before the error propagates.
 */
export async function createModeNetwork(options: ModeNetworkOptions): Promise<ModeNetwork> {
  const { runId, mode, withWaypoint, signal } = options;
  const names = modeNames(runId, mode);
  const undo = new UndoStack();
  const blocks = await allocateBlocks(withWaypoint ? 3 : 1);
  const intercepts: Redirect[] = [];
  try {
    const [serverBlock, waypointBlock, innerBlock] = blocks;
    await addNamespace(undo, names.server);
    signal?.throwIfAborted();
    await rootLink(undo, names.server, names.link('r', 's'), names.link('s', 'r'), serverBlock!);
    const server: PodNetwork = { namespace: names.server, ip: serverBlock!.far };
    let waypoint: PodNetwork | undefined;
    if (withWaypoint) {
      signal?.throwIfAborted();
      await addNamespace(undo, names.waypoint);
      signal?.throwIfAborted();
      await rootLink(undo, names.waypoint, names.link('r', 'w'), names.link('w', 'r'), waypointBlock!);
      waypoint = { namespace: names.waypoint, ip: waypointBlock!.far };
      signal?.throwIfAborted();
      await innerLink(undo, names.waypoint, names.server, names.link('w', 's'), names.link('s', 'w'), innerBlock!);
      // The waypoint reaches the server pod at its usual address, straight over their own link.
      await ip(['-n', names.waypoint, 'route', 'add', `${server.ip}/32`, 'dev', names.link('w', 's')]);
    }
    signal?.throwIfAborted();
    let removed = false;
    return {
      mode,
      server,
      waypoint,
      intercept: async (redirect) => {
        redirectRuleArgs(runId, redirect); // throws for a destination outside the pool, before anything is recorded
        await undo.create(ruleStep(runId, redirect.destination), () => addRedirect(runId, redirect));
        intercepts.push(redirect);
      },
      describe: () => ({
        serverNamespace: server.namespace,
        serverIp: server.ip,
        ...(waypoint ? { waypointNamespace: waypoint.namespace, waypointIp: waypoint.ip } : {}),
        links: blocks.map((b) => b.cidr),
        intercept: intercepts.map((r) => `iptables -t nat OUTPUT ${r.destination}:${r.port} REDIRECT to 127.0.0.1:${r.toPort}`),
      }),
      remove: async () => {
        if (removed) return;
        await undo.unwind();
        removed = true;
        releaseBlocks(blocks);
      },
    };
  } catch (error) {
    await undo.unwind().catch(() => undefined);
    releaseBlocks(blocks);
    throw error;
  }
}

function ip(args: readonly string[]): Promise<string> {
  return hostCommand('ip', args);
}

async function addNamespace(undo: UndoStack, namespace: string): Promise<void> {
  // Never adopt (and later delete) a namespace of the same name that someone else made.
  if (existsSync(`/run/netns/${namespace}`)) {
    throw new Error(`network namespace ${namespace} exists already (another meshtax run with the same run-id tag?)`);
  }
  await undo.create(
    {
      label: `network namespace ${namespace}`,
      remove: async () => void (await ip(['netns', 'delete', namespace])),
      removeSync: () => void hostCommandSync('ip', ['netns', 'delete', namespace]),
      exists: async () => existsSync(`/run/netns/${namespace}`),
    },
    () => ip(['netns', 'add', namespace]),
  );
  await ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
}

/** A veth pair between the root namespace (`near`, the block's first address) and `namespace` (`far`, its second). */
async function rootLink(undo: UndoStack, namespace: string, near: string, far: string, block: Block): Promise<void> {
  if (existsSync(`/sys/class/net/${near}`)) throw new Error(`interface ${near} exists already`);
  await undo.create(
    {
      label: `veth pair ${near}`,
      // Deleting one end of a veth pair deletes both.
      remove: async () => void (await ip(['link', 'delete', near])),
      removeSync: () => void hostCommandSync('ip', ['link', 'delete', near]),
      exists: async () => existsSync(`/sys/class/net/${near}`),
    },
    () => ip(['link', 'add', near, 'type', 'veth', 'peer', 'name', far, 'netns', namespace]),
  );
  await ip(['addr', 'add', `${block.near}/30`, 'dev', near]);
  await assertBlockOurs(block, near);
  await ip(['link', 'set', near, 'up']);
  await ip(['-n', namespace, 'addr', 'add', `${block.far}/30`, 'dev', far]);
  await ip(['-n', namespace, 'link', 'set', far, 'up']);
}

/** A veth pair between two namespaces, `near` in `from` and `far` in `to`. */
async function innerLink(undo: UndoStack, from: string, to: string, near: string, far: string, block: Block): Promise<void> {
  await undo.create(
    {
      label: `veth pair ${near} in ${from}`,
      remove: async () => void (await ip(['-n', from, 'link', 'delete', near])),
      removeSync: () => void hostCommandSync('ip', ['-n', from, 'link', 'delete', near]),
      exists: async () => {
        if (!existsSync(`/run/netns/${from}`)) return false;
        return ip(['-n', from, 'link', 'show', near]).then(
          () => true,
          () => false,
        );
      },
    },
    () => ip(['-n', from, 'link', 'add', near, 'type', 'veth', 'peer', 'name', far, 'netns', to]),
  );
  await ip(['-n', from, 'addr', 'add', `${block.near}/30`, 'dev', near]);
  await ip(['-n', from, 'link', 'set', near, 'up']);
  await ip(['-n', to, 'addr', 'add', `${block.far}/30`, 'dev', far]);
  await ip(['-n', to, 'link', 'set', far, 'up']);
}

/**
 * Another process that picked the same block at the same moment would route the block to its own interface too;
 * the root namespace must hold the block's addresses on `device` alone.
 */
async function assertBlockOurs(block: Block, device: string): Promise<void> {
  const prefix = block.near.slice(0, block.near.lastIndexOf('.') + 1);
  const base = Number(block.near.slice(prefix.length)) - 1;
  const inBlock = new Set([0, 1, 2, 3].map((offset) => `${prefix}${base + offset}`));
  for (const line of (await ip(['-4', '-o', 'addr', 'show'])).split('\n')) {
    const match = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//.exec(line);
    if (match && match[1] !== device && inBlock.has(match[2]!)) {
      throw new Error(`address block ${block.cidr} is also in use on ${match[1]}; try again`);
    }
  }
}

function ruleStep(runId: string, destination: string): UndoStep {
  return {
    label: `iptables rules meshtax:${runId} for ${destination}`,
    remove: async () => void (await removeRules(runId, destination)),
    removeSync: () => removeRulesSync(runId, destination),
    exists: async () => runRules(await hostCommand('iptables-save', ['-t', 'nat']), runId, destination).length > 0,
  };
}
