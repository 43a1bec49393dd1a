import { randomInt } from 'node:crypto';
import { hostCommand } from './host-command.ts';
import { MeshtaxError } from '../../../core/errors.ts';

/**
 * Addresses of the namespaces: link-local 169.254.77.0/24 only, cut into 64 /30s, one per veth pair (.1 on the
 * end nearer the root namespace, .2 on the far end). Link-local addresses are never routed off the host, and
 * nothing else in the private ranges is touched.
 */
export const POOL_PREFIX = '169.254.77.';
export const POOL = `${POOL_PREFIX}0/24`;
const BLOCK_COUNT = 64;

/** One /30 of the pool. */
export interface Block {
  index: number;
  /** `169.254.77.8/30` */
  cidr: string;
  /** The first host address, on the end nearer the root namespace. */
  near: string;
  /** The second host address, on the far end. */
  far: string;
}

export class PoolExhausted extends MeshtaxError {}

/** Blocks this process holds, so two modes of one run never share one (far links are not visible from root). */
const held = new Set<number>();

export function block(index: number): Block {
  const base = index * 4;
  return { index, cidr: `${POOL_PREFIX}${base}/30`, near: `${POOL_PREFIX}${base + 1}`, far: `${POOL_PREFIX}${base + 2}` };
}

/**
 * `count` blocks that no interface, route or nat rule of the root namespace names and this process does not hold,
 * chosen at random among the free ones (two runs starting together then rarely pick the same). Held until
 * released. Rules count because a rule left by a run that was killed with SIGKILL would still redirect its old
 * pod address.
 */
export async function allocateBlocks(count: number): Promise<Block[]> {
  const used = new Set<number>();
  for (const args of [
    ['-4', '-o', 'addr', 'show'],
    ['-4', 'route', 'show', 'table', 'all'],
  ]) {
    for (const index of usedBlocks(await hostCommand('ip', args))) used.add(index);
  }
  for (const index of usedBlocks(await hostCommand('iptables-save', ['-t', 'nat']))) used.add(index);
  const free: number[] = [];
  for (let index = 0; index < BLOCK_COUNT; index++) if (!used.has(index) && !held.has(index)) free.push(index);
  if (free.length < count) {
    throw new PoolExhausted(
      `only ${free.length} of the ${BLOCK_COUNT} /30 blocks of ${POOL} are free and ${count} are needed; other runs or interfaces use the rest`,
    );
  }
  const chosen: Block[] = [];
  for (let i = 0; i < count; i++) {
    const [index] = free.splice(randomInt(free.length), 1);
    held.add(index!);
    chosen.push(block(index!));
  }
  return chosen;
}

export function releaseBlocks(blocks: readonly Block[]): void {
  for (const { index } of blocks) held.delete(index);
}

/**
 * Indices of the pool's blocks that `ip -4 addr`/`ip -4 route`/`iptables-save` output mentions: every block inside a /24 or longer
 * prefix, and the block holding any address of a wider one (a wider route such as 169.254.0.0/16 loses to the /30
 * routes of the veth pairs and is no conflict).
 */
export function usedBlocks(text: string): Set<number> {
  const used = new Set<number>();
  for (const match of text.matchAll(/\b169\.254\.77\.(\d{1,3})(?:\/(\d{1,2}))?\b/g)) {
    const octet = Number(match[1]);
    const prefix = match[2] === undefined ? 32 : Number(match[2]);
    if (octet > 255 || prefix > 32) continue;
    if (prefix < 24) {
      used.add(Math.floor(octet / 4));
      continue;
    }
    const size = 2 ** (32 - prefix);
    const first = octet - (octet % size);
    for (let address = first; address < first + size; address += 4) used.add(Math.floor(address / 4));
  }
  return used;
}
